"""Street and district KPI rollups (issue 18): kept by an insert per event and a fold, equal to the grid
rows summed, what a city-wide page reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.cases.actions import case_create, case_transition
from linli.cases.kpi import kpi_diff, kpi_fix, kpi_table
from linli.cases.kpi_areas import area_rows, kpi_area_fold
from linli.cases.models import KpiAreaDelta, KpiAreaRollup
from linli.core.testing.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_cases(city, categories):
    """Three cases in district A (two closed), one in district B; and the staff to move them."""
    staff_a = make_user("staff_ca", "community_staff", place=city.grid_a.parent)
    staff_b = make_user("staff_cb", "community_staff", place=city.grid_b.parent)
    out = []
    for grid, staff, close in ((city.grid_a, staff_a, True), (city.grid_a, staff_a, True),
                               (city.grid_a, staff_a, False), (city.grid_b, staff_b, False)):
        case = case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="灯", place=grid)
        if close:
            case = case_transition(case=case, name="refuse", actor=staff, data={"reason": "重复"})
        out.append(case)
    return out


def test_an_event_appends_a_delta_instead_of_updating_a_district_row(city_cases):
    assert KpiAreaDelta.objects.count() == 6  # 4 reported + 2 refused
    assert not KpiAreaRollup.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="灯", place=city_cases[3].grid)
    area_writes = [q["sql"] for q in queries if "cases_kpiarea" in q["sql"]]
    assert len(area_writes) == 1 and area_writes[0].startswith("INSERT")


def test_the_fold_sums_streets_and_districts(city, city_cases):
    assert kpi_area_fold() == 6
    assert not KpiAreaDelta.objects.exists()
    rows = {(r.level, r.area_path): (r.reported, r.refused) for r in KpiAreaRollup.objects.all()}
    assert rows == {
        ("district", city.district_a.path): (3, 2), ("street", city.street_a.path): (3, 2),
        ("district", city.district_b.path): (1, 0), ("street", city.street_b.path): (1, 0),
    }
    assert kpi_area_fold() == 0  # nothing twice


def test_recompute_checks_the_area_rows_and_fix_rebuilds_them(city, city_cases):
    assert kpi_diff() == []  # folds first, then compares with the grid rows summed
    KpiAreaRollup.objects.filter(level="district", area_path=city.district_a.path).update(reported=99)
    diffs = kpi_diff()
    assert [(d.key[0], d.field, d.stored, d.recomputed) for d in diffs] == [("district", "reported", 99, 3)]
    kpi_fix()
    assert kpi_diff() == []


def test_a_city_supervisor_reads_the_district_rows(city, city_cases):
    boss = make_user("boss", "city_supervisor", place=city.city)
    kpi_area_fold()
    assert area_rows(user=boss, by="month") is not None
    table = {r["label"]: (r["reported"], r["refused"]) for r in kpi_table(user=boss, by="district")}
    assert table == {"甲区": (3, 2), "乙区": (1, 0)}
    [total] = kpi_table(user=boss, by="all")
    assert (total["reported"], total["refused"]) == (4, 2)
    streets = {r["label"]: r["reported"] for r in kpi_table(user=boss, by="street", place_path=city.district_a.path)}
    assert streets == {"甲街道": 3}
    # A district supervisor sees only their district's rows.
    chief_b = make_user("chief_b", "district_supervisor", place=city.district_b)
    [total_b] = kpi_table(user=chief_b, by="all")
    assert total_b["reported"] == 1


def test_a_street_supervisor_keeps_the_live_grid_rows(city, city_cases):
    sup = make_user("sup_a", "street_supervisor", place=city.street_a)
    assert area_rows(user=sup, by="month") is None
    [total] = kpi_table(user=sup, by="all")  # no fold needed: the grid rows are live
    assert total["reported"] == 3


def test_the_kpi_page_of_a_city_ranks_districts(client, city, city_cases):
    from linli.core.testing.personas import PASSWORD

    make_user("boss2", "city_supervisor", place=city.city)
    kpi_area_fold()
    assert client.login(username="boss2", password=PASSWORD)
    page = client.get("/cases/kpi/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲区" in html and "乙区" in html
