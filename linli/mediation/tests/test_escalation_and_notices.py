"""Overdue disputes climb the ladder (grid → community → street), each level told once through the outbox;
every notice of the mediation app is a row of the one outbox (linli.notifications), written in the action's
transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import PermissionDenied, Refused
from linli.mediation.actions import dispute_transition, disputes_escalate_overdue
from linli.mediation.models import Dispute, DisputeEvent
from linli.notifications.models import Notice


def _at(monkeypatch, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def told(kind: str = "overdue") -> set[int]:
    return set(Notice.objects.filter(kind=kind).values_list("user_id", flat=True))


@pytest.fixture
def accepted(monkeypatch, file_dispute, mediator, mediator_user):
    _at(monkeypatch, dt.date(2026, 9, 3))
    d = dispute_transition(dispute=file_dispute(), name="accept", actor=mediator_user, data={"lead": mediator.pk})
    assert d.due_on == dt.date(2026, 10, 8)  # a month, past the National Day holiday
    Notice.objects.all().delete()
    return d


def test_the_ladder_tells_the_grid_then_the_community_then_the_street(
        accepted, mediator_user, grid_worker_a, grid_worker_b, community_staff, street_supervisor):
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 8)) == 0  # due today
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 9)) == 1
    assert told() == {mediator_user.pk, grid_worker_a.pk}  # the team and the grid, not the other grid
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 15)) == 0  # a week: still the grid's
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 16)) == 1
    assert told() == {mediator_user.pk, grid_worker_a.pk, community_staff.pk}
    assert Notice.objects.filter(kind="overdue", user=grid_worker_a).count() == 1  # each level once
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 23)) == 1
    assert street_supervisor.pk in told()
    assert disputes_escalate_overdue(today=dt.date(2026, 11, 30)) == 0  # the top of the ladder
    levels = list(DisputeEvent.objects.filter(dispute=accepted, kind="escalate").order_by("pk")
                  .values_list("data__level", flat=True))
    assert levels == ["grid", "community", "street"]
    notice = Notice.objects.filter(kind="overdue", user=street_supervisor).get()
    assert notice.url == reverse("mediation:dispute_detail", args=[accepted.pk]) and accepted.number in notice.text


def test_a_missed_week_climbs_two_rungs_at_once_and_tells_both(accepted, grid_worker_a, community_staff):
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 20)) == 1
    d = Dispute.objects.get(pk=accepted.pk)
    assert d.escalation_level == "community"
    assert {grid_worker_a.pk, community_staff.pk} <= told()


def test_an_extension_starts_the_ladder_again(accepted, mediator_user):
    disputes_escalate_overdue(today=dt.date(2026, 10, 16))
    d = dispute_transition(dispute=accepted.pk, name="extend", actor=mediator_user,
                           data={"applicant_consent": True, "respondent_consent": True})
    assert d.escalation_level == "" and d.escalated_at is None and d.due_on > dt.date(2026, 11, 1)
    with pytest.raises(PermissionDenied):  # a person never escalates
        dispute_transition(dispute=d, name="escalate", actor=mediator_user, data={"level": "street"})


def test_the_same_level_twice_is_refused_and_writes_nothing(accepted):
    dispute_transition(dispute=accepted.pk, name="escalate", actor=None, data={"level": "community"})
    before = DisputeEvent.objects.count(), Notice.objects.count()
    with pytest.raises(Refused):
        dispute_transition(dispute=accepted.pk, name="escalate", actor=None, data={"level": "grid"})
    assert (DisputeEvent.objects.count(), Notice.objects.count()) == before


def test_filing_and_settling_queue_outbox_notices(file_dispute, mediator, mediator_user, community_staff):
    d = file_dispute()
    filed = Notice.objects.filter(kind="file", ref=f"mediation.dispute:{d.pk}")
    assert mediator_user.pk in set(filed.values_list("user_id", flat=True))
    assert filed.first().url == reverse("mediation:dispute_detail", args=[d.pk])
    for name, data in [("accept", {"lead": mediator.pk}), ("triage", {"method": "on_spot"}),
                       ("settle", {"form": "oral", "terms": "双方互谅"})]:
        dispute_transition(dispute=d.pk, name=name, actor=mediator_user, data=data)
    assert Notice.objects.filter(kind="settle", user=community_staff).exists()
    assert not Notice.objects.filter(kind="settle", user=mediator_user).exists()  # the actor is not told
