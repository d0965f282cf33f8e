"""Sign-up with a quota and a waiting list; cancelling promotes the first waiting; check-in and check-out
by the activity's token and by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.audit import AuditEntry
from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.notifications.models import Notice
from linli.volunteers.actions import (
    signup_cancel,
    signup_checkin,
    signup_checkin_by_token,
    signup_checkout,
    signup_checkout_by_token,
    signup_create,
)
from linli.volunteers.models import Activity, ActivityEvent, Signup


def test_signup_takes_a_seat_then_the_waiting_list(activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting", quota=1)
    a, b = make_volunteer_user(), make_volunteer_user()
    first = signup_create(activity=activity, actor=a)
    second = signup_create(activity=activity, actor=b)
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 1
    assert ActivityEvent.objects.filter(activity=activity, kind="signup").count() == 2
    assert AuditEntry.objects.filter(action="volunteers.signup_create").count() == 2


def test_signup_full_without_a_waiting_list_is_refused(activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting", quota=1, waitlist=False)
    signup_create(activity=activity, actor=make_volunteer_user())
    with pytest.raises(Refused) as exc:
        signup_create(activity=activity, actor=make_volunteer_user())
    assert exc.value.code == "full"
    assert Signup.objects.filter(activity=activity).count() == 1


def test_signup_twice_is_refused(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    with pytest.raises(Refused):
        signup_create(activity=activity, actor=volunteer_user)


def test_signup_needs_a_volunteer_registration(activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting")
    with pytest.raises(Refused) as exc:
        signup_create(activity=activity, actor=make_volunteer_user(register=False))
    assert exc.value.code == "not_a_volunteer"


@pytest.mark.parametrize("state", ["draft", "closed", "ongoing", "finished", "cancelled"])
def test_signup_outside_recruiting_is_refused_or_hidden(activity_in_state, volunteer_user, state):
    activity = activity_in_state(state)
    with pytest.raises(NotFound if state in ("draft", "cancelled") else Refused):
        signup_create(activity=activity, actor=volunteer_user)


def test_cancel_promotes_the_first_on_the_waiting_list(
    activity_in_state, make_volunteer_user, django_capture_on_commit_callbacks
):
    activity = activity_in_state("recruiting", quota=1)
    a, b, c = make_volunteer_user(), make_volunteer_user(), make_volunteer_user()
    seat = signup_create(activity=activity, actor=a)
    second = signup_create(activity=activity, actor=b)
    third = signup_create(activity=activity, actor=c)
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(signup=seat, actor=a)
    statuses = dict(Signup.objects.filter(activity=activity).values_list("pk", "status"))
    assert statuses == {seat.pk: "cancelled", second.pk: "confirmed", third.pk: "waitlisted"}
    assert Activity.objects.get(pk=activity.pk).confirmed_count == 1
    assert Notice.objects.filter(ref__startswith="volunteers.", user=b, kind="promote").count() == 1
    assert not Notice.objects.filter(ref__startswith="volunteers.", user=c).exists()


def test_no_notice_when_the_cancel_rolls_back(
    activity_in_state, make_volunteer_user, django_capture_on_commit_callbacks
):
    from django.db import transaction

    activity = activity_in_state("recruiting", quota=1)
    a, b = make_volunteer_user(), make_volunteer_user()
    seat = signup_create(activity=activity, actor=a)
    signup_create(activity=activity, actor=b)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        signup_cancel(signup=seat, actor=a)
        raise RuntimeError("boom")
    assert not Notice.objects.filter(ref__startswith="volunteers.").exists()
    assert Signup.objects.get(pk=seat.pk).status == "confirmed"


def test_cancel_of_another_volunteers_signup_is_hidden(activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting")
    a, b = make_volunteer_user(), make_volunteer_user()
    seat = signup_create(activity=activity, actor=a)
    with pytest.raises(NotFound):
        signup_cancel(signup=seat, actor=b)


def test_cancel_after_the_start_is_refused(activity_in_state, volunteer_user, community_staff):
    from linli.volunteers.actions import activity_start

    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=volunteer_user)
    activity_start(activity=activity, actor=community_staff)
    with pytest.raises(Refused):
        signup_cancel(signup=seat, actor=volunteer_user)


def test_signing_up_again_after_cancelling_goes_to_the_end_of_the_line(
    activity_in_state, make_volunteer_user
):
    activity = activity_in_state("recruiting", quota=1)
    a, b = make_volunteer_user(), make_volunteer_user()
    seat = signup_create(activity=activity, actor=a)
    signup_cancel(signup=seat, actor=a)
    signup_create(activity=activity, actor=b)
    again = signup_create(activity=activity, actor=a)
    assert again.pk == seat.pk and again.status == "waitlisted"


def test_raising_the_quota_promotes_the_waiting(activity_in_state, make_volunteer_user, community_staff):
    from linli.volunteers.actions import activity_update

    activity = activity_in_state("recruiting", quota=1)
    signup_create(activity=activity, actor=make_volunteer_user())
    waiting = signup_create(activity=activity, actor=make_volunteer_user())
    activity_update(activity=activity, actor=community_staff, quota=2)
    assert Signup.objects.get(pk=waiting.pk).status == "confirmed"


def test_lowering_the_quota_below_the_signups_is_invalid(
    activity_in_state, make_volunteer_user, community_staff
):
    from linli.core.errors import Invalid
    from linli.volunteers.actions import activity_update

    activity = activity_in_state("recruiting", quota=2)
    signup_create(activity=activity, actor=make_volunteer_user())
    signup_create(activity=activity, actor=make_volunteer_user())
    with pytest.raises(Invalid) as exc:
        activity_update(activity=activity, actor=community_staff, quota=1)
    assert "quota" in exc.value.fields


# --- check-in -----------------------------------------------------------------------------------------------


def test_checkin_and_checkout_by_token(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    signup = signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert signup.checked_in_at is not None and signup.checked_in_by is None
    again = signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert again.checked_in_at == signup.checked_in_at
    with pytest.raises(Refused) as exc:  # a check-out within a minute of the check-in is asked about first
        signup_checkout_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert exc.value.code == "checkout_too_soon"
    out = signup_checkout_by_token(token=activity.checkin_token, actor=volunteer_user, confirm=True)
    assert out.checked_out_at >= out.checked_in_at
    assert ActivityEvent.objects.filter(activity=activity, kind__in=["checkin", "checkout"]).count() == 2


def test_a_checkout_a_minute_after_the_checkin_is_not_asked(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    signup = signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=signup.checked_in_at - timedelta(seconds=61))
    assert signup_checkout_by_token(token=activity.checkin_token, actor=volunteer_user).checked_out_at


def test_the_checkin_page_asks_before_a_checkout_right_after_the_checkin(client, activity_in_state, volunteer_user):
    from django.urls import reverse

    from linli.core.testing.personas import PASSWORD

    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    assert client.login(username=volunteer_user.username, password=PASSWORD)
    url = reverse("volunteers:checkin", args=[activity.checkin_token])
    client.post(url, {"step": "in"})
    page = client.get(url).content.decode()
    assert 'data-testid="checkout"' in page and 'data-testid="checkin"' not in page  # two distinct buttons
    asked = client.post(url, {"step": "out"})  # the second tap of a double tap
    assert asked.status_code == 200 and 'data-testid="checkout-ask"' in asked.content.decode()
    assert Signup.objects.get(activity=activity).checked_out_at is None
    client.post(url, {"step": "out", "confirm": "1"})
    assert Signup.objects.get(activity=activity).checked_out_at is not None


def test_checkin_with_a_wrong_token_is_not_found(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    with pytest.raises(NotFound):
        signup_checkin_by_token(token="not-the-token", actor=volunteer_user)
    with pytest.raises(NotFound):
        signup_checkin_by_token(token="", actor=volunteer_user)


def test_checkin_without_signing_up_is_refused(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    with pytest.raises(Refused) as exc:
        signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert exc.value.code == "not_signed_up"


def test_checkin_from_the_waiting_list_is_refused(activity_in_state, make_volunteer_user):
    activity = activity_in_state("recruiting", quota=1)
    signup_create(activity=activity, actor=make_volunteer_user())
    waiting = make_volunteer_user()
    signup_create(activity=activity, actor=waiting)
    with pytest.raises(Refused) as exc:
        signup_checkin_by_token(token=activity.checkin_token, actor=waiting)
    assert exc.value.code == "waitlisted"


def test_checkin_too_early_is_refused_with_the_opening_time(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting", start_in=timedelta(hours=3))
    signup_create(activity=activity, actor=volunteer_user)
    with pytest.raises(Refused) as exc:
        signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert exc.value.code == "too_early"
    assert timezone.localtime(activity.starts_at - timedelta(minutes=30)).strftime("%H:%M") in str(
        exc.value.message
    )
    assert Signup.objects.get(activity=activity).checked_in_at is None


def test_checkin_within_the_margin_before_the_start_is_accepted(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting", start_in=timedelta(minutes=20))
    signup_create(activity=activity, actor=volunteer_user)
    assert (
        signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user).checked_in_at is not None
    )


def test_checkin_after_the_end_is_refused(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(Refused) as exc:
        signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert exc.value.code == "too_late"


def test_checkin_of_a_finished_activity_is_refused(activity_in_state, volunteer_user, community_staff):
    from linli.volunteers.actions import activity_finish

    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    activity_finish(activity=activity, actor=community_staff)
    with pytest.raises(Refused) as exc:
        signup_checkin_by_token(token=activity.checkin_token, actor=volunteer_user)
    assert exc.value.code == "checkin_closed"


def test_anonymous_checkin_is_not_found(activity_in_state):
    from django.contrib.auth.models import AnonymousUser

    activity = activity_in_state("recruiting")
    with pytest.raises(NotFound):
        signup_checkin_by_token(token=activity.checkin_token, actor=AnonymousUser())


def test_checkout_before_checkin_is_refused(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    with pytest.raises(Refused):
        signup_checkout_by_token(token=activity.checkin_token, actor=volunteer_user)


def test_the_organiser_checks_in_by_hand(activity_in_state, volunteer_user, community_staff):
    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=volunteer_user)
    signed = signup_checkin(signup=seat, actor=community_staff)
    assert signed.checked_in_by_id == community_staff.pk
    assert signup_checkout(signup=seat, actor=community_staff).checked_out_at is not None


def test_a_volunteer_cannot_check_in_by_hand(activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=volunteer_user)
    with pytest.raises(PermissionDenied):
        signup_checkin(signup=seat, actor=volunteer_user)


def test_cancelling_the_activity_tells_everyone_signed_up(
    client, activity_in_state, make_volunteer_user, community_staff, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from linli.core.testing.personas import PASSWORD
    from linli.volunteers.actions import activity_cancel

    activity = activity_in_state("recruiting", quota=1)
    a, b = make_volunteer_user(), make_volunteer_user()
    signup_create(activity=activity, actor=a)
    signup_create(activity=activity, actor=b)
    with django_capture_on_commit_callbacks(execute=True):
        activity_cancel(activity=activity, actor=community_staff, reason="暴雨预警")
    assert set(Notice.objects.filter(ref__startswith="volunteers.", kind="cancel").values_list("user_id", flat=True)) == {
        a.pk,
        b.pk,
    }
    assert client.login(username=a.username, password=PASSWORD)
    page = client.get(reverse("volunteers:my_activities")).content.decode()
    assert 'data-testid="notices"' in page and activity.title in page
