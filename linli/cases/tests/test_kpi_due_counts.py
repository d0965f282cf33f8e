"""The KPI page's live figures (open overdue, awaiting signature) from the open cases' counters keyed like
the rollups (linli/cases/open_counts.py): equal to counting the cases after many transitions, after a grid
moved to another community, and as deadlines pass with no write; the recompute finds and repairs a
difference."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases.actions import case_transition
from linli.cases.kpi import kpi_pending, kpi_table, month_of
from linli.cases.models import OVERDUE_KPI_STATUSES, Case, CaseStateCount
from linli.cases.open_counts import due_counts_fold, state_counts_diff

pytestmark = pytest.mark.django_db

BY = {"all": None, "month": "month", "grid": "grid_id", "community": "community_id", "department": "department_id",
      "category": "category_id", "street": "street_id"}


def _by_hand(user, by: str, now) -> dict:
    """The live figures counted from the cases, as the page defines them."""
    from linli.core.access import scope_of

    out: dict = {}
    qs = Case.objects.filter(scope_of(user).place_q("place_path")) if user is not None else Case.objects.all()
    for case in qs:
        key = {
            "all": None, "month": month_of(case.reported_at), "grid": case.grid_id or 0,
            "community": case.community_id or 0, "department": case.owner_department_id or 0,
            "category": case.category_id or 0, "street": int(case.place_path.strip("/").split("/")[0]),
        }[by]
        overdue = case.status in OVERDUE_KPI_STATUSES and case.handle_due is not None and case.handle_due < now
        awaiting = case.status == "dispatched" and case.sign_due is not None and case.sign_due >= now
        if overdue or awaiting:
            row = out.setdefault(key, {"open_overdue": 0, "awaiting_sign": 0})
            row["open_overdue"] += int(overdue)
            row["awaiting_sign"] += int(awaiting)
    return out


def _live(user, by: str, now) -> dict:
    return {k: v for k, v in kpi_pending(user=user, by=by, now=now).items() if any(v.values())}


def _assert_live_is_counted(users, now) -> None:
    for user in users:
        for by in BY:
            assert _live(user, by, now) == _by_hand(user, by, now), (getattr(user, "username", None), by, now)


def _times():
    """Now, and moments around the deadlines of the open cases: an hour counted from the cases (its
    deadlines that passed), the hours before and after it from the counters."""
    now = timezone.now()
    out = [now, now + timedelta(days=40)]
    for handle_due, sign_due in Case.objects.values_list("handle_due", "sign_due"):
        for due in (handle_due, sign_due):
            if due is not None:
                out += [due - timedelta(minutes=1), due, due + timedelta(minutes=1), due + timedelta(hours=3)]
    return out


def test_the_live_figures_equal_counting_the_cases_after_many_transitions(make_case, actors, world):
    resident = actors["resident"]
    new = lambda title: make_case(actor=resident, reporter_phone="13812345678", title=title)  # noqa: E731
    cases = [new(f"第{i}件") for i in range(6)]
    to_department = {"owner_kind": "department", "owner_department": world.department.pk}
    plans = [
        [("accept", "staff", {}), ("dispatch", "staff", {}), ("sign", "worker", {}), ("handle", "worker", {}),
         ("extend", "worker", {"reason": "等配件", "days": 3}), ("extend_approve", "staff", {}),
         ("park", "staff", {"reason": "等待资金"}), ("unpark", "staff", {}), ("report", "worker", {"reply": "已修复"}),
         ("verify", "staff", {}), ("rate", "resident", {"satisfaction": "unsatisfied", "solved": False})],
        [("accept", "staff", {}), ("dispatch", "staff", to_department)],
        [("accept", "staff", {}), ("dispatch", "staff", {}), ("sign", "worker", {}), ("handle", "worker", {}),
         ("report", "worker", {"reply": "已修复"}), ("verify", "staff", {}),
         ("rate", "resident", {"satisfaction": "satisfied", "solved": True}), ("close", "staff", {})],
        [("refuse", "staff", {"reason": "不属于社区事务"})],
        [("accept", "staff", {})],
        [],
    ]
    users = [None, actors["supervisor"], actors["staff"], actors["worker"]]
    for case, plan in zip(cases, plans, strict=True):
        for name, who, data in plan:
            case = case_transition(case=case, name=name, actor=actors[who], data=dict(data))
            assert state_counts_diff() == [], name
            _assert_live_is_counted([None], timezone.now())
    assert {c.status for c in Case.objects.all()} >= {"dispatched", "closed", "refused", "accepted", "reported"}
    for now in _times():
        _assert_live_is_counted(users, now)
        assert state_counts_diff(now) == []
    # The page's table carries them: the street supervisor's totals.
    later = timezone.now() + timedelta(days=40)
    [row] = kpi_table(user=actors["supervisor"], by="all", now=later)
    assert row["open_overdue"] == _by_hand(actors["supervisor"], "all", later)[None]["open_overdue"] == 4


def test_overdue_ticks_over_with_the_clock_and_survives_the_fold(make_case, actors):
    case = case_transition(case=make_case(actor=actors["resident"]), name="accept", actor=actors["staff"], data={})
    due = Case.objects.get(pk=case.pk).handle_due
    supervisor = actors["supervisor"]

    def overdue(now):
        return kpi_pending(user=supervisor, by="all", now=now).get(None, {}).get("open_overdue", 0)

    assert overdue(due - timedelta(minutes=1)) == 0
    assert overdue(due + timedelta(seconds=1)) == 1  # the deadline's hour: from the cases
    assert overdue(due + timedelta(hours=2)) == 1  # the hours before: from the counters
    # Ten days on, the deadline's hour is folded into the key's row of hours long past: the same figure,
    # one row per key whatever the hours.
    later = due + timedelta(days=10)
    assert due_counts_fold(now=later) == 1
    handle_rows = list(CaseStateCount.objects.filter(clock="handle").values_list("due_hour", "n"))
    assert handle_rows == [(0, 1)]
    assert overdue(later) == 1 and state_counts_diff(later) == []
    # A case that moves on after its hour was folded takes one back from its own (past) hour.
    case = case_transition(case=case, name="dispatch", actor=actors["staff"], data={})
    assert overdue(later) == 1 and state_counts_diff(later) == []
    for name, who, data in [("sign", "worker", {}), ("handle", "worker", {}), ("report", "worker", {"reply": "好"}),
                            ("verify", "staff", {}), ("rate", "resident", {"satisfaction": "satisfied", "solved": True}),
                            ("close", "staff", {})]:
        case = case_transition(case=case, name=name, actor=actors[who], data=data)
        assert overdue(later) == int(case.status != "closed"), name
    assert state_counts_diff(later) == []
    due_counts_fold(now=later)
    assert not CaseStateCount.objects.exclude(clock="").exists()  # nothing open, nothing left


def test_awaiting_signature_ends_when_the_sign_deadline_comes(make_case, actors):
    case = make_case(actor=actors["resident"])
    for name in ("accept", "dispatch"):
        case = case_transition(case=case, name=name, actor=actors["staff"], data={})
    sign_due = Case.objects.get(pk=case.pk).sign_due

    def awaiting(now):
        return kpi_pending(user=None, by="grid", now=now).get(case.grid_id, {}).get("awaiting_sign", 0)

    assert awaiting(sign_due - timedelta(hours=2)) == 1  # the hours after: from the counters
    assert awaiting(sign_due - timedelta(seconds=1)) == 1  # the deadline's hour: from the cases
    assert awaiting(sign_due + timedelta(seconds=1)) == 0
    assert awaiting(sign_due + timedelta(days=3)) == 0
    case_transition(case=case, name="sign", actor=actors["worker"], data={})
    assert awaiting(sign_due - timedelta(hours=2)) == 0


def test_a_moved_grid_takes_its_counters_to_its_new_community(make_case, actors, world, community_staff):
    from linli.places.actions import place_move

    case = case_transition(case=make_case(actor=actors["resident"]), name="accept", actor=actors["staff"], data={})
    later = Case.objects.get(pk=case.pk).handle_due + timedelta(days=2)
    assert kpi_pending(user=None, by="community", now=later) == {world.community.pk: {"open_overdue": 1,
                                                                                      "awaiting_sign": 0}}
    place_move(place=world.grid_a, new_parent=world.community_2, actor=None, code="330102001002-02")
    assert kpi_pending(user=None, by="community", now=later) == {world.community_2.pk: {"open_overdue": 1,
                                                                                        "awaiting_sign": 0}}
    # Scope follows the place: the first community's staff no longer see the case, the street still does.
    assert _live(community_staff, "all", later) == {} == _by_hand(community_staff, "all", later)
    assert _live(actors["supervisor"], "grid", later) == _by_hand(actors["supervisor"], "grid", later)
    assert state_counts_diff(later) == []
    call_command("kpi_recompute", stdout=io.StringIO())  # no difference: no CommandError
    # The case moves on in its new community (its first community's staff no longer see it).
    case_transition(case=case, name="dispatch", actor=None, data={})
    assert state_counts_diff(later) == []


def test_the_recompute_finds_and_repairs_a_wrong_deadline_counter(make_case, actors):
    case = case_transition(case=make_case(actor=actors["resident"]), name="accept", actor=actors["staff"], data={})
    later = Case.objects.get(pk=case.pk).handle_due + timedelta(days=2)
    CaseStateCount.objects.filter(clock="handle").update(n=7)
    assert kpi_pending(user=None, by="all", now=later)[None]["open_overdue"] == 7
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("kpi_recompute", stdout=out)
    assert "handle deadline hour=" in out.getvalue() and "stored 7, cases say 1" in out.getvalue()
    call_command("kpi_recompute", "--fix", stdout=io.StringIO())
    assert state_counts_diff() == []
    assert kpi_pending(user=None, by="all", now=later)[None]["open_overdue"] == 1


def test_a_transition_writes_its_counters_in_one_statement(make_case, actors):
    case = make_case(actor=actors["resident"])
    case = case_transition(case=case, name="accept", actor=actors["staff"], data={})
    with CaptureQueriesContext(connection) as ctx:
        case_transition(case=case, name="dispatch", actor=actors["staff"], data={})
    writes = [q["sql"] for q in ctx.captured_queries if "cases_casestatecount" in q["sql"]]
    assert len(writes) == 1, writes  # the state row and the deadline rows it leaves and enters


def test_upsert_add_adds_to_the_rows_there_and_creates_the_others_in_one_statement():
    """core.inserts.upsert_add, on the counters' table."""
    from linli.cases.open_counts import ROW
    from linli.core.inserts import UPSERT_BATCH, upsert_add

    def row(path: str, grid: int, n: int) -> tuple:
        return ("", path, "reported", 0, 0, 0, 0, "", 0, grid, n)  # the key (unique), then the grid, then n

    key, other = ROW[:9], ("grid_id",)
    upsert_add(CaseStateCount, key, other, "n", [row("/1/", 7, 2)])
    with CaptureQueriesContext(connection) as ctx:
        upsert_add(CaseStateCount, key, other, "n", [row("/1/", 9, -1), row("/2/", 8, 3)])
    assert len(ctx.captured_queries) == 1
    got = set(CaseStateCount.objects.values_list("place_path", "n", "grid_id"))
    assert got == {("/1/", 1, 7), ("/2/", 3, 8)}  # an existing row keeps what it was created with
    many = [row(f"/x{i}/", 0, 1) for i in range(UPSERT_BATCH * 2 + 1)]
    assert upsert_add(CaseStateCount, key, other, "n", many) == len(many)  # in batches within the parameters' limit
    assert CaseStateCount.objects.filter(place_path__startswith="/x").count() == len(many)
