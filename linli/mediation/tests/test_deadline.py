"""One month to settle from acceptance, on the working-day calendar: a deadline on a holiday moves to the
next working day (the 2026 National Day); an extension needs both parties' consent, once; past the
deadline a dispute turns red and the daily task escalates it once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from linli.core.errors import Invalid, Refused
from linli.mediation.actions import add_month, deadline_from, dispute_transition, disputes_escalate_overdue
from linli.mediation.models import DisputeEvent


def _at(monkeypatch, day: dt.date, hour: int = 10):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def test_one_calendar_month():
    assert add_month(dt.date(2026, 5, 12)) == dt.date(2026, 6, 12)
    assert add_month(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert add_month(dt.date(2026, 12, 15)) == dt.date(2027, 1, 15)


def test_a_deadline_inside_the_2026_national_day_moves_to_the_first_working_day(db):
    # 3 Oct 2026 is a holiday (1–7 Oct), 8 Oct a Thursday and a working day.
    assert deadline_from(dt.date(2026, 9, 3)) == dt.date(2026, 10, 8)
    # 15 Sept → 15 Oct, an ordinary Thursday: unchanged.
    assert deadline_from(dt.date(2026, 9, 15)) == dt.date(2026, 10, 15)


def test_accepting_across_the_national_day(monkeypatch, file_dispute, mediator, mediator_user):
    _at(monkeypatch, dt.date(2026, 9, 3))
    d = file_dispute()
    d = dispute_transition(dispute=d, name="accept", actor=mediator_user, data={"lead": mediator.pk})
    assert d.due_on == dt.date(2026, 10, 8)
    assert DisputeEvent.objects.get(dispute=d, kind="accept").data["due_on"] == "2026-10-08"


def test_an_extension_needs_both_parties_and_happens_once(monkeypatch, file_dispute, mediator, mediator_user):
    _at(monkeypatch, dt.date(2026, 9, 3))
    d = file_dispute()
    d = dispute_transition(dispute=d, name="accept", actor=mediator_user, data={"lead": mediator.pk})
    with pytest.raises(Invalid) as info:
        dispute_transition(dispute=d, name="extend", actor=mediator_user,
                           data={"applicant_consent": True, "respondent_consent": False})
    assert "respondent_consent" in info.value.fields
    d.refresh_from_db()
    assert d.due_on == dt.date(2026, 10, 8) and not d.extended
    d = dispute_transition(dispute=d, name="extend", actor=mediator_user,
                           data={"applicant_consent": "1", "respondent_consent": "yes", "note": "双方同意延期"})
    assert d.due_on == dt.date(2026, 11, 9)  # 8 Nov 2026 is a Sunday
    assert d.extended
    ev = DisputeEvent.objects.get(dispute=d, kind="extend")
    assert ev.data["applicant_consent"] is True and ev.data["respondent_consent"] is True
    with pytest.raises(Refused):
        dispute_transition(dispute=d, name="extend", actor=mediator_user,
                           data={"applicant_consent": True, "respondent_consent": True})


def test_overdue_disputes_turn_red_and_escalate_once(monkeypatch, client, file_dispute, mediator, mediator_user,
                                                      community_staff):
    from django.urls import reverse

    from linli.mediation.selectors import is_overdue, light

    _at(monkeypatch, dt.date(2026, 9, 3))
    d = file_dispute()
    d = dispute_transition(dispute=d, name="accept", actor=mediator_user, data={"lead": mediator.pk})
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 8)) == 0  # due today: not yet overdue
    _at(monkeypatch, dt.date(2026, 10, 9))
    assert is_overdue(d) and light(d) == "red"
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 9)) == 1
    assert disputes_escalate_overdue(today=dt.date(2026, 10, 10)) == 0  # once per level
    d.refresh_from_db()
    assert d.escalated_at is not None and d.status == "accepted" and d.escalation_level == "grid"
    ev = DisputeEvent.objects.get(dispute=d, kind="escalate")
    assert ev.actor is None and ev.actor_name == "system"
    client.force_login(community_staff)
    page = client.get(reverse("mediation:disputes") + "?status=overdue").content.decode()
    assert d.number in page and "table-danger" in page


def test_a_settled_dispute_is_never_escalated(monkeypatch, dispute_in_state):
    _at(monkeypatch, dt.date(2026, 9, 3))
    d = dispute_in_state("settled")
    assert disputes_escalate_overdue(today=dt.date(2026, 12, 1)) == 0
    d.refresh_from_db()
    assert d.escalated_at is None


def test_the_task_runs_the_action(monkeypatch, file_dispute, mediator, mediator_user):
    from linli.mediation.tasks import mediation_escalate_overdue

    _at(monkeypatch, dt.date(2026, 9, 3))
    d = dispute_transition(dispute=file_dispute(), name="accept", actor=mediator_user, data={"lead": mediator.pk})
    monkeypatch.undo()
    assert d.due_on < timezone.localdate()
    assert mediation_escalate_overdue.call_local() == 1
