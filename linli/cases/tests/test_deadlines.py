"""Deadlines on the working-day calendar, the lights, parking, escalation (idempotent) and the end of
the rating window."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from linli.cases import deadlines
from linli.cases.actions import case_transition, cases_close_unrated, cases_escalate
from linli.cases.models import Case, CaseEvent, EscalationMark
from linli.notifications.models import Notice

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def clock(monkeypatch):
    """Set the time seen by the actions: ``clock(at(2026, 9, 30, 10))``."""

    def _set(moment: datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return _set


def test_handle_deadline_across_the_2026_national_day(make_case, categories):
    category = categories["MUNI.STREETLIGHT"]
    assert category.handle_days == 3
    case = make_case(reported_at=at(2026, 9, 30, 10, 0))
    # Oct 1-7 are holidays; Oct 8 (Thu), Oct 9 (Fri) and Oct 10 (Sat, a make-up working day) count.
    assert case.handle_due == at(2026, 10, 10, 17, 30)
    assert case.feedback_due == at(2026, 10, 10, 17, 30)
    # The yellow light: the last quarter of the office time from the report to the deadline
    # (5.5 h on Sep 30 + 3 × 7 h = 26.5 h; 75% used at 08:52:30 on the last day).
    assert case.handle_warn_at == at(2026, 10, 10, 8, 52, 30)


def test_sign_deadline_counts_office_hours_over_the_holiday(make_case, actors, clock):
    clock(at(2026, 9, 30, 9, 0))
    case = make_case(actor=actors["resident"])
    case = case_transition(case=case, name="accept", actor=actors["staff"], data={})
    clock(at(2026, 9, 30, 16, 30))
    case = case_transition(case=case, name="dispatch", actor=actors["staff"], data={})
    # Sign within 2 office hours: 16:30-17:30 on Sep 30, then 08:30-09:30 on Oct 8.
    assert case.sign_due == at(2026, 10, 8, 9, 30)
    # Return within one working day (7 office hours) of the dispatch.
    assert case.return_due == at(2026, 10, 8, 16, 30)


def test_lights_turn_yellow_then_red(make_case, clock):
    case = make_case(reported_at=at(2026, 9, 30, 10, 0))
    assert deadlines.light(case, at(2026, 10, 9, 17)).level == "green"
    warn = case.handle_warn_at
    assert deadlines.light(case, warn + timedelta(minutes=1)).level == "yellow"
    red = deadlines.light(case, case.handle_due + timedelta(minutes=1))
    assert (red.level, red.which) in {("red", "handle"), ("red", "feedback")}


def test_parking_pauses_the_clock(case_in_state, actors, clock):
    clock(at(2026, 11, 2, 9, 0))  # a Monday
    case = case_in_state("handling")
    due_before = case.handle_due
    clock(at(2026, 11, 2, 10, 0))
    case = case_transition(case=case, name="park", actor=actors["staff"], data={"reason": "等待管网改造"})
    # Parked cases are not overdue and are not escalated while parked.
    clock(due_before + timedelta(days=3))
    assert deadlines.light(case).level == ""
    assert cases_escalate() == 0
    unpark_at = at(2026, 11, 4, 10, 0)  # two working days later: 2 × 7 office hours
    clock(unpark_at)
    case = case_transition(case=case, name="unpark", actor=actors["staff"], data={})
    assert case.status == "handling"
    assert case.parked_seconds == int(timedelta(days=2).total_seconds())
    assert case.handle_due == deadlines.add_working_hours(due_before, 14)
    assert case.handle_due > due_before


def test_escalation_runs_twice_but_escalates_once(
    case_in_state, actors, street_supervisor, clock, django_capture_on_commit_callbacks
):
    case = case_in_state("handling")
    clock(case.handle_due + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        first = cases_escalate()
        second = cases_escalate()
    assert first >= 1 and second == 0
    marks = EscalationMark.objects.filter(case=case, level="handle")
    assert marks.count() == 1 and marks.get().due == case.handle_due
    assert CaseEvent.objects.filter(case=case, kind="escalate", data__level="handle").count() == 1
    assert Notice.objects.filter(ref=f"cases.case:{case.pk}", kind="escalate", user=street_supervisor).exists()


def test_escalation_after_a_crash_is_not_skipped(case_in_state, clock, monkeypatch):
    from linli.cases.actions import escalation

    case = case_in_state("handling")
    clock(case.handle_due + timedelta(hours=1))
    real = escalation.audit_record

    def crash(**kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(escalation, "audit_record", crash)
    assert cases_escalate() == 0  # every escalation of the run failed and rolled back
    assert not EscalationMark.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind="escalate").exists()
    monkeypatch.setattr(escalation, "audit_record", real)
    assert cases_escalate() >= 1
    assert EscalationMark.objects.filter(case=case, level="handle").count() == 1


def test_two_runs_that_found_the_same_deadline_escalate_it_once(case_in_state, clock):
    """A run sent again while the first one still ran (or a run after a killed one that had committed
    part of its work): both found the deadline; the second finds the mark and does nothing."""
    from linli.cases.actions import escalation

    case = case_in_state("handling")
    clock(case.handle_due + timedelta(hours=1))
    found = [c for c in escalation._candidates(timezone.now()) if c[0] == case.pk and c[1] == "handle"]
    assert len(found) == 1
    assert escalation._escalate_one(*found[0], timezone.now()) is True
    assert escalation._escalate_one(*found[0], timezone.now()) is False
    assert EscalationMark.objects.filter(case=case, level="handle").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="escalate", data__level="handle").count() == 1


def test_a_new_deadline_passed_escalates_again(case_in_state, actors, clock):
    case = case_in_state("handling")
    clock(case.handle_due + timedelta(hours=1))
    cases_escalate()
    new_due = timezone.now() + timedelta(days=2)
    case = case_transition(case=case, name="supervise", actor=actors["supervisor"],
                           data={"note": "限期办结", "due": new_due.isoformat()})
    assert cases_escalate() == 0
    clock(new_due + timedelta(hours=1))
    assert cases_escalate() >= 1
    assert EscalationMark.objects.filter(case=case, level="handle").count() == 2


def test_sign_and_summons_deadlines_escalate_separately(
    case_in_state, actors, world, clock, django_capture_on_commit_callbacks
):
    case = case_in_state("dispatched")
    case = case_transition(case=case, name="summon", actor=actors["staff"], data={"departments": [world.department.pk], "instruction": "请到场处置"})
    summons = case.summons.get()
    clock(max(case.sign_due, summons.due) + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        cases_escalate()
    levels = set(EscalationMark.objects.filter(case=case).values_list("level", "summons_key"))
    assert ("sign", 0) in levels and ("summons", summons.pk) in levels
    assert Notice.objects.filter(ref=f"cases.case:{case.pk}", kind="escalate").exists()


def test_the_periodic_task_escalates(case_in_state, clock):
    from linli.cases.tasks import cases_escalate_overdue

    case = case_in_state("handling")
    clock(case.handle_due + timedelta(hours=1))
    cases_escalate_overdue.call_local()
    assert EscalationMark.objects.filter(case=case).exists()


def test_unrated_cases_close_after_the_rating_window(case_in_state, clock, settings):
    case = case_in_state("verified")
    recent = case_in_state("verified")
    Case.objects.filter(pk=case.pk).update(verified_at=timezone.now() - timedelta(days=7, minutes=1))
    assert cases_close_unrated() == 1
    case.refresh_from_db()
    recent.refresh_from_db()
    assert (case.status, case.closed_reason) == ("closed", "not_rated")
    assert recent.status == "verified"
    assert CaseEvent.objects.filter(case=case, kind="close", actor__isnull=True).exists()
    assert cases_close_unrated() == 0
    settings.LINLI_RATING_DAYS = 0
    assert cases_close_unrated() == 1


def test_staff_cannot_close_an_unrated_case_inside_the_window(case_in_state, actors):
    from linli.core.errors import Refused

    case = case_in_state("verified")
    with pytest.raises(Refused):
        case_transition(case=case, name="close", actor=actors["staff"], data={})


def test_first_public_reply_keeps_the_feedback_promise(case_in_state, actors, clock):
    answered = case_in_state("accepted")
    silent = case_in_state("accepted")
    # The automatic "accepted" message does not count as hearing back; a person's reply does.
    assert answered.first_reply_at is None
    answered = case_transition(case=answered, name="comment", actor=actors["staff"],
                               data={"reply": "已联系供电所，明天来修"})
    assert answered.first_reply_at is not None
    clock(silent.feedback_due + timedelta(hours=1))
    cases_escalate()
    assert not EscalationMark.objects.filter(case=answered, level="feedback").exists()
    assert EscalationMark.objects.filter(case=silent, level="feedback").count() == 1
