"""KPI rollups: formulas against hand-computed fixtures, merge counted once, recompute = rollups."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linli.cases.actions import case_transition
from linli.cases.kpi import kpi_diff, kpi_table
from linli.cases.models import KpiRollup

pytestmark = pytest.mark.django_db


def _run(case, steps, actors):
    for name, who, data in steps:
        case = case_transition(case=case, name=name, actor=actors[who], data=dict(data))
    return case


TO_REPORT = [
    ("accept", "staff", {}),
    ("dispatch", "staff", {}),
    ("sign", "worker", {}),
    ("handle", "worker", {}),
    ("report", "worker", {"reply": "已修复"}),
]
FINISH = [
    ("verify", "staff", {}),
    ("rate", "resident", {"satisfaction": "satisfied", "solved": True}),
    ("close", "staff", {}),
]


@pytest.fixture
def fixture_cases(make_case, actors):
    """Five cases with known outcomes:
    c1 closed (satisfied, solved); c2 refused; c3 merged into c4; c4 only reported;
    c5 sent back for rework once, then rated basically satisfied but not solved (reopened)."""
    new = lambda title: make_case(actor=actors["resident"], reporter_phone="13812345678", title=title)  # noqa: E731
    c1 = _run(new("一"), TO_REPORT + FINISH, actors)
    c2 = _run(new("二"), [("refuse", "staff", {"reason": "不属于社区事务"})], actors)
    c4 = new("四")
    c3 = _run(new("三"), [("merge", "staff", {"target": c4.pk})], actors)
    c5 = _run(
        new("五"),
        TO_REPORT + [("rework", "staff", {"reason": "没修好"}), ("report", "worker", {"reply": "再修"}),
                     ("verify", "staff", {}), ("rate", "resident", {"satisfaction": "basically", "solved": False})],
        actors,
    )
    return c1, c2, c3, c4, c5


def test_kpi_counters_and_rates_match_hand_computed_fixture(fixture_cases):
    c1, c2, c3, c4, c5 = fixture_cases
    assert c5.status == "dispatched"  # not solved: reopened
    [row] = kpi_table(user=None, by="all")
    assert (row["reported"], row["refused"], row["merged"], row["valid"]) == (5, 1, 1, 3)
    assert (row["dispatched"], row["signed"], row["signed_ontime"], row["reopened"]) == (2, 2, 2, 1)
    assert (row["reported_back"], row["reworked"], row["verified"]) == (3, 1, 2)
    assert (row["rated"], row["satisfied"], row["solved"], row["closed"]) == (2, 2, 1, 1)
    # c5 was reopened a moment ago: its sign deadline has not come, so it is not yet due to be signed.
    assert (row["awaiting_sign"], row["sign_due"]) == (1, 2)
    assert row["response_rate"] == 1.0  # signed on time / assignments whose sign deadline has come
    assert row["solved_rate"] == 0.5  # solved / rated
    assert row["satisfaction_rate"] == 1.0  # (satisfied + basically) / rated
    # Due (应结案): c1 closed; c4 and c5 are open within their handling deadline.
    assert (row["open_overdue"], row["due"]) == (0, 1)
    assert row["close_rate"] == 1.0  # closed / due
    assert row["ontime_close_rate"] == 1.0  # closed on time / due
    assert row["rework_rate"] == 1.0  # reworks / due
    assert row["extension_rate"] == 0.0
    assert row["mean_sign_hours"] is not None and row["mean_sign_hours"] < 0.01


def test_kpi_merged_case_counts_once(make_case, actors):
    target = make_case(actor=actors["resident"], title="噪声")
    for _ in range(2):
        dup = make_case(actor=actors["resident"], title="噪声又来了")
        case_transition(case=dup, name="merge", actor=actors["staff"], data={"target": target.pk})
    [row] = kpi_table(user=None, by="all")
    assert row["reported"] == 3
    assert row["valid"] == 1
    assert row["due"] == 0 and row["close_rate"] is None  # nothing due yet: "—", not 0 %


def test_kpi_reopen_after_close_takes_the_close_back(make_case, actors):
    case = _run(make_case(actor=actors["resident"]), TO_REPORT + FINISH, actors)
    assert case.status == "closed"
    case = case_transition(case=case, name="reopen", actor=actors["resident"], data={"reason": "又坏了"})
    [row] = kpi_table(user=None, by="all")
    assert (row["closed"], row["closed_ontime"], row["close_seconds"], row["reopened"]) == (0, 0, 0, 1)
    _run(case, [("sign", "worker", {}), ("handle", "worker", {}), ("report", "worker", {"reply": "好了"})] + FINISH,
         actors)
    [row] = kpi_table(user=None, by="all")
    assert (row["closed"], row["rated"], row["close_rate"]) == (1, 2, 1.0)


def test_kpi_recompute_equals_rollups(fixture_cases):
    assert KpiRollup.objects.exists()
    assert kpi_diff() == []
    call_command("kpi_recompute")  # no difference: no error


def test_kpi_recompute_detects_tampered_rollup(fixture_cases):
    row = KpiRollup.objects.order_by("id").first()
    KpiRollup.objects.filter(pk=row.pk).update(closed=row.closed + 7)
    diffs = kpi_diff()
    assert [(d.field, d.stored - d.recomputed) for d in diffs] == [("closed", 7)]
    with pytest.raises(CommandError):
        call_command("kpi_recompute")
    call_command("kpi_recompute", "--fix")
    assert kpi_diff() == []


def test_kpi_table_by_grid_only_shows_the_users_places(fixture_cases, world, grid_worker_b, street_supervisor):
    rows = kpi_table(user=street_supervisor, by="grid")
    assert [(r["key"], r["reported"]) for r in rows] == [(world.grid_a.pk, 5)]
    assert rows[0]["label"] == world.grid_a.name
    assert kpi_table(user=grid_worker_b, by="grid") == []


def test_kpi_table_by_department_counts_the_owner(make_case, actors, world):
    case = make_case(actor=actors["resident"])
    _run(case, [("accept", "staff", {}),
                ("dispatch", "staff", {"owner_kind": "department", "owner_department": world.department.pk})], actors)
    rows = {r["key"]: r for r in kpi_table(user=None, by="department")}
    assert rows[0]["reported"] == 1 and rows[0]["dispatched"] == 0
    assert rows[world.department.pk]["dispatched"] == 1
    assert kpi_diff() == []


def test_kpi_page_and_excel_export_for_staff(client, fixture_cases, community_staff, resident, world):
    from openpyxl import load_workbook

    from linli.core.testing.personas import PASSWORD

    client.login(username=resident.username, password=PASSWORD)
    assert client.get("/cases/kpi/").status_code == 403
    client.login(username=community_staff.username, password=PASSWORD)
    page = client.get("/cases/kpi/", {"by": "grid"})
    assert page.status_code == 200
    html = page.content.decode()
    assert world.grid_a.name in html and "50.00%" in html  # solved rate 1/2
    assert world.grid_b.name in html  # every grid of the scope, with cases or not
    assert "closed ÷ cases due" in html or "结案数" in html  # the formulas are on the page
    export = client.get("/cases/kpi/export.xlsx")
    assert export.status_code == 200
    wb = load_workbook(io.BytesIO(export.content))
    [rows] = [list(ws.iter_rows(values_only=True)) for ws in wb.worksheets if ws.title in ("网格", "Grid")]
    by_grid = {r[0]: r for r in rows[1:]}
    assert by_grid[world.grid_a.name][1:3] == (5, 3)  # received, counted
    assert by_grid[world.grid_b.name][1] == 0


def test_kpi_breaks_down_by_compound_kind(make_case, actors, world):
    from linli.places.actions import place_create

    compound = place_create(kind="compound", name="出租房小区", parent=world.grid_a, compound_kind="rented")
    building = place_create(kind="building", name="1栋", parent=compound)
    in_compound = make_case(actor=actors["resident"], place=building)
    assert in_compound.compound_kind == "rented"
    make_case(actor=actors["resident"])  # on the grid, in no compound
    rows = {r["key"]: r for r in kpi_table(user=None, by="compound_kind")}
    assert rows["rented"]["reported"] == 1 and rows[""]["reported"] == 1
    assert rows["rented"]["label"] in ("Rented housing", "出租房小区", "出租房")
    assert kpi_diff() == []
