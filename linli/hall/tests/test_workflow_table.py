"""Every (state, action) pair of the application table: allowed pairs move to the target and leave an event
and an audit row; every other pair is refused (409 ``refused_transition``) and writes nothing."""

from __future__ import annotations

import pytest

from linli.core.audit import AuditEntry
from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.core.workflow import available
from linli.hall.actions import application_transition
from linli.hall.models import ApplicationEvent
from linli.hall.tests.conftest import DATA, PATHS, WHO
from linli.hall.workflow import APPLICATION_TRANSITIONS, ApplicationStatus

PAIRS = [(state, action) for state in ApplicationStatus.values for action in APPLICATION_TRANSITIONS]


def test_every_state_is_reachable():
    assert set(PATHS) == set(ApplicationStatus.values)
    assert set(WHO) == set(APPLICATION_TRANSITIONS)


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_state_action_pair(app_in_state, applicant, community_staff, state, action):
    app = app_in_state(state)
    t = APPLICATION_TRANSITIONS[action]
    actor = applicant if WHO[action] == "applicant" else community_staff
    events = ApplicationEvent.objects.filter(application=app).count()
    audits = AuditEntry.objects.filter(action=f"hall.application_{action}").count()
    if t.allows_state(state):
        moved = application_transition(application=app, name=action, actor=actor, data=DATA.get(action))
        assert moved.status == (t.target or state)
        assert ApplicationEvent.objects.filter(application=app, kind=action, from_status=state).count() == 1
        assert AuditEntry.objects.filter(action=f"hall.application_{action}").count() == audits + 1
    else:
        with pytest.raises(Refused) as caught:
            application_transition(application=app, name=action, actor=actor, data=DATA.get(action))
        assert caught.value.code == "refused_transition"
        app.refresh_from_db()
        assert app.status == state
        assert ApplicationEvent.objects.filter(application=app).count() == events


def test_buttons_come_from_the_table(app_in_state, applicant, community_staff, grid_worker_a):
    app = app_in_state("submitted")
    assert [t.name for t in available(APPLICATION_TRANSITIONS, app, community_staff)] == [
        "accept", "request_materials", "refuse",
    ]
    assert [t.name for t in available(APPLICATION_TRANSITIONS, app, applicant)] == ["withdraw"]
    assert available(APPLICATION_TRANSITIONS, app, None) == []


def test_the_applicant_cannot_accept_their_own(app_in_state, applicant):
    app = app_in_state("submitted")
    with pytest.raises(PermissionDenied):
        application_transition(application=app, name="accept", actor=applicant)
    app.refresh_from_db()
    assert app.status == "submitted"


def test_staff_of_another_community_get_not_found(app_in_state, outsider):
    app = app_in_state("submitted")
    with pytest.raises(NotFound):
        application_transition(application=app, name="accept", actor=outsider)


def test_agency_is_refused_for_a_service_without_it(app_in_state, service, community_staff):
    app = app_in_state("accepted", svc=service)  # 居住证明: no 代办
    with pytest.raises(Refused):
        application_transition(application=app, name="start_agency", actor=community_staff,
                               data={"office": "派出所"})
