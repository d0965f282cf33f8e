"""Home services: every (state, action) pair of the table; done leaves a visit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.care.actions import home_service_request, home_service_transition
from linli.care.models import HomeServiceEvent, Visit
from linli.care.workflow import HOME_SERVICE_TRANSITIONS, HomeServiceStatus
from linli.core.errors import Invalid, Refused


@pytest.fixture
def request_in_state(elder, community_staff, grid_worker_a):
    def _make(state):
        req = home_service_request(actor=community_staff, kind="haircut", person=elder.pk,
                                   wanted_on=timezone.localdate() + dt.timedelta(days=2))
        when = (timezone.now() + dt.timedelta(days=2)).isoformat()
        if state in ("scheduled", "done"):
            req = home_service_transition(request=req, name="schedule", actor=community_staff,
                                          data={"provider": grid_worker_a.pk, "when": when})
        if state == "done":
            req = home_service_transition(request=req, name="complete", actor=grid_worker_a, data={"note": "理发完成"})
        if state == "cancelled":
            req = home_service_transition(request=req, name="cancel", actor=community_staff)
        assert req.status == state
        return req

    return _make


DATA = {"schedule": "provider", "complete": {"note": "量血压 130/85"}, "cancel": {}}


@pytest.mark.parametrize(("state", "action"),
                         [(s, a) for s in HomeServiceStatus.values for a in HOME_SERVICE_TRANSITIONS])
def test_home_service_state_action_pair(request_in_state, community_staff, grid_worker_a, state, action):
    req = request_in_state(state)
    data = {"provider": grid_worker_a.pk, "when": (timezone.now() + dt.timedelta(days=1)).isoformat()} \
        if action == "schedule" else DATA[action]
    t = HOME_SERVICE_TRANSITIONS[action]
    events = HomeServiceEvent.objects.filter(request=req).count()
    if t.allows_state(state):
        moved = home_service_transition(request=req, name=action, actor=community_staff, data=data)
        assert moved.status == t.target
        assert HomeServiceEvent.objects.filter(request=req).count() == events + 1
    else:
        with pytest.raises(Refused):
            home_service_transition(request=req, name=action, actor=community_staff, data=data)
        assert HomeServiceEvent.objects.filter(request=req).count() == events


def test_done_leaves_a_visit_log(request_in_state):
    req = request_in_state("done")
    visit = Visit.objects.get(home_service=req)
    assert visit.note == "理发完成" and visit.person_id == req.person_id


def test_a_day_in_the_past_is_invalid(elder, community_staff):
    with pytest.raises(Invalid):
        home_service_request(actor=community_staff, kind="health", person=elder.pk,
                             wanted_on=timezone.localdate() - dt.timedelta(days=1))
