"""The big screen's figures (linli/dashboards/screen.py, linli/cases/kpi_screen.py) on a small data set: the
same as the cases, alarms and devices counted directly, the same as the KPI table's rates, and in one read
per concern."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _month(at) -> int:
    local = timezone.localtime(at)
    return local.year * 100 + local.month


@pytest.fixture
def data(world, resident, community_staff, grid_worker_a, grid_worker_b):
    """Cases in every kind of state in grids A and B and in the other community, some reported two and
    thirteen months ago, one past its deadline; a gas leak's alarm (its case too) and a silent camera."""
    from linli.cases.actions import case_create, case_transition
    from linli.cases.defaults import categories_restore_default
    from linli.cases.kpi import kpi_fix
    from linli.cases.kpi_areas import kpi_area_fold
    from linli.cases.models import Case, CaseEvent, Category
    from linli.cases.open_counts import state_counts_rebuild
    from linli.iot.actions import device_register, readings_ingest, rules_default_ensure
    from linli.iot.actions.ingest import ReadingIn
    from linli.places.actions import place_create

    categories_restore_default()
    light, cover = Category.objects.get(code="MUNI.STREETLIGHT"), Category.objects.exclude(
        code="MUNI.STREETLIGHT").filter(parent__isnull=False, emergency_notice="").order_by("id").first()
    steps = {
        "reported": [],
        "accepted": [("accept", community_staff, {})],
        "dispatched": [("accept", community_staff, {}), ("dispatch", community_staff, {})],
        "signed": [("accept", community_staff, {}), ("dispatch", community_staff, {}), ("sign", None, {})],
        "refused": [("refuse", community_staff, {"reason": "不属于社区事务"})],
        "closed": [("accept", community_staff, {}), ("dispatch", community_staff, {}), ("sign", None, {}),
                   ("handle", None, {}), ("report", None, {"reply": "已修复"}), ("verify", community_staff, {}),
                   ("rate", resident, {"satisfaction": "satisfied", "solved": True}), ("close", community_staff, {})],
        "rated_unsolved": [("accept", community_staff, {}), ("dispatch", community_staff, {}), ("sign", None, {}),
                           ("handle", None, {}), ("report", None, {"reply": "已处理"}),
                           ("verify", community_staff, {}),
                           ("rate", resident, {"satisfaction": "unsatisfied", "solved": False})],
    }
    plan = [("reported", world.grid_a, light), ("reported", world.grid_b, cover), ("accepted", world.grid_a, cover),
            ("dispatched", world.grid_a, light), ("dispatched", world.grid_b, light), ("signed", world.grid_b, cover),
            ("refused", world.grid_a, light), ("closed", world.grid_a, light), ("closed", world.grid_b, cover),
            ("rated_unsolved", world.grid_a, light), ("reported", world.grid_c, light),
            ("reported", world.grid_c, cover)]
    cases = []
    for i, (state, grid, category) in enumerate(plan):
        case = case_create(actor=resident, category=category, title=f"问题{i}", description="小区门口的路灯坏了",
                           place=grid, channel="snapshot", reporter_phone="13812345678")
        for name, who, extra in steps[state]:
            worker = grid_worker_a if grid == world.grid_a else grid_worker_b
            case = case_transition(case=case, name=name, actor=who or worker, data=dict(extra))
        cases.append(case)
    # Two reported two months ago, one thirteen months ago (out of the trend); one past its deadline.
    now = timezone.now()
    for case, days in ((cases[1], 62), (cases[8], 62), (cases[0], 400)):
        Case.objects.filter(pk=case.pk).update(reported_at=now - timedelta(days=days))
        CaseEvent.objects.filter(case_id=case.pk).update(at=now - timedelta(days=days))
    Case.objects.filter(pk=cases[2].pk).update(handle_due=now - timedelta(days=40))
    kpi_fix()  # the rollups (and the street rows) as the moved events say
    state_counts_rebuild()
    rules_default_ensure()
    building = place_create(kind="building", name="大屏1幢", parent=place_create(kind="compound", name="大屏小区",
                                                                              parent=world.grid_a))
    gas, _token = device_register(actor=None, code="SCR-GAS", kind="gas", name="大屏燃气", place=building,
                                  lon=120.17, lat=30.26)
    device_register(actor=None, code="SCR-CAM", kind="camera", name="大屏摄像头", place=building)
    readings_ingest([ReadingIn(gas.pk, 30, "%LEL", now - timedelta(seconds=40)), ReadingIn(gas.pk, 35, "%LEL", now)])
    kpi_area_fold()  # the alarm's case into the street rows (the minute's fold a street's screen waits for)
    return world


def _direct(path: str, now) -> dict:
    """The screen's figures counted straight from the cases, alarms and devices."""
    from linli.cases.models import HANDLE_DUE_STATUSES, Case
    from linli.cases.workflow import OPEN_STATUSES
    from linli.iot.models import Alarm, Device

    cases = Case.objects.filter(place_path__startswith=path)
    open_ = cases.filter(status__in=sorted(OPEN_STATUSES))
    month = _month(now)
    reported = Counter(_month(at) for at in cases.values_list("reported_at", flat=True))
    this_year = Counter(name for at, name in cases.values_list("reported_at", "category__name")
                        if _month(at) // 100 == month // 100)
    alarms = Alarm.objects.filter(place_path__startswith=path, status__in=["raised", "acknowledged"])
    devices = Device.objects.filter(place_path__startswith=path, active=True)
    return {
        "open": open_.count(),
        "by_status": dict(Counter(open_.values_list("status", flat=True))),
        "overdue": open_.filter(status__in=HANDLE_DUE_STATUSES, handle_due__lt=now).count(),
        "month_reported": reported[month],
        "month_closed": cases.filter(status="closed").filter(
            pk__in=[pk for pk, at in cases.values_list("pk", "reported_at") if _month(at) == month]).count(),
        "reported_by_month": reported,
        "categories": dict(this_year),
        "alarms": (alarms.filter(status="raised").count(), alarms.filter(status="acknowledged").count(),
                   alarms.filter(emergency=True).count()),
        "devices": {k: devices.filter(kind=k).count() for k in devices.values_list("kind", flat=True)},
    }


@pytest.mark.parametrize("who", ["street_supervisor", "community_staff"])
def test_the_screen_figures_are_the_cases_counted_directly(data, who, request):
    from linli.dashboards.screen import month_add, screen_figures

    user = request.getfixturevalue(who)
    user.refresh_from_db()
    place = data.street if who == "street_supervisor" else data.community
    now = timezone.now()
    got = screen_figures(user, place, now=now)
    want = _direct(place.path, now)
    assert got["cases"]["open"] == want["open"] > 0
    assert {r["status"]: r["n"] for r in got["cases"]["by_status"]} == want["by_status"]
    assert got["cases"]["overdue"] == want["overdue"] >= 1
    assert got["cases"]["month_reported"] == want["month_reported"] > 0
    assert got["cases"]["month_closed"] == want["month_closed"]
    month = _month(now)
    months = [month_add(month, i - 11) for i in range(12)]
    assert got["trend"]["reported"] == [want["reported_by_month"][m] for m in months]
    assert sum(got["trend"]["reported"]) < sum(want["reported_by_month"].values())  # the one of 13 months ago
    assert {c["name"]: c["n"] for c in got["categories"]} == want["categories"]
    assert [c["n"] for c in got["categories"]] == sorted((c["n"] for c in got["categories"]), reverse=True)
    alarms = got["alarms"]
    assert (alarms["raised"], alarms["acknowledged"], alarms["emergency"]) == want["alarms"] == (1, 0, 1)
    assert [a["device"] for a in alarms["recent"]] == ["大屏燃气"]
    assert {k: v["n"] for k, v in got["devices"].items()} == want["devices"] == {"gas": 1, "camera": 1}
    assert got["devices"]["gas"]["online"] == 1 and got["devices"]["camera"]["online"] == 0
    assert got["devices_total"] == 2


@pytest.mark.parametrize("who", ["street_supervisor", "community_staff"])
def test_the_screen_rates_are_the_kpi_tables(data, who, request):
    """The trend's rates and this year's categories as ``kpi_table`` gives them (what the screen read before)."""
    from linli.cases.kpi import kpi_table
    from linli.dashboards.screen import RATE_NAMES, _pct, month_add, screen_figures

    user = request.getfixturevalue(who)
    user.refresh_from_db()
    place = data.street if who == "street_supervisor" else data.community
    now = timezone.now()
    month = _month(now)
    got = screen_figures(user, place, now=now)
    table = {r["key"]: r for r in kpi_table(user=user, by="month", month_from=month_add(month, -11), month_to=month,
                                           place_path=place.path, now=now, pending=("awaiting_sign",), lag_ok=True)}
    months = [month_add(month, i - 11) for i in range(12)]
    for name in RATE_NAMES:
        assert got["trend"][name] == [_pct(table.get(m, {}).get(name)) for m in months], name
        assert got["rates"][name] == _pct(table.get(month, {}).get(name))
    assert any(v is not None for v in got["trend"]["satisfaction_rate"])
    assert got["rates"]["response_rate"] is not None  # this month's dispatches, two still awaiting their sign
    categories = kpi_table(user=user, by="category", month_from=month_add(month, -(month % 100) + 1), month_to=month,
                           place_path=place.path, now=now, pending=(), lag_ok=True)
    top = sorted((r for r in categories if r["reported"]), key=lambda r: -r["reported"])[:8]
    assert got["categories"] == [{"name": r["label"], "n": r["reported"]} for r in top]


def _one_of_each(world) -> None:
    """A visit, 5 points and a dispute in grid A now (rows as the apps' actions leave them)."""
    from linli.care.models import Visit
    from linli.mediation.models import Dispute
    from linli.points.models import PointsEntry
    from linli.residents.actions import person_create

    from .conftest import id_for

    now = timezone.now()
    person = person_create(actor=None, name="刘阿姨", place=world.grid_a, id_number=id_for(70, male=False))
    Visit.objects.create(person=person, place_path=world.grid_a.path, visitor_name="网格员", visited_at=now,
                         found="unwell")
    PointsEntry.objects.create(person=person, amount=5, kind="award", source="screen-test", place_path=world.grid_a.path,
                               at=now)
    Dispute.objects.create(number="2026-99999", title="噪音", kind="neighbour", facts="楼上装修", place=world.grid_a,
                           place_path=world.grid_a.path, grid=world.grid_a, community=world.community, reported_at=now)


def test_three_statements(data, street_supervisor, django_assert_num_queries):
    """Three reads of the cases in two statements (the rollups by month and category with the assignments
    awaiting their sign; the open cases' counters with this month's passed deadlines), and one statement for
    the rest: the devices, the open alarms, volunteers, points, the door-knocking visits and the disputes,
    each app's read sent together (9 before; 11 before that)."""
    from linli.dashboards.screen import screen_figures

    street_supervisor.refresh_from_db()
    screen_figures(street_supervisor, data.street)
    with django_assert_num_queries(3):
        screen_figures(street_supervisor, data.street)


def test_the_figures_sent_together_are_each_apps_own(data, street_supervisor, community_staff):
    """What the screen shows of volunteers, points, visits and disputes is what each app's selector gives
    alone (the monthly report reads them so), with a visit, 5 points and a dispute in grid A this month."""
    from linli.care.selectors import visit_stats
    from linli.dashboards.screen import month_start, screen_figures, this_month
    from linli.mediation.selectors import dispute_stats
    from linli.points.selectors import points_stats
    from linli.volunteers.selectors import volunteer_stats

    _one_of_each(data)
    now = timezone.now()
    since, until = month_start(this_month(now)), month_start(this_month(now + timedelta(days=31)))
    for user, place in ((street_supervisor, data.street), (community_staff, data.community)):
        user.refresh_from_db()
        got = screen_figures(user, place, now=now)
        alone = {name: stats(place_path=place.path, since=since, until=until) for name, stats in (
            ("volunteers", volunteer_stats), ("points", points_stats), ("visits", visit_stats),
            ("disputes", dispute_stats))}
        assert {name: got[name] for name in alone} == alone
        assert got["visits"]["visits"] == 1 and got["disputes"]["received"] == 1 and got["points"]["points"] == 5


def test_a_reader_without_cases_view_or_outside_gets_no_case_figures(data, grid_worker_b):
    from linli.dashboards.screen import screen_figures

    grid_worker_b.refresh_from_db()
    got = screen_figures(grid_worker_b, data.community)  # grid B's worker: the community is not in scope
    assert got["cases"]["open"] == 0 and got["cases"]["month_reported"] == 0 and got["categories"] == []
    assert got["alarms"]["raised"] == 0 and got["devices"] == {}


def test_the_endpoint_serves_the_same_figures(data, community_staff, settings):
    from django.test import Client

    settings.LINLI_SCREEN_CACHE_SECONDS = 0
    c = Client()
    assert c.login(username=community_staff.username, password=PASSWORD)
    body = c.get(f"/dashboards/screen/{data.community.pk}/data.json").json()
    assert body["cases"]["open"] == _direct(data.community.path, timezone.now())["open"]
