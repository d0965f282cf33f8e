"""The 三单制 loop on phone-sized screens, in Chinese: the resident orders, the branch secretary
publishes, a member takes it and marks it done, the resident rates it; the public wish wall. axe (WCAG
2.1 AA, serious/critical) on the resident and member pages. Screenshots: /work/notes/screens/order_*.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, WCAG_AA, axe_violations, log_in
from linli.orders.tests.service_fixtures import make_wish, svc  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"order_{name}.png"), full_page=True)


def _axe_clean(page) -> None:
    axe_violations(page)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    bad = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_order_loop_on_a_phone(new_page, live_server, svc):  # noqa: F811
    from linli.orders.models import ServiceOrder

    base = live_server.url
    resident = new_page(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    log_in(resident, base, svc.resident.username)
    resident.goto(f"{base}/party/orders/new")
    assert "我要点单" in resident.inner_text("h1")
    resident.select_option("#id_category", "plumbing")
    resident.fill("#id_description", "厨房水管漏水，需要维修")
    resident.fill("#id_address", "1幢2单元301")
    _axe_clean(resident)
    _no_overflow(resident)
    _shot(resident, "new")
    with resident.expect_navigation():
        resident.click("[data-testid=order-submit]")
    assert "水电维修" in resident.inner_text("main")
    order = ServiceOrder.objects.get()

    secretary = new_page(bypass_csp=True)
    log_in(secretary, base, svc.secretary.username)
    secretary.goto(f"{base}/party/orders/{order.pk}")
    _axe_clean(secretary)
    _shot(secretary, "detail")
    secretary.click("[data-action=publish]")  # publish takes an optional note: its form opens
    form = secretary.locator("[data-testid=form-publish].show")
    form.wait_for(state="visible")
    with secretary.expect_navigation():
        form.locator("[data-testid=submit-publish]").click()
    assert ServiceOrder.objects.get().status == "published"

    member = new_page(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    log_in(member, base, svc.m1.username)
    member.goto(f"{base}/party/orders/pool")
    _axe_clean(member)
    _no_overflow(member)
    _shot(member, "pool")
    with member.expect_navigation():
        member.click("[data-testid=take]")
    member.click("[data-action=done]")
    form = member.locator("[data-testid=form-done].show")
    form.wait_for(state="visible")
    form.locator("[name=note]").fill("已更换水管接头")
    form.locator("[name=hours]").fill("1.5")
    _shot(member, "done_form")
    with member.expect_navigation():
        form.locator("[data-testid=submit-done]").click()
    assert ServiceOrder.objects.get().status == "done"

    resident.goto(f"{base}/party/orders/mine")
    resident.check("input[name=satisfaction][value=satisfied]")
    _axe_clean(resident)
    _no_overflow(resident)
    with resident.expect_navigation():
        resident.click("[data-testid=rate-form] button[type=submit]")
    _shot(resident, "mine")
    assert "已评价" in resident.inner_text("[data-testid=order-status]")
    assert ServiceOrder.objects.get().satisfaction == "satisfied"


def test_the_wish_wall_on_a_phone(new_page, live_server, svc):  # noqa: F811
    make_wish(svc, status="open")
    make_wish(svc, status="confirmed", adopter="m1")
    page = new_page(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/party/wishes?community={svc.world.community.pk}")
    text = page.inner_text("main")
    assert "王**" in text and "王小明" not in text and "本年已实现微心愿 1 个" in text
    _axe_clean(page)
    _no_overflow(page)
    _shot(page, "wall")
