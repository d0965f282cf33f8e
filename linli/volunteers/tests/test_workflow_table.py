"""Every (state, action) pair of the activity table: allowed pairs move to the target and leave an event
and an audit row; every other pair is refused (409) and writes nothing."""

from __future__ import annotations

import pytest

from linli.core.audit import AuditEntry
from linli.core.errors import PermissionDenied, Refused
from linli.volunteers.actions import activity_transition
from linli.volunteers.models import ActivityEvent
from linli.volunteers.tests.conftest import PATHS
from linli.volunteers.workflow import ACTION_NAMES, TRANSITIONS, ActivityStatus, available_actions

DATA = {"cancel": {"reason": "天气原因"}}
PAIRS = [(state, action) for state in ActivityStatus.values for action in ACTION_NAMES]


def test_every_state_is_reachable():
    assert set(PATHS) == set(ActivityStatus.values)


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_state_action_pair(activity_in_state, community_staff, state, action):
    activity = activity_in_state(state)
    t = TRANSITIONS[action]
    events = ActivityEvent.objects.filter(activity=activity).count()
    audits = AuditEntry.objects.filter(action=f"volunteers.activity_{action}").count()
    if t.allows_state(state):
        moved = activity_transition(
            activity=activity, name=action, actor=community_staff, data=DATA.get(action)
        )
        assert moved.status == t.target
        assert (
            ActivityEvent.objects.filter(
                activity=activity, kind=action, from_status=state, to_status=t.target
            ).count()
            == 1
        )
        assert AuditEntry.objects.filter(action=f"volunteers.activity_{action}").count() == audits + 1
    else:
        with pytest.raises(Refused):
            activity_transition(activity=activity, name=action, actor=community_staff, data=DATA.get(action))
        activity.refresh_from_db()
        assert activity.status == state
        assert ActivityEvent.objects.filter(activity=activity).count() == events


def test_buttons_come_from_the_table(activity_in_state, community_staff, volunteer_user):
    activity = activity_in_state("recruiting")
    assert [t.name for t in available_actions(activity, community_staff)] == [
        "close",
        "start",
        "finish",
        "cancel",
    ]
    assert available_actions(activity, volunteer_user) == []
    assert available_actions(activity, None) == []


def test_a_volunteer_cannot_run_a_transition(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    with pytest.raises(PermissionDenied):
        activity_transition(activity=activity, name="close", actor=volunteer_user)
    activity.refresh_from_db()
    assert activity.status == "recruiting"


def test_staff_of_another_community_gets_not_found_for_a_draft(activity_in_state, outsider):
    from linli.core.errors import NotFound

    activity = activity_in_state("draft")
    with pytest.raises(NotFound):
        activity_transition(activity=activity, name="publish", actor=outsider)


def test_cancel_requires_a_reason(activity_in_state, community_staff):
    from linli.core.errors import Invalid

    activity = activity_in_state("recruiting")
    with pytest.raises(Invalid) as exc:
        activity_transition(activity=activity, name="cancel", actor=community_staff, data={"reason": " "})
    assert "reason" in exc.value.fields


def test_a_team_leader_organises_their_teams_activity(
    world, make_volunteer_user, make_activity, community_staff
):
    from linli.volunteers.actions import activity_publish, team_create, volunteer_of

    leader = make_volunteer_user("leader")
    team = team_create(
        actor=community_staff, community=world.community, name="银辉先锋", leader=volunteer_of(leader)
    )
    activity = make_activity(actor=leader, team=team)
    assert activity.organiser_id == leader.pk
    assert activity_publish(activity=activity, actor=leader).status == "recruiting"


def test_a_plain_volunteer_cannot_create_an_activity(make_volunteer_user, make_activity):
    other = make_volunteer_user("plain")
    with pytest.raises(PermissionDenied):
        make_activity(actor=other)
