"""Issue 14's "done when", tried as new users would, in Chinese, on a phone-sized screen (390x844) and on a
laptop (1366x768):

a resident books a room, applies for a 居住证明 and, once the hall has done it, gets the PDF; the resident
(aged 70) orders a canteen meal at half price; a grid worker logs a visit to an elder living alone from the
phone and turns the need it raised into a case. A resident enrols in a class too.

Screenshots: /work/notes/screens/i14_*.png (when the directory exists).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, log_in
from linli.core.testing.personas import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
PHONE_OPTIONS = {"viewport": PHONE, "bypass_csp": True, "is_mobile": True, "has_touch": True}
LAPTOP = {"width": 1366, "height": 768}


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"i14_{name}.png"), full_page=True)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _open_tile(page, base: str, text: str) -> None:
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("a.tile", has_text=text).first.click()


@pytest.fixture
def w14(world, community_staff):
    from django.utils import timezone

    from linli.care.actions import canteen_save, menu_item_add, plans_sync
    from linli.care.models import PriceRule, VisitRule
    from linli.core.idnumber import make_id_number
    from linli.hall.actions import course_save, room_save
    from linli.hall.catalog import ensure_default_catalog
    from linli.hall.models import ServiceItem
    from linli.residents.actions import person_create, person_tag_add
    from linli.residents.models import Tag

    ensure_default_catalog(ServiceItem)
    PriceRule.objects.get_or_create(code="age60", defaults={"label": "60岁以上老人半价", "min_age": 60, "percent": 50})
    VisitRule.objects.get_or_create(tag_code="living_alone", defaults={"every_days": 7, "escalate_after_days": 3})
    today = timezone.localdate()
    person_create(actor=None, name="周秀英", place=world.grid_a, phone="13955550001", current_address="幸福里2幢301",
                  id_number=make_id_number("330102", today.replace(year=today.year - 70), 21))
    resident = make_user("zhouxy", "resident", place=world.grid_a, phone="13955550001")
    worker = make_user("wanggw", "grid_worker", place=world.grid_a)
    elder = person_create(actor=None, name="李阿婆", place=world.grid_a, phone="13955550002",
                          current_address="幸福里1幢101")
    person_tag_add(person=elder, tag=Tag.objects.get(code="living_alone", community__isnull=True), actor=None)
    plans_sync()
    room_save(actor=None, place=world.community.pk, centre="幸福里邻里中心", name="小讲堂", kind="lecture", capacity=30,
              opens=dt.time(8), closes=dt.time(21))
    canteen = canteen_save(actor=None, place=world.community, name="幸福老年食堂", order_until=dt.time(23, 59))
    menu_item_add(actor=None, canteen=canteen, day=today + dt.timedelta(days=1), name="清蒸鱼套餐", price="16")
    course_save(actor=None, place=world.community.pk, kind="skills", title="智能手机使用培训", quota=30,
                starts_on=today, ends_on=today + dt.timedelta(days=28), lecturer="讲师团 陈老师")
    return {"resident": resident, "worker": worker, "staff": community_staff}


def test_issue14_done_when(new_page, live_server, w14):
    from django.utils import timezone

    from linli.care.models import MealOrder, Need
    from linli.cases.models import Case
    from linli.hall.models import Application, Booking, Enrolment

    base = live_server.url
    resident = new_page(**PHONE_OPTIONS)
    log_in(resident, base, w14["resident"].username)
    _shot(resident, "01_resident_home")

    # --- 1. A room, from the services tile. -----------------------------------------------------------------
    _open_tile(resident, base, "便民服务")
    _shot(resident, "02_services")
    with resident.expect_navigation():
        resident.click("[data-testid=rooms-link]")
    with resident.expect_navigation():
        resident.locator("[data-testid=room]", has_text="小讲堂").first.click()
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    resident.fill("#id_day", day.isoformat())
    resident.fill("#id_start", "09:00")
    resident.fill("#id_end", "11:00")
    resident.fill("#id_purpose", "楼道议事会")
    _fits(resident, PHONE["width"])
    _shot(resident, "03_room_book")
    with resident.expect_navigation():
        resident.click("[data-testid=book]")
    booking = Booking.objects.get(purpose="楼道议事会")
    assert booking.status == "confirmed" and booking.booker_id == w14["resident"].pk

    # --- 2. A 居住证明: found by its pinyin initials, applied for, done by the hall, the PDF. ------------------
    resident.goto(f"{base}/hall/?q=jzzm")
    with resident.expect_navigation():
        resident.locator("[data-testid=service]", has_text="居住证明").first.click()
    assert "居住证明" in resident.inner_text("h1")
    resident.fill("#id_details", "子女入学")
    _fits(resident, PHONE["width"])
    _shot(resident, "04_apply")
    with resident.expect_navigation():
        resident.click("[data-testid=apply]")
    app = Application.objects.get()
    assert app.status == "submitted" and app.service.name == "居住证明"

    staff = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(staff, base, w14["staff"].username)
    staff.goto(f"{base}/hall/applications/{app.pk}/")
    with staff.expect_navigation():
        staff.click("[data-action=accept]")
    staff.click("[data-action=complete]")
    form = staff.locator("[data-testid=form-complete].show")
    form.wait_for(state="visible")
    _shot(staff, "05_staff_complete")
    with staff.expect_navigation():
        form.locator("[data-testid=submit-complete]").click()
    app.refresh_from_db()
    assert app.status == "done" and app.certificate.number

    resident.goto(f"{base}/hall/applications/{app.pk}/")
    _shot(resident, "06_application_done")
    href = resident.get_attribute("[data-testid=certificate-pdf]", "href")
    pdf = resident.request.get(base + href if href.startswith("/") else href)
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # --- 3. A canteen meal at half price (she is 70). -----------------------------------------------------------
    _open_tile(resident, base, "老年幸福食堂")
    dish = resident.locator("[data-testid=dish]", has_text="清蒸鱼套餐").first
    assert "8.00" in dish.inner_text()
    _fits(resident, PHONE["width"])
    _shot(resident, "07_canteen")
    with resident.expect_navigation():
        dish.locator("[data-testid=order-meal]").click()
    order = MealOrder.objects.get()
    assert str(order.price) == "8.00" and str(order.full_price) == "16.00" and order.rule == "age60"

    # --- 4. A class: enrol from the phone. ---------------------------------------------------------------------
    _open_tile(resident, base, "培训班")
    with resident.expect_navigation():
        resident.locator("[data-testid=class-card]", has_text="智能手机使用培训").first.click()
    with resident.expect_navigation():
        resident.click("[data-testid=enrol]")
    assert resident.locator("[data-testid=my-enrolment]").is_visible()
    _fits(resident, PHONE["width"])
    _shot(resident, "08_class_enrolled")
    assert Enrolment.objects.filter(user=w14["resident"], status="enrolled").count() == 1

    # --- 5. The grid worker visits the elder living alone and turns the need into a case. -------------------
    worker = new_page(**PHONE_OPTIONS)
    log_in(worker, base, w14["worker"].username)
    _open_tile(worker, base, "走访关爱")
    with worker.expect_navigation():
        worker.locator("[data-testid=plan]", has_text="李阿婆").first.click()
    worker.locator("input[name=found][value=needs]").check()
    worker.fill("#id_note", "独自在家，厨房燃气灶老化")
    worker.select_option("#id_need_kind_0", "safety")
    worker.fill("#id_need_text_0", "燃气灶老化漏气，需要更换")
    _fits(worker, PHONE["width"])
    _shot(worker, "09_visit_form")
    with worker.expect_navigation():
        worker.click("[data-testid=log-visit]")
    need = Need.objects.get()
    assert need.status == "open" and need.visit.visitor_id == w14["worker"].pk
    worker.goto(f"{base}/care/needs/")
    row = worker.locator("[data-testid=need]", has_text="燃气灶老化漏气").first
    _shot(worker, "10_needs")
    with worker.expect_navigation():
        row.locator("[data-testid=need-case]").click()
    need.refresh_from_db()
    assert need.status == "case"
    case = Case.objects.get(pk=need.case_id)
    assert "燃气灶" in case.description
    _shot(worker, "11_need_case")

    # The laptop view of the staff's class page and the totals.
    staff.goto(f"{base}/hall/classes/")
    _fits(staff, LAPTOP["width"])
    _shot(staff, "12_staff_classes")
    staff.goto(f"{base}/hall/classes/totals/")
    assert "1" in staff.inner_text("[data-testid=headline]")
    _shot(staff, "13_staff_totals")
