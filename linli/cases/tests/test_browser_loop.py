"""The closed loop as new users meet it, in a real browser and in Chinese (issue 4's "done when").

A resident scans a building's code on a phone-sized screen, confirms their mobile number with a
one-time code, finds the category by searching, describes the problem and attaches a photo (its EXIF
is gone once stored); the community desk accepts and dispatches it to the grid worker, who signs,
handles and reports back with a photo; the desk verifies and posts a public reply; the resident sees
the progress and the reply on their case page and rates it 满意; the desk closes it. A second case goes
to a department, which signs and reports back; the street supervisor finds an overdue case in the
supervision list and supervises it with a note and a new deadline. axe (WCAG 2.1 AA) runs on every
resident page. Screenshots: /work/notes/screens/loop_*.png.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import re_path
from django.views.static import serve
from PIL import Image

from config.urls import urlpatterns as _site_urls
from linli.core.testing.browser import PHONE, WCAG_AA, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
PHONE_NUMBER = "13912345678"

# The live server runs with DEBUG off, so nothing serves MEDIA_URL; the photos must show, so this
# module's URLconf adds Django's static file view for the (temporary) media root.
urlpatterns = [*_site_urls, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": None})]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    urlpatterns[-1].default_args["document_root"] = settings.MEDIA_ROOT
    settings.ROOT_URLCONF = __name__
    return Path(settings.MEDIA_ROOT)


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"loop_{name}.png"), full_page=True)


def _jpeg_with_exif(path: Path, colour=(200, 180, 40)) -> Path:
    """A small JPEG carrying EXIF: camera make, owner and a GPS position (what must not be kept)."""
    img = Image.new("RGB", (120, 90), colour)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x013B] = "张三"  # Artist
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)}  # GPSInfo
    img.save(path, format="JPEG", exif=exif.tobytes())
    assert Image.open(path).getexif()  # the upload really carries EXIF
    return path


def _axe_clean(page) -> None:
    """No serious or critical WCAG 2.1 AA violation (the kit's helper drops the impact; ask axe here)."""
    axe_violations(page)  # injects axe-core
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def _act(page, name: str, shot: str = "", **fields) -> None:
    """Open the transition's form on the case page, fill it and submit it."""
    page.click(f"[data-action={name}]")
    form = page.locator(f"[data-testid=form-{name}].show")  # the collapse has finished opening
    form.wait_for(state="visible")
    for field, value in fields.items():
        target = form.locator(f"[name={field}]")
        if field == "owner":
            target.select_option(value)
        elif field == "photos":
            target.set_input_files(value)
            form.locator("[data-photo-preview] img").first.wait_for()  # the chosen photo is shown
        else:
            target.fill(value)
    if shot:
        _shot(page, shot)
    try:
        with page.expect_navigation(timeout=10_000):
            form.locator(f"[data-testid=submit-{name}]").click()
    except Exception:
        _shot(page, f"failed_{name}")
        raise
    assert "已完成" in page.inner_text("main"), page.inner_text("main")[:500]


def _status(page) -> str:
    return page.inner_text("[data-testid=case-status]").strip()


def _timeline(page) -> str:
    return page.inner_text("[data-testid=timeline]")


@pytest.fixture
def building(world):
    from linli.cases.defaults import categories_restore_default
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    categories_restore_default()
    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    return place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound)


def _resident_reports(page, base: str, building, photo: Path, caplog) -> str:
    """The resident's part up to the filed page; returns the case number."""
    page.goto(f"{base}/r/{building.public_code}")
    hero = page.inner_text("[data-testid=building-report]")
    assert "阳光小区" in hero and "2号楼" in hero and "测试一社区" in hero
    assert "问题类型" in page.inner_text("#pick-title") or page.inner_text("#pick-title")
    _no_overflow(page)
    _axe_clean(page)
    _shot(page, "01_resident_building_page")

    page.fill("#cat-search", "路灯")
    link = page.locator("[data-testid=category-list] a:visible", has_text="路灯").first
    link.click()
    page.wait_for_load_state("networkidle")
    # Not identified yet: the page asks who is reporting, by phone and a one-time code.
    assert page.locator("[data-testid=identify]").is_visible()
    assert page.locator("[data-testid=report-form]").count() == 0
    _axe_clean(page)
    _shot(page, "02_resident_identify")
    page.fill("#id_phone", PHONE_NUMBER)
    with caplog.at_level("INFO", logger="linli.cases.views"):
        page.click("[data-testid=send-code]")
        page.wait_for_load_state("networkidle")
    sms = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to ")]
    assert sms and PHONE_NUMBER not in sms[-1]  # the log masks the number
    code = re.search(r"(\d{6})", sms[-1].split(":", 1)[1]).group(1)
    assert "验证码" in page.inner_text("main")
    _no_overflow(page)
    _axe_clean(page)
    _shot(page, "03_resident_code_sent")
    page.fill("#id_code", code)
    page.click("[data-testid=verify-code]")
    page.wait_for_load_state("networkidle")
    assert "139****5678" in page.inner_text("main")

    page.fill("#id_description", "2号楼门口的路灯三天不亮了，晚上很黑")
    page.set_input_files("#id_photos", str(photo))
    preview = page.locator("[data-photo-preview] img")
    preview.wait_for()
    assert preview.evaluate("i => i.complete && i.naturalWidth") >= 0  # the chosen photo is previewed
    _no_overflow(page)
    _axe_clean(page)
    _shot(page, "04_resident_report_form")
    page.click("[data-testid=report-submit]")
    page.wait_for_load_state("networkidle")
    number = page.inner_text("[data-testid=case-number]").strip()
    assert "已收到" in page.inner_text("[data-testid=filed]") or "收到" in page.inner_text(
        "[data-testid=filed]"
    )
    _no_overflow(page)
    _axe_clean(page)
    _shot(page, "05_resident_filed")
    page.click("[data-testid=follow]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[aria-current=step]").strip() == "已上报"
    assert "答复时限" in page.inner_text("[data-testid=my-case]")
    assert page.locator("[data-testid=my-timeline] img").evaluate("i => i.complete && i.naturalWidth") > 0
    _no_overflow(page)
    _axe_clean(page)
    _shot(page, "06_resident_case_just_filed")
    return number


def test_resident_reports_and_rates_while_desk_and_grid_worker_close_the_loop(
    live_server, new_page, media, world, building, grid_worker_a, community_staff, tmp_path, caplog
):
    from django.utils import timezone

    from linli.cases.models import Case

    base = live_server.url
    photo = _jpeg_with_exif(tmp_path / "light.jpg")
    resident = new_page(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    number = _resident_reports(resident, base, building, photo, caplog)

    case = Case.objects.get(number=number)
    assert case.channel == "qr" and case.place_id == building.pk and case.status == "reported"
    assert case.reporter_id is None and case.reporter_phone == PHONE_NUMBER
    stored = case.photos.get()
    with Image.open(Path(media) / stored.image.name) as img:
        assert not img.getexif() and "exif" not in img.info  # no camera, owner or GPS left

    # The community desk: the dispatch desk lists it; accept with a public reply, dispatch to the worker.
    desk = new_page(bypass_csp=True)
    log_in(desk, base, "staff_c")
    desk.goto(f"{base}/cases/dispatch")
    assert "受理派遣台" in desk.inner_text("h1")
    row = desk.locator(f"[data-case='{number}']")
    assert "已上报" in row.inner_text() and "路灯" in row.inner_text()
    _shot(desk, "07_desk_dispatch_list")
    _axe_clean(desk)
    row.locator("a").first.click()
    desk.wait_for_load_state("networkidle")
    assert _status(desk) == "已上报"
    assert "139****5678" in desk.inner_text("main") and PHONE_NUMBER not in desk.inner_text("main")
    assert desk.locator("img.case-thumb").first.evaluate("i => i.naturalWidth") > 0  # the photo shows
    _act(desk, "accept", reply="您好，已收到，我们马上安排网格员查看。")
    assert _status(desk) == "已受理"
    _act(desk, "dispatch", shot="08a_desk_dispatch_form", owner=f"u:{grid_worker_a.pk}", note="请今天处理")
    assert _status(desk) == "已派遣"
    assert "请今天处理" in _timeline(desk)  # the internal note, for staff
    _shot(desk, "08_desk_case_dispatched")

    # The grid worker: their grid's list, sign, start handling, report back with a photo.
    worker = new_page(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    log_in(worker, base, "worker_a")
    worker.goto(f"{base}/cases/worklist")
    assert "本网格诉求" in worker.inner_text("h1")
    _no_overflow(worker)
    assert "已派遣" in worker.locator(f"[data-case='{number}']").inner_text()
    _shot(worker, "09_worker_list_phone")
    worker.click(f"text={number}")
    worker.wait_for_load_state("networkidle")
    _act(worker, "sign")
    assert _status(worker) == "已签收"
    _act(worker, "handle", note="已联系物业电工")
    assert _status(worker) == "处置中"
    done_photo = tmp_path / "fixed.jpg"
    _jpeg_with_exif(done_photo, colour=(250, 250, 210))
    _act(
        worker,
        "report",
        shot="10a_worker_report_form",
        reply="路灯已更换灯泡，恢复照明。",
        photos=str(done_photo),
    )
    assert _status(worker) == "已反馈"
    assert worker.locator("[data-testid=timeline] img").count() == 2  # the resident's and the worker's
    _axe_clean(worker)  # the staff case page too
    _no_overflow(worker)
    _shot(worker, "10_worker_reported_back_phone")

    # The desk verifies and posts a public reply.
    desk.reload()
    assert _status(desk) == "已反馈"
    _act(desk, "verify", note="现场照片已核对")
    assert _status(desk) == "已核查"
    _act(desk, "comment", reply="感谢您的反映，路灯已修好，请您评价。")
    _shot(desk, "11_desk_verified")

    # The resident sees the progress and the replies, then rates it 满意.
    case.refresh_from_db()
    first_reply = case.events.exclude(reply="").order_by("at").first()
    assert first_reply is not None and first_reply.at <= case.feedback_due  # replied within the deadline
    resident.goto(f"{base}/cases/mine")
    card = resident.locator("[data-testid=my-case]", has_text=number)
    assert (
        "已核查" in card.inner_text() and "感谢您的反映，路灯已修好，请您评价。" in card.inner_text()
    )  # the last reply
    _no_overflow(resident)
    _axe_clean(resident)
    _shot(resident, "12_resident_my_matters")
    card.locator("[data-testid=my-case-open]").click()
    resident.wait_for_load_state("networkidle")
    assert resident.inner_text("[aria-current=step]").strip() == "已核查"  # 4th of the five steps
    timeline = resident.inner_text("[data-testid=my-timeline]")
    for seen in (
        "已上报",
        "已受理",
        "已派遣",
        "已签收",
        "开始处置",
        "已反馈",
        "已核查",
        "回复",
        "您好，已收到，我们马上安排网格员查看。",
        "路灯已更换灯泡，恢复照明。",
        "感谢您的反映，路灯已修好，请您评价。",
    ):
        assert seen in timeline, seen
    assert (
        "请今天处理" not in timeline and "现场照片已核对" not in timeline and "已联系物业电工" not in timeline
    )
    assert "staff_c" not in timeline and "worker_a" not in timeline  # staff names stay inside
    photos = resident.locator("[data-testid=my-timeline] img")
    assert photos.count() == 2  # the resident's own and the worker's photo of the repair
    for i in range(2):
        assert photos.nth(i).evaluate("i => i.complete && i.naturalWidth") > 0
    _no_overflow(resident)
    _axe_clean(resident)
    _shot(resident, "13_resident_case_page")
    form = resident.locator("[data-testid=rate-form]")
    form.get_by_label("满意", exact=True).check()
    form.get_by_label("是", exact=True).check()
    form.locator("textarea").fill("修得很快，谢谢！")
    _shot(resident, "14_resident_rating")
    with resident.expect_navigation():
        form.locator("[data-testid=rate-submit]").click()
    assert "感谢您的评价" in resident.inner_text("main")
    assert resident.inner_text("[data-testid=my-case-status]").strip() == "已评价"
    assert resident.locator("[data-testid=rate-form]").count() == 0
    assert resident.inner_text("[data-testid=my-rating]").strip() == "您的评价: 满意"
    _axe_clean(resident)
    _shot(resident, "15_resident_rated")

    # The desk closes the rated case; the resident sees it closed.
    desk.reload()
    assert _status(desk) == "已评价"
    _act(desk, "close")
    assert _status(desk) == "已结案"
    case.refresh_from_db()
    assert case.status == "closed" and case.satisfaction == "satisfied" and case.solved
    assert case.closed_at <= timezone.now()
    resident.reload()
    assert resident.inner_text("[data-testid=my-case-status]").strip() == "已结案"
    assert (
        resident.locator("[aria-current=step]").count() == 0
        and resident.locator(".progress-steps .done").count() == 5
    )
    _shot(resident, "16_resident_closed")
    resident.click("[data-linli-large]")  # 大字模式: still no sideways scrolling
    resident.wait_for_function("document.documentElement.classList.contains('linli-large')")
    _no_overflow(resident)
    _axe_clean(resident)
    _shot(resident, "17_resident_closed_large_text")
    assert not resident.errors, resident.errors
    assert not desk.errors and not worker.errors, (desk.errors, worker.errors)


def test_a_department_handles_its_case_and_the_street_supervises_an_overdue_one(
    live_server,
    new_page,
    media,
    world,
    building,
    community_staff,
    department_staff,
    street_supervisor,
    grid_worker_a,
):
    from django.utils import timezone

    from linli.cases import actions
    from linli.cases.models import Case, Category

    base = live_server.url
    lamp = Category.objects.get(code="MUNI.STREETLIGHT")
    roads = actions.case_create(
        actor=None,
        category=Category.objects.get(code="MUNI.ROAD"),
        description="阳光小区门口人行道塌陷，有积水",
        channel="hotline",
        place=building,
        reporter_phone="13800001111",
    )
    late = actions.case_create(
        actor=None,
        category=lamp,
        description="3号楼楼道灯一直不亮",
        channel="hotline",
        place=building,
        reporter_phone="13800002222",
    )
    actions.case_accept(case=late, actor=community_staff)
    actions.case_dispatch(
        case=late, actor=community_staff, owner_user=grid_worker_a.pk, owner_kind="grid_worker"
    )
    Case.objects.filter(pk=late.pk).update(
        handle_due=timezone.now() - timedelta(days=2), sign_due=timezone.now() - timedelta(days=3)
    )

    # The desk sends the first case to the department.
    desk = new_page()
    log_in(desk, base, "staff_c")
    desk.goto(f"{base}/cases/{roads.pk}/")
    _act(desk, "accept")
    _act(desk, "dispatch", owner=f"d:{world.department.pk}")
    assert _status(desk) == "已派遣"
    assert "测试城管中队" in desk.inner_text("main")

    # The department: its inbox, sign, handle, report back.
    dept = new_page()
    log_in(dept, base, "dept_staff")
    dept.goto(f"{base}/cases/department")
    assert "部门待办" in dept.inner_text("h1")
    assert roads.number in dept.inner_text("[data-testid=worklist]")
    _shot(dept, "18_department_inbox")
    dept.click(f"text={roads.number}")
    dept.wait_for_load_state("networkidle")
    _act(dept, "sign")
    _act(dept, "handle")
    _act(dept, "report", reply="人行道已修补，积水已排。")
    assert _status(dept) == "已反馈"
    _shot(dept, "19_department_reported_back")
    dept.goto(f"{base}/cases/department")
    dept.click("[data-testid=department-tabs] >> text=部门已办")
    dept.wait_for_load_state("networkidle")
    assert roads.number in dept.inner_text("[data-testid=worklist]")
    desk.reload()  # the desk verifies the department's work
    assert _status(desk) == "已反馈" and "人行道已修补，积水已排。" in _timeline(desk)
    _act(desk, "verify")
    assert _status(desk) == "已核查"

    # The street supervisor: the overdue list, then supervise with a note and a new deadline.
    sup = new_page()
    log_in(sup, base, "supervisor")
    sup.goto(f"{base}/cases/supervise")
    assert "超期督办" in sup.inner_text("h1")
    table = sup.inner_text("[data-testid=worklist]")
    assert late.number in table and roads.number not in table
    _shot(sup, "20_supervisor_overdue_list")
    assert sup.evaluate("document.documentElement.scrollWidth") <= 1280  # the navbar fits
    sup.click(f"text={late.number}")
    sup.wait_for_load_state("networkidle")
    new_due = (timezone.localdate() + timedelta(days=3)).isoformat()
    _act(sup, "supervise", note="请两天内修好并回复居民", due=new_due)
    timeline = _timeline(sup)
    assert "督办" in timeline and "请两天内修好并回复居民" in timeline
    assert sup.inner_text("[data-testid=new-due]").startswith(f"新的时限: {new_due}")
    late.refresh_from_db()
    assert timezone.localtime(late.handle_due).date().isoformat() == new_due
    _shot(sup, "21_supervisor_supervised")
    assert not desk.errors and not dept.errors and not sup.errors, (desk.errors, dept.errors, sup.errors)
