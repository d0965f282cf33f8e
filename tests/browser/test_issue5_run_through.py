"""Issue 5's "done when", tried as new users would, in Chinese, across party, volunteers and points:

a resident orders a service on a phone-sized screen, the branch secretary dispatches it, a member takes
it and finishes it, the resident rates it, the member's hours and points appear in the half-year report;
a volunteer checks in to an activity by QR code and spends the points in the shop.

axe (WCAG 2.1 AA, serious/critical) on the resident's and the volunteer's phone pages.
Screenshots: /work/notes/screens/e2e_*.png.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from linli.core.testing.browser import PHONE, WCAG_AA, axe_violations, log_in
from linli.core.testing.personas import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
PHONE_OPTIONS = {"viewport": PHONE, "bypass_csp": True, "is_mobile": True, "has_touch": True}


@dataclass
class World5:
    world: Any
    staff: Any
    secretary: Any
    member_user: Any
    member_person: Any
    resident: Any
    volunteer: Any
    volunteer_person: Any
    activity: Any
    item: Any


@pytest.fixture
def w5(world, community_staff) -> World5:
    from django.utils import timezone

    from linli.party.actions import member_create, org_create
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.points.actions import item_create
    from linli.residents.actions import person_create
    from linli.volunteers import actions as vol

    committee = org_create(kind="committee", name="测试一社区党委", place=world.community, actor=None)
    secretary = make_user("shuji", "party_member", place=world.grid_a, phone="13811110009")
    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福小区", parent=world.grid_a)
    branch = org_create(kind="branch", name="幸福小区党支部", place=compound, parent=committee, actor=None)
    branch.secretary = secretary
    branch.save(update_fields=["secretary"])
    secretary_person = person_create(actor=None, name="孙书记", place=world.grid_a, phone="13811110009")
    member_create(person=secretary_person, org=branch, grid=world.grid_a, user=secretary, actor=None)
    unit = org_create(kind="unit", name="区供电局", place=world.community, actor=None)
    member_user = make_user("dangyuan", "party_member", place=world.grid_a, phone="13811110002")
    member_person = person_create(actor=None, name="李建国", place=world.grid_a, phone="13811110002")
    member_create(  # 双报到: works at the unit, serves in the branch of where they live
        person=member_person,
        org=branch,
        kind="registered",
        employer=unit,
        grid=world.grid_a,
        user=member_user,
        actor=None,
    )
    resident = make_user("jumin", "resident", place=world.grid_a, phone="13811110001")
    building = place_create(kind=PlaceKind.BUILDING, name="1幢", parent=compound)
    house = place_create(kind=PlaceKind.HOUSE, name="2单元301室", parent=building)
    person_create(actor=None, name="王秀兰", place=house, phone="13811110001")
    volunteer = make_user("zhiyuanzhe", "volunteer", place=world.grid_a, phone="13811110004")
    volunteer_person = person_create(actor=None, name="赵志愿", place=world.grid_a, phone="13811110004")
    vol.volunteer_register(actor=volunteer)
    now = timezone.now()
    activity = vol.activity_create(
        actor=community_staff,
        community=world.community,
        title="楼道杂物清理",
        location="幸福小区3号楼",
        area="civility",
        quota=5,
        points=3,
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(hours=1, minutes=40),
    )
    vol.activity_publish(activity=activity, actor=community_staff)
    item = item_create(
        community=world.community, actor=None, name="免费理发一次", kind="service", cost=2, stock=None
    )
    return World5(
        world,
        community_staff,
        secretary,
        member_user,
        member_person,
        resident,
        volunteer,
        volunteer_person,
        activity,
        item,
    )


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"e2e_{name}.png"), full_page=True)


def _axe_clean(page) -> None:
    axe_violations(page)  # injects axe
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    bad = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def _phone_ok(page) -> None:
    """No sideways scrolling, no English left on the page, no serious axe finding."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    _axe_clean(page)


def _open_tile(page, base: str, text: str) -> None:
    """From the home page, as a new user: tap the tile that says ``text``."""
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("a.tile", has_text=text).first.click()


def test_issue5_done_when(new_page, live_server, w5, tmp_path):
    from PIL import Image

    from linli.orders.models import ServiceOrder
    from linli.points.models import Redemption
    from linli.points.selectors import balance_of

    base = live_server.url

    # --- 1. The resident orders a service on a phone, starting from the home page. ---------------------------
    resident = new_page(**PHONE_OPTIONS)
    log_in(resident, base, w5.resident.username)
    _shot(resident, "01_resident_home")
    _open_tile(resident, base, "我要点单")
    assert "我要点单" in resident.inner_text("h1")
    resident.select_option("#id_category", "plumbing")
    resident.fill("#id_description", "厨房水管漏水，需要维修")
    resident.fill("#id_address", "1幢2单元301")
    _phone_ok(resident)
    _shot(resident, "02_resident_order_new")
    with resident.expect_navigation():
        resident.click("[data-testid=order-submit]")
    assert "水电维修" in resident.inner_text("main")
    order = ServiceOrder.objects.get()
    assert order.status == "placed"
    _shot(resident, "03_resident_order_placed")

    # --- 2. The branch secretary dispatches it to the member (desktop). ---------------------------------------
    secretary = new_page(bypass_csp=True)
    log_in(secretary, base, w5.secretary.username)
    _shot(secretary, "04a_secretary_home")
    _open_tile(secretary, base, "待接服务单")  # a secretary is a member too: from there, to the desk
    with secretary.expect_navigation():
        secretary.click("[data-testid=to-desk]")
    row = secretary.locator("[data-testid=order-row]").first.inner_text()
    assert "水电维修" in row and "王秀兰" in row and "已点单" in row, row
    _shot(secretary, "04_secretary_orders")
    with secretary.expect_navigation():
        secretary.click("[data-testid=order-row] >> text=水电维修")
    secretary.click("[data-action=dispatch]")
    form = secretary.locator("[data-testid=form-dispatch].show")
    form.wait_for(state="visible")
    assert "李建国" in form.inner_text()
    form.locator("select[name=member]").select_option(label="李建国 · 幸福小区党支部")
    _shot(secretary, "05_secretary_dispatch")
    with secretary.expect_navigation():
        form.locator("[data-testid=submit-dispatch]").click()
    assert "已派给党员" in secretary.inner_text("[data-testid=order-status]")
    assert ServiceOrder.objects.get().status == "dispatched"

    # --- 3. The member accepts it and marks it done with a note, hours and a photo. -----------------------
    photo = tmp_path / "fixed.jpg"
    Image.new("RGB", (64, 48), (40, 90, 160)).save(photo, format="JPEG")
    member = new_page(**PHONE_OPTIONS)
    log_in(member, base, w5.member_user.username)
    _open_tile(member, base, "待接服务单")
    assert "水电维修" in member.inner_text("main")
    _phone_ok(member)
    _shot(member, "06_member_pool")
    with member.expect_navigation():
        member.locator("main a", has_text="水电维修").first.click()
    with member.expect_navigation():
        member.click("[data-testid=submit-accept]")
    assert "已接单" in member.inner_text("[data-testid=order-status]")
    member.click("[data-action=done]")
    form = member.locator("[data-testid=form-done].show")
    form.wait_for(state="visible")
    form.locator("[name=note]").fill("已更换水管接头")
    form.locator("[name=hours]").fill("1.5")
    form.locator("[name=photo]").set_input_files(str(photo))
    _shot(member, "07_member_done_form")
    with member.expect_navigation():
        form.locator("[data-testid=submit-done]").click()
    done = ServiceOrder.objects.get()
    assert done.status == "done" and done.done_photo
    assert "已完成" in member.inner_text("[data-testid=order-status]")
    _shot(member, "08_member_done")

    # --- 4. The resident rates it 满意 from 我的点单. -----------------------------------------------------------
    resident.goto(f"{base}/party/orders/mine")
    assert "已完成" in resident.inner_text("[data-testid=order-status]")
    assert "已更换水管接头" in resident.inner_text("main")
    resident.locator("[data-testid=rate-form] label", has_text="满意").first.click()
    assert resident.locator("input[name=satisfaction][value=satisfied]").is_checked()
    _phone_ok(resident)
    _shot(resident, "09_resident_rate")
    with resident.expect_navigation():
        resident.click("[data-testid=rate-form] button[type=submit]")
    assert "已评价" in resident.inner_text("[data-testid=order-status]")
    assert "感谢您的评价" in resident.inner_text("main")
    assert resident.inner_text("[data-testid=my-rating]") == "您的评价: 满意"
    assert resident.locator("[data-testid=done-photo]").evaluate("img => img.naturalWidth") > 0
    assert ServiceOrder.objects.get().satisfaction == "satisfied"
    _shot(resident, "10_resident_rated")
    _open_tile(resident, base, "微心愿")  # the wall opens on the resident's own community
    assert "心愿墙 · 测试一社区" in resident.inner_text("h1")
    _phone_ok(resident)
    _shot(resident, "10b_resident_wish_wall")

    # --- 5. The member's hours and point in the half-year report (community staff's desk). ----------------
    staff = new_page(bypass_csp=True, accept_downloads=True)
    log_in(staff, base, w5.staff.username)
    staff.goto(f"{base}/party/reports/")
    report = staff.inner_text("[data-testid=report]")
    assert "区供电局" in report, report
    assert staff.inner_text("[data-testid=report-member]") == "李**（1.50 小时，1 积分）"
    row = staff.locator("[data-testid=report] tbody tr").first.inner_text()
    assert row.split("\t")[1:] == ["1", "1", "1.50", "1"], row  # members, served, hours, points
    _shot(staff, "11_report")
    with staff.expect_download() as download:
        staff.click("a:has-text('Excel')")
    from openpyxl import load_workbook

    assert download.value.suggested_filename.endswith(".xlsx"), download.value.suggested_filename
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    values = [c for row_ in book.worksheets[0].iter_rows(values_only=True) for c in row_]
    assert "区供电局" in values and 1.5 in values

    # --- 6. The volunteer: activity → QR link → check in. --------------------------------------------------
    staff.goto(f"{base}/volunteers/activities/{w5.activity.pk}/qr/")
    qr_text = staff.inner_text("main")
    found_url = re.search(r"https?://\S+/volunteers/checkin/\S+/", qr_text)
    assert found_url, qr_text  # the link the printed QR code encodes, as the page shows it
    checkin_url = found_url.group(0)
    assert checkin_url == f"{base}/volunteers/checkin/{w5.activity.checkin_token}/"
    _shot(staff, "12_activity_qr")

    volunteer = new_page(**PHONE_OPTIONS)
    log_in(volunteer, base, w5.volunteer.username)
    _shot(volunteer, "13_volunteer_home")
    _open_tile(volunteer, base, "社区活动")
    assert "楼道杂物清理" in volunteer.inner_text("main")
    _phone_ok(volunteer)
    _shot(volunteer, "14_volunteer_activities")
    # Scanning the QR code before signing up: the page says so and leads to the sign-up.
    volunteer.goto(checkin_url)
    assert "您没有报名此活动" in volunteer.inner_text("[data-testid=checkin-state]")
    _shot(volunteer, "14a_volunteer_qr_not_signed_up")
    with volunteer.expect_navigation():
        volunteer.click("[data-testid=signup-first]")
    with volunteer.expect_navigation():
        volunteer.click("[data-testid=signup]")
    assert "您已报名" in volunteer.inner_text("main")
    _shot(volunteer, "14b_volunteer_signed_up")

    # The organiser starts the activity at the door (its start time has come).
    staff.goto(f"{base}/volunteers/activities/{w5.activity.pk}/attendance/")
    with staff.expect_navigation():
        staff.click("[data-testid=do-start]")
    assert "进行中" in staff.inner_text("[data-testid=activity-status]")
    volunteer.goto(checkin_url)
    _phone_ok(volunteer)
    _shot(volunteer, "15_volunteer_checkin")
    with volunteer.expect_navigation():
        volunteer.click("[data-testid=checkin]")
    assert "已签到" in volunteer.inner_text("[data-testid=checkin-state]")
    _shot(volunteer, "16_volunteer_checked_in")

    # --- 7. The organiser finishes the activity and verifies the hours (from their home page). -------------
    _open_tile(staff, base, "组织活动")
    with staff.expect_navigation():
        staff.locator("tr", has_text="楼道杂物清理").locator("a", has_text="签到名单").click()
    with staff.expect_navigation():
        staff.click("[data-testid=do-finish]")
    staff.goto(f"{base}/volunteers/activities/{w5.activity.pk}/attendance/")
    row = staff.locator("[data-testid=attendance-row]", has_text="赵")
    row.locator("input[name=hours]").fill("2")
    with staff.expect_navigation():
        row.locator("button[type=submit]", has_text="核定").click()
    assert "2" in staff.locator("[data-testid=attendance-row]").first.inner_text()
    _shot(staff, "17_attendance_verified")
    assert balance_of(w5.volunteer_person.pk) == 3

    # --- 8. The volunteer sees the points on 我的积分 and redeems the shop item. ---------------------------
    _open_tile(volunteer, base, "我的积分")
    assert volunteer.inner_text("[data-testid=balance]").strip() == "3"
    assert "楼道杂物清理" in volunteer.inner_text("[data-testid=entries]")
    _phone_ok(volunteer)
    _shot(volunteer, "18_volunteer_my_points")
    with volunteer.expect_navigation():
        volunteer.locator("main a", has_text="积分超市").first.click()
    assert "免费理发一次" in volunteer.inner_text("main")
    _phone_ok(volunteer)
    _shot(volunteer, "19_volunteer_shop")
    with volunteer.expect_navigation():
        volunteer.click("[data-testid=item] a")
    _phone_ok(volunteer)
    _shot(volunteer, "20_volunteer_shop_confirm")
    with volunteer.expect_navigation():
        volunteer.click("[data-testid=confirm] button[type=submit]")
    code = volunteer.inner_text("[data-testid=code]").strip()
    assert code == Redemption.objects.get().code
    _phone_ok(volunteer)
    _shot(volunteer, "21_volunteer_code")
    assert balance_of(w5.volunteer_person.pk) == 1

    # --- 9. Staff hand it over by that code; the volunteer's balance stays right. -------------------------
    _open_tile(staff, base, "兑换核销")
    staff.fill("#code", code)
    with staff.expect_navigation():
        staff.click("button:has-text('查询')")
    found = staff.inner_text("[data-testid=found]")
    assert "免费理发一次" in found and "赵*" in found and "2 积分" in found and "待核销" in found, found
    with staff.expect_navigation():
        staff.click("[data-testid=found] button[type=submit]")
    assert Redemption.objects.get().status == "fulfilled"
    _shot(staff, "22_fulfilled")

    volunteer.goto(f"{base}/points/me/")
    assert volunteer.inner_text("[data-testid=balance]").strip() == "1"
    assert "免费理发一次 · 2 积分 · 已核销" in volunteer.inner_text("main")
    assert "2 小时" in volunteer.inner_text("main")
    _shot(volunteer, "23_volunteer_balance_after")

    # The member sees their own point and hours on 我的积分 as well.
    member.goto(f"{base}/points/me/")
    assert member.inner_text("[data-testid=balance]").strip() == "1"
    assert "1.50 小时" in member.inner_text("main")
    _shot(member, "24_member_my_points")

    # A party-member login nobody has linked to a member record yet: told why the list is empty, no 403.
    make_user("dangyuan_new", "party_member", place=w5.world.grid_a, phone="13811110077")
    newcomer = new_page(**PHONE_OPTIONS)
    log_in(newcomer, base, "dangyuan_new")
    _open_tile(newcomer, base, "待接服务单")
    assert "尚未关联党员档案" in newcomer.inner_text("[data-testid=not-member]")
    _phone_ok(newcomer)
    _shot(newcomer, "25_unlinked_member")

    for p in (resident, secretary, member, staff, volunteer, newcomer):
        assert not p.errors, (p.url, p.errors)
