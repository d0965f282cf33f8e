"""The open cases' counters (linli/cases/open_counts.py): kept by every action, equal to counting the cases,
read by the big screens; ``kpi-recompute`` finds and repairs a difference."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from linli.cases.actions import case_transition
from linli.cases.models import Case, CaseStateCount
from linli.cases.open_counts import open_counts, state_counts_diff
from linli.cases.selectors import screen_case_figures

pytestmark = pytest.mark.django_db


def _counted_by_hand(path: str) -> dict[str, int]:
    from linli.cases.workflow import OPEN_STATUSES

    out: dict[str, int] = {}
    for status in Case.objects.filter(
        place_path__startswith=path, status__in=sorted(OPEN_STATUSES)
    ).values_list("status", flat=True):
        out[status] = out.get(status, 0) + 1
    return out


def test_every_action_keeps_the_counters_equal_to_the_cases(make_case, actors, world):
    steps = [
        ("accept", "staff", {}),
        ("dispatch", "staff", {}),
        ("sign", "worker", {}),
        ("handle", "worker", {}),
        ("extend", "worker", {"reason": "等配件", "days": 3}),
        ("extend_approve", "staff", {}),
        ("park", "staff", {"reason": "等待资金"}),
        ("unpark", "staff", {}),
        ("report", "worker", {"reply": "已修复"}),
        ("verify", "staff", {}),
        ("rate", "resident", {"satisfaction": "unsatisfied", "solved": False}),  # reopened by the rating
        ("sign", "worker", {}),
        ("handle", "worker", {}),
        ("report", "worker", {"reply": "再修"}),
        ("verify", "staff", {}),
        ("rate", "resident", {"satisfaction": "satisfied", "solved": True}),
        ("close", "staff", {}),
    ]
    case = make_case(actor=actors["resident"], reporter_phone="13812345678")
    other = make_case(actor=actors["resident"], reporter_phone="13812345678", title="井盖松动")
    refused = make_case(actor=actors["resident"], reporter_phone="13812345678", title="不是社区的事")
    assert state_counts_diff() == []
    assert open_counts(place_path=world.community.path)["by_status"] == {"reported": 3}
    case_transition(case=refused, name="refuse", actor=actors["staff"], data={"reason": "不属于社区事务"})
    seen = set()
    for name, who, data in steps:
        case = case_transition(case=case, name=name, actor=actors[who], data=dict(data))
        seen.add(case.status)
        assert state_counts_diff() == [], name
        assert open_counts(place_path=world.community.path)["by_status"] == _counted_by_hand(
            world.community.path
        )
    assert {"parked", "reported_back", "verified", "dispatched"} <= seen and case.status == "closed"
    got = open_counts(place_path=world.street.path)
    assert got["by_status"] == {"reported": 1} and got["open"] == 1
    assert open_counts(place_path=world.grid_b.path)["open"] == 0  # the cases are in grid A
    assert other.status == "reported"


def test_overdue_from_the_counters_and_from_this_months_deadlines(make_case, actors, world):
    case = make_case(actor=actors["resident"], reporter_phone="13812345678")
    case = case_transition(case=case, name="accept", actor=actors["staff"], data={})
    due = Case.objects.get(pk=case.pk).handle_due
    assert open_counts(place_path=world.street.path, now=due - timedelta(minutes=1))["overdue"] == 0
    # Later in the deadline's month: counted live from the partial index of the open cases' deadlines.
    local = timezone.localtime(due)
    later_same_month = due + timedelta(minutes=1)
    if timezone.localtime(later_same_month).month == local.month:
        assert open_counts(place_path=world.street.path, now=later_same_month)["overdue"] == 1
    # Two months on: counted from the counter of the deadline's month.
    assert open_counts(place_path=world.street.path, now=due + timedelta(days=62))["overdue"] == 1
    # Parked stops the clock: not overdue while parked.
    for name, who, data in [
        ("dispatch", "staff", {}),
        ("sign", "worker", {}),
        ("park", "staff", {"reason": "等待"}),
    ]:
        case = case_transition(case=case, name=name, actor=actors[who], data=dict(data))
    assert open_counts(place_path=world.street.path, now=due + timedelta(days=62))["overdue"] == 0


def test_the_screen_selector_is_scoped(make_case, actors, world, grid_worker_b, resident):
    make_case(actor=actors["resident"], reporter_phone="13812345678")

    def open_for(user):
        return screen_case_figures(user, place_path=world.community.path, place_kind="community", month_from=202601,
                                   month_to=202612, categories_from=202601)["open"]["open"]

    assert open_for(actors["staff"]) == 1
    assert open_for(grid_worker_b) == 0  # not over the community
    assert open_for(resident) == 0  # no cases.view


def test_kpi_recompute_finds_and_fixes_a_wrong_counter(make_case, actors, world):
    make_case(actor=actors["resident"], reporter_phone="13812345678")
    row = CaseStateCount.objects.get(status="reported")
    CaseStateCount.objects.filter(pk=row.pk).update(n=5)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("kpi_recompute", stdout=out)
    assert "status=reported" in out.getvalue() and "stored 5, cases say 1" in out.getvalue()
    call_command("kpi_recompute", "--fix", stdout=io.StringIO())
    assert state_counts_diff() == []
    assert open_counts(place_path=world.street.path)["by_status"] == {"reported": 1}
