"""Staff get one digest a day at the time they chose (new, due soon, overdue, summoned), in the inbox and
on their channels; residents get none; nobody gets two the same day."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from linli.notifications.actions import preference_set
from linli.notifications.digest import digests_due
from linli.notifications.models import Delivery, Notice

pytestmark = pytest.mark.django_db


def _at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_the_digest_comes_at_the_chosen_time_once_a_day(
    make_case, actors, grid_worker_a, resident, django_capture_on_commit_callbacks
):
    from linli.cases.actions import case_transition

    # The set-up commits as it would in use (its notices' wake-up runs): one wake-up waits per transaction.
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=None, channel="hotline", reporter_phone="13900000000")
        case_transition(case=case, name="accept", actor=actors["staff"], data={})
        case_transition(case=case, name="dispatch", actor=actors["staff"], data={})
    grid_worker_a.email = "worker@example.org"
    grid_worker_a.save()
    preference_set(user=grid_worker_a, channels=["email"], digest=True, digest_at=time(7, 30))

    digests_due(now=_at(7, 0))
    assert not Notice.objects.filter(user=grid_worker_a, kind="digest").exists()  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        digests_due(now=_at(7, 35))
    digest = Notice.objects.get(user=grid_worker_a, kind="digest")
    assert digest.ref == f"digest:{_at(7, 35).date().isoformat()}"
    assert "1" in digest.text  # the one new case
    assert list(Delivery.objects.filter(notice=digest).values_list("channel", "status")) == [("email", "sent")]
    digests_due(now=_at(9, 0))
    assert Notice.objects.filter(user=grid_worker_a, kind="digest").count() == 1  # once a day
    assert not Notice.objects.filter(user=resident, kind="digest").exists()  # residents get none
    digests_due(now=_at(7, 35, days=1))
    assert Notice.objects.filter(user=grid_worker_a, kind="digest").count() == 2


def test_staff_who_turned_the_digest_off_get_none(grid_worker_a):
    preference_set(user=grid_worker_a, channels=[], digest=False, digest_at=time(8))
    digests_due(now=_at(23, 0))
    assert not Notice.objects.filter(user=grid_worker_a, kind="digest").exists()


def test_staff_with_default_preferences_get_it_at_eight_in_the_inbox(grid_worker_a):
    assert digests_due(now=_at(7, 59)) == 0
    digests_due(now=_at(8, 1))
    digest = Notice.objects.get(user=grid_worker_a, kind="digest")
    assert not Delivery.objects.filter(notice=digest).exists()  # no channel chosen: the inbox only
