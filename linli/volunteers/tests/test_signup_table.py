"""Sign-ups on the one runner: every (state, action) pair of ``SIGNUP_TRANSITIONS`` against the table, the
guard on the activity's state, the event row on the activity's timeline and the audit row."""

from __future__ import annotations

import pytest

from linli.core.audit import AuditEntry
from linli.core.errors import Refused
from linli.core.workflow import SPECS, event_label
from linli.volunteers.actions import signup_cancel, signup_create
from linli.volunteers.models import Activity, ActivityEvent, Signup
from linli.volunteers.workflow import SIGNUP_TRANSITIONS, SignupStatus


def _signup_in(status: str, activity, make_volunteer_user):
    """A sign-up in ``status`` on a recruiting activity with one seat."""
    first = signup_create(activity=activity, actor=make_volunteer_user())
    if status == "confirmed":
        return first
    second = signup_create(activity=activity, actor=make_volunteer_user())
    if status == "waitlisted":
        return second
    signup_cancel(signup=first, actor=None)
    return Signup.objects.get(pk=first.pk)


@pytest.mark.parametrize("status", SignupStatus.values)
@pytest.mark.parametrize("name", list(SIGNUP_TRANSITIONS))
def test_every_state_action_pair_follows_the_table(status, name, activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting", quota=1)
    signup = _signup_in(status, activity, make_volunteer_user)
    t = SIGNUP_TRANSITIONS[name]
    before = ActivityEvent.objects.filter(activity=activity, kind=name).count()
    if t.allows_state(status):
        signup_cancel(signup=signup.pk, actor=None)
        assert Signup.objects.get(pk=signup.pk).status == t.target
        event = ActivityEvent.objects.filter(activity=activity, kind=name).latest("id")
        assert event.data["signup"] == signup.pk and (event.from_status, event.to_status) == (status, t.target)
        assert AuditEntry.objects.filter(action=f"volunteers.signup_{name}", target_id=str(signup.pk)).exists()
        assert str(event_label(event)) == str(t.label)  # the sign-up's label, not the activity's "cancel"
    else:
        with pytest.raises(Refused) as exc:
            signup_cancel(signup=signup.pk, actor=None)
        assert exc.value.code == "refused_transition"
        assert ActivityEvent.objects.filter(activity=activity, kind=name).count() == before


def test_the_guard_refuses_once_the_activity_started(activity_in_state, volunteer_user, community_staff):
    from linli.volunteers.actions import activity_start

    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=volunteer_user)
    activity_start(activity=activity, actor=community_staff)
    with pytest.raises(Refused) as exc:
        signup_cancel(signup=seat, actor=volunteer_user)
    assert exc.value.code == "refused_transition"
    assert Signup.objects.get(pk=seat.pk).status == "confirmed"


def test_the_organiser_cancels_anothers_signup_and_the_seat_goes_to_the_waiting(
    activity_in_state, make_volunteer_user, community_staff
):
    activity = activity_in_state("recruiting", quota=1)
    seat = signup_create(activity=activity, actor=make_volunteer_user())
    waiting = signup_create(activity=activity, actor=make_volunteer_user())
    signup_cancel(signup=seat, actor=community_staff)
    assert Signup.objects.get(pk=waiting.pk).status == "confirmed"
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 1
    event = ActivityEvent.objects.get(activity=activity, kind="cancel")
    assert event.data["promoted"] == [waiting.pk] and event.data["was"] == "confirmed"


def test_signups_have_a_spec_on_the_runner():
    import linli.volunteers.actions  # noqa: F401  (the spec registers at import)

    spec = SPECS["volunteers.signup"]
    assert spec.table is SIGNUP_TRANSITIONS and spec.model is Signup and spec.event_model is ActivityEvent
