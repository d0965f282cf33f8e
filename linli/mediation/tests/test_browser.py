"""The walkthrough of issue 12, as a new user would do it: the grid worker screens their grid on a phone and
files a neighbour dispute; the mediator (1366x768) accepts it, triages it to a dedicated session, records
the session, records the agreement, prints the PDF, and follows up a month later; the community sees the
success rate. axe (WCAG 2.1 AA) on the dispute page. Screenshots: /work/notes/screens/mediation_*.png."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.urls import reverse

from linli.core.testing.browser import PHONE, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
LAPTOP = {"width": 1366, "height": 768}


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"mediation_{name}.png"), full_page=True)


def _go(page, selector: str) -> None:
    """Click what submits or links, and wait for the page it leads to (a click followed by a wait for the load
    state alone can return before the navigation starts, on the page that was there)."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("networkidle")


def _state(page, expected: str) -> None:
    """The dispute's status reads ``expected``; if not, say what the page shows (its messages and status)."""
    status = page.inner_text("[data-testid=status]") if page.locator("[data-testid=status]").count() else ""
    assert expected in status, f"{page.url}: status {status!r}; page: {page.inner_text('main')[:600]!r}"


RAW = ("registered", "accepted", "mediating", "followed_up", "on_spot", "session", "neighbour", "property",
       "peoples_mediator", "property_company", "owners_committee", "None")


def _readable(page, width: int) -> None:
    """Nothing wider than the screen, no raw status or kind names, no "None" on the page."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    text = page.inner_text("main")
    assert not [w for w in RAW if w in text], (page.url, [w for w in RAW if w in text])


def test_grid_worker_files_mediator_settles_community_sees_the_rate(
    new_page, live_server, world, grid_worker_a, mediator, mediator_user, community_staff, monkeypatch
):
    from django.utils import timezone

    from linli.mediation.models import Dispute
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    a = place_create(kind=PlaceKind.COMPOUND, name="幸福苑", parent=world.grid_a)
    b = place_create(kind=PlaceKind.COMPOUND, name="和平里", parent=world.grid_a)
    base = live_server.url

    # 1. The grid worker, on a phone: home → disputes → this month's screening of the grid.
    phone = new_page(viewport=PHONE, bypass_csp=True)
    log_in(phone, base, grid_worker_a.username)
    _go(phone, "[data-testid=tile-mediation-disputes]")
    _go(phone, "[data-testid=screening-link]")
    assert "第一网格" in phone.inner_text("h1")
    _go(phone, f"[data-testid=none-{a.pk}]")
    assert phone.locator("[data-testid=none-found]").count() == 1
    _go(phone, f"[data-testid=file-{b.pk}]")
    phone.select_option("#id_kind", "neighbour")
    assert phone.input_value("#id_place") == str(b.pk)
    assert phone.input_value("#id_source") == "screening"
    phone.fill("#id_facts", "楼上卫生间漏水渗到楼下，双方就维修费用协商未果。")
    phone.fill("#id_applicant_name", "王建国")
    phone.fill("#id_applicant_phone", "13812345678")
    phone.fill("#id_respondent_name", "李四海")
    _shot(phone, "file_phone")
    _go(phone, "[data-testid=dispute-submit]")
    dispute = Dispute.objects.get()
    assert "王**" in phone.inner_text("main") and "王建国" not in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(phone, "filed_phone")
    phone.goto(f"{base}/disputes/screening/{world.grid_a.pk}/")
    _go(phone, f"[data-testid=found-{b.pk}]")
    _go(phone, "[data-testid=screening-finish]")
    assert phone.locator("[data-testid=screening-done]").count() == 1
    _readable(phone, PHONE["width"])
    _shot(phone, "screened_phone")
    assert not phone.errors, phone.errors

    # 2. The mediator, on a laptop: accept, triage, a session, the agreement, the PDF.
    page = new_page(viewport=LAPTOP, bypass_csp=True, accept_downloads=True)
    log_in(page, base, mediator_user.username)
    _go(page, "[data-testid=tile-mediation-disputes]")
    _readable(page, LAPTOP["width"])
    _shot(page, "ledger_laptop")
    _go(page, "[data-testid=dispute-link]")
    page.click("[data-testid=actions] [data-action=accept]")
    page.select_option("[data-testid=form-accept] [name=lead]", str(mediator.pk))
    _go(page, "[data-testid=do-accept]")
    _state(page, "已受理")
    page.click("[data-testid=actions] [data-action=triage]")
    page.check("[data-testid=form-triage] [name=method][value=session]")
    _go(page, "[data-testid=do-triage]")
    _state(page, "调解中")
    page.click("[data-testid=actions] [data-action=session]")
    page.fill("[data-testid=form-session] [name=venue]", "社区调解室")
    page.fill("[data-testid=form-session] [name=participants]", "王建国、李四海、调解员郑海")
    page.fill("[data-testid=form-session] [name=notes]", "双方陈述；调解员释法说理，双方同意由楼上承担维修费用。")
    _go(page, "[data-testid=do-session]")
    assert page.locator("[data-testid=session]").count() == 1
    page.click("[data-testid=actions] [data-action=settle]")
    page.fill("[data-testid=form-settle] [name=terms]", "李四海于两周内修复卫生间防水并承担楼下天花板修复费用 1500 元。")
    _go(page, "[data-testid=do-settle]")
    assert "第001号" in page.inner_text("[data-testid=agreement]")
    assert axe_violations(page) == []
    _readable(page, LAPTOP["width"])
    _shot(page, "settled_laptop")
    pdf = page.request.get(base + page.get_attribute("[data-testid=agreement-pdf]", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    if SCREENS.is_dir():
        (SCREENS / "mediation_agreement.pdf").write_bytes(pdf.body())

    # A month later: the follow-up.
    later = timezone.now() + dt.timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    log_in(page, base, mediator_user.username)  # a month on, the session has long timed out
    page.goto(f"{base}/disputes/{dispute.pk}/")
    page.click("[data-testid=actions] [data-action=follow_up]")
    page.check("[data-testid=form-follow_up] [name=fulfilled][value=yes]")
    page.fill("[data-testid=form-follow_up] [name=note]", "回访：维修已完成，费用已付清，双方满意。")
    _go(page, "[data-testid=do-follow_up]")
    _state(page, "已回访")
    dispute.refresh_from_db()
    assert dispute.fulfilled is True and dispute.followed_up_at.date() == later.date()
    _shot(page, "followed_up_laptop")
    assert not page.errors, page.errors
    monkeypatch.undo()

    # 3. The community sees the success rate, and 红色物业: a compound's owner–property dispute shown with
    # the compound's property company and owners' committee (from the registry), counted in its profile.
    from linli.mediation.actions import dispute_file
    from linli.residents.actions import organisation_create

    organisation_create(name="安居物业服务有限公司", kind="property_company", place=a, actor=None, serves=[a])
    organisation_create(name="幸福苑业主委员会", kind="owners_committee", place=a, actor=None)
    dispute_file(actor=None, kind="property", place=a, facts="电梯停运两周，业主要求物业减免当月物业费。",
                 parties=[{"role": "applicant", "name": "赵立新"},
                          {"role": "respondent", "organisation": "安居物业服务有限公司"}])
    staff = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(staff, base, community_staff.username)
    _go(staff, "[data-testid=tile-mediation-disputes]")
    _go(staff, "[data-testid=figures-link]")
    assert staff.inner_text("[data-testid=success-rate]") == "100.0%"
    assert staff.inner_text("[data-testid=fulfilment-rate]") == "100.0%"
    _readable(staff, LAPTOP["width"])
    _shot(staff, "figures_laptop")
    staff.go_back()
    _go(staff, "[data-testid=red-property-link]")
    card = staff.locator("[data-testid=red-row]")
    assert card.count() == 1 and "幸福苑" in card.inner_text()
    assert staff.inner_text("[data-testid=red-company]") == "安居物业服务有限公司"
    assert staff.inner_text("[data-testid=red-committee]") == "幸福苑业主委员会"
    assert axe_violations(staff) == []
    _readable(staff, LAPTOP["width"])
    _shot(staff, "red_property_laptop")
    staff.goto(base + reverse("dashboards:community_profile", args=[world.community.pk]))
    assert "1" in staff.inner_text("[data-testid=property-disputes]")
    _shot(staff, "profile_laptop")
    assert not staff.errors, staff.errors
