"""Verifying hours: computed from check-in/out, capped by the activity's duration, verified by the
organiser (never by the volunteer themself), written to the hours and points ledgers in the same
transaction, once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.core.errors import PermissionDenied, Refused
from linli.notifications.models import Notice
from linli.volunteers.actions import (
    activity_finish,
    activity_transition,
    activity_verify,
    computed_hours,
    signup_checkin,
    signup_create,
    signup_verify,
    team_create,
    volunteer_of,
)
from linli.volunteers.models import Activity, Signup


def _attended(activity, user, *, minutes_in: int, minutes_out: int | None):
    seat = signup_create(activity=activity, actor=user)
    Signup.objects.filter(pk=seat.pk).update(
        checked_in_at=activity.starts_at + timedelta(minutes=minutes_in),
        checked_out_at=None if minutes_out is None else activity.starts_at + timedelta(minutes=minutes_out),
    )
    return Signup.objects.get(pk=seat.pk)


def test_hours_are_capped_by_the_activity(activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting", hours=2)
    early = _attended(activity, make_volunteer_user(), minutes_in=-30, minutes_out=200)
    part = _attended(activity, make_volunteer_user(), minutes_in=15, minutes_out=75)
    no_out = _attended(activity, make_volunteer_user(), minutes_in=60, minutes_out=None)
    assert computed_hours(early, activity) == Decimal("2.0")
    assert computed_hours(part, activity) == Decimal("1.0")
    assert computed_hours(no_out, activity) == Decimal("1.0")


def test_verify_writes_hours_and_points_once(
    activity_in_state, make_volunteer_user, community_staff, django_capture_on_commit_callbacks
):
    from linli.points import selectors as points_selectors

    activity = activity_in_state("recruiting", hours=2, points=3)
    user = make_volunteer_user()
    seat = _attended(activity, user, minutes_in=0, minutes_out=90)
    absent = signup_create(activity=activity, actor=make_volunteer_user())
    activity_finish(activity=activity, actor=community_staff)
    with django_capture_on_commit_callbacks(execute=True):
        activity_verify(activity=activity, actor=community_staff)
    seat.refresh_from_db()
    assert seat.hours == Decimal("1.5") and seat.verified_by_id == community_staff.pk
    assert Signup.objects.get(pk=absent.pk).verified_at is None
    person_id = seat.volunteer.person_id
    day = timezone.localdate(activity.starts_at)
    assert points_selectors.hours_by_person([person_id], since=day, until=day)[person_id] == Decimal("1.5")
    assert points_selectors.points_by_person([person_id], since=day, until=day)[person_id] == 3
    assert points_selectors.balance_of(person_id) == 3
    assert Notice.objects.filter(ref__startswith="volunteers.", user=user, kind="hours_verify").count() == 1
    # The ledgers are idempotent on the sign-up: writing again changes nothing.
    from linli.points import actions as points_actions

    points_actions.points_award(
        person_id=person_id, rule_code="activity", amount=3, source=seat.source, actor=None
    )
    assert points_selectors.balance_of(person_id) == 3


def test_an_activity_without_its_own_points_uses_the_rule(
    activity_in_state, make_volunteer_user, community_staff
):
    from linli.points import selectors as points_selectors

    activity = activity_in_state("recruiting", points=None)
    assert activity.points is None
    seat = _attended(activity, make_volunteer_user(), minutes_in=0, minutes_out=60)
    activity_finish(activity=activity, actor=community_staff)
    activity_verify(activity=activity, actor=community_staff)
    assert points_selectors.balance_of(seat.volunteer.person_id) == 1  # the shipped `activity` rule


def test_the_organiser_verifies_one_attendance_with_given_hours(
    activity_in_state, make_volunteer_user, community_staff
):
    activity = activity_in_state("recruiting", hours=2)
    seat = _attended(activity, make_volunteer_user(), minutes_in=0, minutes_out=30)
    activity_finish(activity=activity, actor=community_staff)
    verified = signup_verify(signup=seat, actor=community_staff, hours=Decimal("1.5"))
    assert verified.hours == Decimal("1.5")
    with pytest.raises(Refused):
        signup_verify(signup=seat, actor=community_staff)
    moved = activity_verify(activity=activity, actor=community_staff)
    assert moved.status == "verified"


def test_hours_beyond_the_activity_are_invalid(activity_in_state, make_volunteer_user, community_staff):
    from linli.core.errors import Invalid

    activity = activity_in_state("recruiting", hours=2)
    seat = _attended(activity, make_volunteer_user(), minutes_in=0, minutes_out=30)
    activity_finish(activity=activity, actor=community_staff)
    with pytest.raises(Invalid):
        signup_verify(signup=seat, actor=community_staff, hours=Decimal("3"))
    assert Signup.objects.get(pk=seat.pk).verified_at is None


def test_the_verifier_is_never_the_volunteer(
    world, activity_in_state, make_volunteer_user, make_activity, community_staff
):
    """A team leader organises an activity and attends it: they cannot verify their own hours; the
    whole verification is refused and nothing is written; a manager then verifies."""
    from linli.points import selectors as points_selectors

    leader = make_volunteer_user("leader")
    team = team_create(
        actor=community_staff, community=world.community, name="金姐姐", leader=volunteer_of(leader)
    )
    activity = make_activity(actor=leader, team=team)
    activity_transition(activity=activity, name="publish", actor=leader)
    own = _attended(activity, leader, minutes_in=0, minutes_out=60)
    other = _attended(activity, make_volunteer_user(), minutes_in=0, minutes_out=60)
    activity_finish(activity=activity, actor=leader)
    with pytest.raises(PermissionDenied):
        signup_verify(signup=own, actor=leader)
    with pytest.raises(PermissionDenied):
        activity_verify(activity=activity, actor=leader)
    assert Activity.objects.get(pk=activity.pk).status == "finished"
    assert not Signup.objects.filter(pk__in=[own.pk, other.pk], verified_at__isnull=False).exists()
    assert points_selectors.balance_of(own.volunteer.person_id) == 0
    signup_verify(signup=other, actor=leader)  # someone else's hours: fine
    activity_verify(activity=activity, actor=community_staff)
    assert Signup.objects.get(pk=own.pk).verified_by_id == community_staff.pk


def test_a_staff_member_who_attended_is_not_their_own_verifier(
    world, activity_in_state, community_staff, make_person, make_volunteer_user
):
    """Community staff registered as a volunteer (their phone matches their person) may not verify
    their own attendance either, even as a manager."""
    from linli.core.testing.personas import make_user
    from linli.volunteers.actions import volunteer_register

    staff = make_user("staff_vol", "community_staff", place=world.community, phone="13700000009")
    person = make_person("社工志愿者", phone="13700000009")
    volunteer_register(actor=community_staff, person=person)
    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=staff)
    signup_checkin(signup=seat, actor=community_staff)
    activity_finish(activity=activity, actor=community_staff)
    with pytest.raises(PermissionDenied):
        signup_verify(signup=seat, actor=staff)
    assert signup_verify(signup=seat, actor=community_staff).verified_at is not None
