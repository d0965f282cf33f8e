"""Issue 16's "done when", tried as a new user would, in Chinese: the demo street (``linli demo``, small),
the simulator's gas leak (the readings ``linli iot-simulate`` publishes, fed to the same ingest the MQTT
command calls) appears on the one map (live, without a reload) and on the big screen (1366x768); the grid
worker (390x844) finds the case in their list, signs it, handles it and reports back; once the readings are
normal again the worker clears the alarm, which closes, and the case says so.

The rules and facilities pages of the community staff are walked at both sizes too.

Screenshots: /work/notes/screens/i16_*.png (when the directory exists).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
PHONE_OPTIONS = {"viewport": PHONE, "bypass_csp": True, "is_mobile": True, "has_touch": True}
LAPTOP = {"width": 1366, "height": 768}
DEMO_PASSWORD = "Linli-demo-2026"


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"i16_{name}.png"), full_page=True)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _leak(device, *, start, seconds: int = 60, step: int = 10):
    """The simulator's leak (``iot_simulate``: 25 %LEL rising by 1 every 6 s), as the ingest receives it."""
    from linli.iot.actions.ingest import ReadingIn

    return [ReadingIn(device.pk, min(45.0, 25.0 + s / 6), "%LEL", start + timedelta(seconds=s))
            for s in range(0, seconds + 1, step)]


@pytest.fixture
def demo16(settings):
    from django.core.cache import cache

    from linli.accounts.demo import demo_build

    settings.LINLI_DEMO_SIZE = "small"
    settings.LINLI_SCREEN_CACHE_SECONDS = 0
    cache.clear()
    return demo_build()


@pytest.mark.django_db(transaction=True)
def test_issue16_gas_leak_from_map_to_cleared_alarm(new_page, live_server, demo16):
    from django.utils import timezone

    from linli.cases.models import Case
    from linli.iot.actions import readings_ingest
    from linli.iot.actions.ingest import ReadingIn
    from linli.iot.models import Alarm, Device

    base = live_server.url
    community, grid = demo16.communities[0], demo16.grids[0]
    leak = Device.objects.filter(kind="gas", active=True, place_path__startswith=grid.path).order_by("code").first()
    assert leak is not None and not Alarm.objects.filter(status__in=["raised", "acknowledged"]).exists()

    # The street supervisor watches the community's one map at 1366x768 before the leak.
    watcher = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(watcher, base, "street", DEMO_PASSWORD)
    watcher.goto(f"{base}/dashboards/map/{community.pk}/")
    watcher.wait_for_load_state("networkidle")
    assert watcher.get_attribute("[data-testid=one-map]", "data-alarms") == "0"

    # The leak: readings above 20 %LEL for longer than the rule's 30 s raise one alarm and open one case. The
    # demo's device reported just now, so the leak's minute of readings is stamped from now on (the ingest
    # accepts up to 5 minutes ahead), as the simulator would send them over the next minute.
    start = timezone.now() + timedelta(seconds=1)
    result = readings_ingest(_leak(leak, start=start))
    assert len(result.raised) == 1
    alarm = Alarm.objects.get(pk=result.raised[0])
    assert alarm.case_id is not None and alarm.emergency
    case = Case.objects.get(pk=alarm.case_id)
    assert case.channel == "sensor" and case.owner_user_id == demo16.users["grid1"].pk

    # The map shows it without a reload (its live layers refresh every 15 s).
    watcher.wait_for_selector("[data-testid=one-map][data-alarms='1']", timeout=40_000)
    assert watcher.locator("[data-testid=map-alarm]").count() == 1
    _fits(watcher, LAPTOP["width"])
    _shot(watcher, "01_map_leak_1366")
    assert not watcher.errors, watcher.errors

    # The big screen of the community lists it.
    watcher.goto(f"{base}/dashboards/screen/{community.pk}/")
    watcher.wait_for_load_state("networkidle")
    watcher.wait_for_selector("[data-testid=screen-alarm-list] li", timeout=20_000)
    assert "燃气浓度超限" in watcher.inner_text("[data-testid=screen-alarm-list]")
    assert watcher.inner_text("[data-testid=screen-alarms]").strip() == "1"
    watcher.locator("[data-testid=map-alarm]").first.wait_for(timeout=20_000)
    _shot(watcher, "02_screen_leak_1366")
    assert not watcher.errors, watcher.errors

    # The grid worker, on the phone: the case is in their list; sign, handle, report back.
    worker = new_page(**PHONE_OPTIONS)
    log_in(worker, base, "grid1", DEMO_PASSWORD)
    worker.goto(f"{base}/cases/worklist")
    row = worker.locator(f"[data-case='{case.number}']")
    assert "燃气" in row.inner_text()
    _fits(worker, PHONE["width"])
    _shot(worker, "03_worker_list_phone")
    row.locator("a").first.click()
    worker.wait_for_load_state("networkidle")
    for name, fields in (("sign", {}), ("handle", {"note": "已到场，关闭燃气总阀，开窗通风"}),
                         ("report", {"reply": "燃气软管老化已更换，浓度恢复正常。"})):
        worker.click(f"[data-action={name}]")
        form = worker.locator(f"[data-testid=form-{name}].show")
        form.wait_for(state="visible")
        for field, value in fields.items():
            form.locator(f"[name={field}]").fill(value)
        with worker.expect_navigation(timeout=15_000):
            form.locator(f"[data-testid=submit-{name}]").click()
        assert "已完成" in worker.inner_text("main"), worker.inner_text("main")[:400]
    assert worker.inner_text("[data-testid=case-status]").strip() == "已反馈"
    _shot(worker, "04_worker_case_reported_phone")

    # While the gas is still high the alarm offers no "clear"; the readings fall back, then it does.
    worker.goto(f"{base}/iot/alarms/{alarm.pk}/")
    assert worker.locator("[data-testid=do-clear]").count() == 0
    after = start + timedelta(seconds=70)
    readings_ingest([ReadingIn(leak.pk, 1.2, "%LEL", after), ReadingIn(leak.pk, 1.1, "%LEL", after + timedelta(seconds=10))])
    worker.reload()
    worker.fill("[data-testid=form-clear] [name=note]", "软管已更换，复测正常")
    with worker.expect_navigation():
        worker.click("[data-testid=do-clear]")
    alarm.refresh_from_db()
    assert alarm.status == "cleared" and alarm.cleared_by_id == demo16.users["grid1"].pk
    assert worker.inner_text("[data-testid=alarm-status]").strip() == "已解除"
    _fits(worker, PHONE["width"])
    _shot(worker, "05_alarm_cleared_phone")
    assert any("软管已更换" in (note or "") for note in case.events.values_list("note", flat=True))  # written to the case

    # The map has nothing live any more.
    watcher.goto(f"{base}/dashboards/map/{community.pk}/")
    watcher.wait_for_load_state("networkidle")
    assert watcher.get_attribute("[data-testid=one-map]", "data-alarms") == "0"
    assert not worker.errors and not watcher.errors, (worker.errors, watcher.errors)

    # One demo per module (a second build after the flush would miss the migrations' data): the pages of
    # the community staff are walked here too.
    _rules_and_facilities_pages(new_page, base, community)


def _rules_and_facilities_pages(new_page, base, community):
    """The community staff's rules and facilities pages at both sizes: a bad duration answered in Chinese,
    a rule saved and disabled, a facility added."""
    from linli.iot.models import AlarmRule, Facility

    for size, options in (("phone", PHONE_OPTIONS), ("1366", {"viewport": LAPTOP, "bypass_csp": True})):
        page = new_page(**options)
        width = options["viewport"]["width"]
        log_in(page, base, "community", DEMO_PASSWORD)
        page.goto(f"{base}/iot/rules/")
        assert "告警规则" in page.inner_text("h1") and "燃气浓度超限" in page.inner_text("main")
        _fits(page, width)
        _shot(page, f"10_rules_{size}")
        page.goto(f"{base}/iot/rules/new/")
        page.fill("#id_name", f"本社区燃气更严{size}")
        page.select_option("#id_kind", "threshold")
        page.select_option("#id_device_kind", "gas")
        page.select_option("#id_place", str(community.pk))
        page.fill("#id_threshold", "15")
        page.fill("#id_duration_s", "-10")
        with page.expect_navigation():
            page.click("[data-testid=rule-save]")
        assert "0 到 86400 秒之间" in page.inner_text("main")
        _fits(page, width)
        _shot(page, f"11_rule_form_error_{size}")
        page.fill("#id_duration_s", "20")
        with page.expect_navigation():
            page.click("[data-testid=rule-save]")
        assert "规则已保存" in page.inner_text("main")
        rule = AlarmRule.objects.get(name=f"本社区燃气更严{size}")
        page.locator("[data-testid=rule-row]", has_text=rule.name).locator("[data-testid=rule-toggle]").click()
        page.wait_for_load_state("networkidle")
        assert "规则已停用" in page.inner_text("main")
        rule.refresh_from_db()
        assert not rule.active

        page.goto(f"{base}/iot/facilities/?place={community.pk}")
        assert "15分钟生活圈设施" in page.inner_text("h1")
        _fits(page, width)
        _shot(page, f"12_facilities_{size}")
        page.goto(f"{base}/iot/facilities/new/")
        page.select_option("#id_kind", "sports")
        page.fill("#id_name", f"全民健身点{size}")
        page.select_option("#id_place", str(community.pk))
        page.fill("#id_lon", "120.171")
        page.fill("#id_lat", "30.261")
        _shot(page, f"13_facility_form_{size}")
        with page.expect_navigation():
            page.click("[data-testid=facility-save]")
        assert "设施已保存" in page.inner_text("main")
        assert Facility.objects.filter(name=f"全民健身点{size}", place_path=community.path).exists()
        assert not page.errors, page.errors
