"""The one map and the big screens: scoped (404 outside, 403 without the permission), their layers and
figures come from the owning apps' selectors, and what the ingest raises shows on both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def leak(world, community_staff, grid_worker_a):
    """A gas detector in grid A whose leak has raised an alarm (and opened a case)."""
    from linli.iot.actions import device_register, readings_ingest, rules_default_ensure
    from linli.iot.actions.ingest import ReadingIn
    from linli.places.actions import place_create

    rules_default_ensure()
    compound = place_create(kind="compound", name="地图小区", parent=world.grid_a)
    building = place_create(kind="building", name="地图1幢", parent=compound)
    device, _token = device_register(actor=None, code="MAP-GAS", kind="gas", name="地图燃气", place=building,
                                     lon=120.17, lat=30.26)
    now = timezone.now()
    readings_ingest([ReadingIn(device.pk, 30, "%LEL", now - timedelta(seconds=40)), ReadingIn(device.pk, 35, "%LEL", now)])
    return device


def test_the_map_shows_the_alarm_the_device_and_the_case(leak, world, community_staff):
    c = _client(community_staff)
    assert c.get("/dashboards/map/").status_code == 302
    page = c.get(f"/dashboards/map/{world.community.pk}/")
    assert page.status_code == 200 and 'id="one-map-data"' in page.content.decode()
    live = c.get(f"/dashboards/map/{world.community.pk}/layers.json").json()
    assert [f["properties"]["code"] for f in live["alarms"]["features"]] == ["MAP-GAS"]
    assert [f["properties"]["code"] for f in live["devices"]["features"]] == ["MAP-GAS"]
    assert live["devices"]["features"][0]["properties"]["alarm"] is True
    assert len(live["cases"]["features"]) == 1  # the alarm's case, at the device's point
    assert live["cases"]["features"][0]["geometry"]["coordinates"] == [120.17, 30.26]


def test_the_map_is_scoped(leak, world, grid_worker_b, outsider, resident, grid_worker_a):
    assert _client(outsider).get(f"/dashboards/map/{world.community.pk}/").status_code == 404
    worker_b = _client(grid_worker_b)
    assert worker_b.get(f"/dashboards/map/{world.community.pk}/").status_code == 404
    assert worker_b.get(f"/dashboards/map/{world.grid_a.pk}/layers.json").status_code == 404
    own = worker_b.get(f"/dashboards/map/{world.grid_b.pk}/layers.json").json()
    assert own["alarms"]["features"] == [] and own["devices"]["features"] == []
    assert _client(resident).get("/dashboards/map/").status_code == 403
    assert _client(grid_worker_a).get(f"/dashboards/map/{world.grid_a.pk}/").status_code == 200


def test_the_map_gives_each_facility_its_walking_rings_in_metres(world, community_staff, street_supervisor):
    """The facilities of the 15-minute circles under the map's place, with the rings' radii in metres for 5,
    10 and 15 minutes' walk at an elderly person's 80 m a minute (the map draws them: test_browser.py)."""
    from linli.iot.actions import facility_create

    facility_create(actor=None, kind="canteen", name="幸福食堂", place=world.grid_a, lon=120.162, lat=30.252)
    facility_create(actor=None, kind="school", name="二社区小学", place=world.grid_c, lon=120.18, lat=30.27)
    data = _client(community_staff).get(f"/dashboards/map/{world.community.pk}/").context["map_data"]
    assert data["ringMinutes"] == [5, 10, 15] and data["rings"] == [400, 800, 1200]
    assert [(f["properties"]["name"], f["properties"]["kind"], f["geometry"]["coordinates"])
            for f in data["facilities"]["features"]] == [("幸福食堂", "canteen", [120.162, 30.252])]
    street = _client(street_supervisor).get(f"/dashboards/map/{world.street.pk}/").context["map_data"]
    assert sorted(f["properties"]["name"] for f in street["facilities"]["features"]) == ["二社区小学", "幸福食堂"]


def test_the_big_screen_counts_the_alarm_and_the_open_case(leak, world, community_staff, street_supervisor,
                                                         django_assert_max_num_queries):
    c = _client(community_staff)
    assert c.get("/dashboards/screen/").status_code == 302
    assert c.get(f"/dashboards/screen/{world.community.pk}/").status_code == 200
    c.get(f"/dashboards/screen/{world.community.pk}/data.json")
    with django_assert_max_num_queries(30):
        data = c.get(f"/dashboards/screen/{world.community.pk}/data.json").json()
    assert data["alarms"]["raised"] == 1 and data["alarms"]["emergency"] == 1
    assert [a["name"] for a in data["alarms"]["recent"]] == ["燃气浓度超限"]
    assert data["cases"]["open"] == 1 and data["cases"]["month_reported"] == 1
    assert {r["status"] for r in data["cases"]["by_status"]} == {"dispatched"}
    assert data["categories"] == [{"name": "燃气泄漏", "n": 1}]
    assert data["devices"]["gas"]["n"] == 1
    assert len(data["trend"]["months"]) == 12
    street = _client(street_supervisor).get(f"/dashboards/screen/{world.street.pk}/data.json").json()
    assert street["cases"]["open"] == 1 and street["alarms"]["raised"] == 1


def test_the_big_screen_is_scoped(leak, world, outsider, grid_worker_a):
    assert _client(outsider).get(f"/dashboards/screen/{world.community.pk}/").status_code == 404
    assert _client(outsider).get(f"/dashboards/screen/{world.community.pk}/data.json").status_code == 404
    assert _client(grid_worker_a).get(f"/dashboards/screen/{world.community.pk}/").status_code == 403


def test_monthly_report_excel_and_pdf_kept_and_downloadable(leak, world, community_staff, outsider):
    import io

    from openpyxl import load_workbook

    from linli.dashboards.actions import reports_generate_month
    from linli.dashboards.models import MonthlyReport
    from linli.dashboards.screen import this_month

    month = this_month()
    c = _client(community_staff)
    r = c.post(f"/dashboards/reports/place/{world.community.pk}/generate", {"month": f"{month // 100}-{month % 100:02d}"})
    assert r.status_code == 302
    report = MonthlyReport.objects.get(place=world.community, month=month)
    assert report.summary == {"reported": 1, "closed": 0, "alarms": 1}
    wb = load_workbook(io.BytesIO(bytes(report.xlsx)), read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "燃气浓度超限" in cells and "MAP-GAS 地图燃气" in cells and world.grid_a.name in cells
    pdf = c.get(f"/dashboards/reports/{report.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/dashboards/reports/{report.pk}.xlsx").status_code == 200
    assert "data-testid=\"pdf\"" in c.get("/dashboards/reports/").content.decode()
    assert _client(outsider).get(f"/dashboards/reports/{report.pk}.pdf").status_code == 404
    assert _client(outsider).post(f"/dashboards/reports/place/{world.community.pk}/generate",
                                  {"month": "2026-01"}).status_code == 404
    # a future month is refused and changes nothing
    c.post(f"/dashboards/reports/place/{world.community.pk}/generate", {"month": "2099-01"})
    assert MonthlyReport.objects.count() == 1
    # the periodic task makes every street's and community's report once
    made = reports_generate_month(month)
    assert made == 2  # the street and the second community; the first one is there already
    assert reports_generate_month(month) == 0
