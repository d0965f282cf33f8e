"""Issue 15's "done when", tried in the browser as new users would, in Chinese: a compound's branch
secretary opens the month's evaluation on a laptop, the building heads score on their phones (390×844),
the secretary closes and publishes, and the red flags appear on the round and on a building's QR page.

Screenshots: $LINLI_SCREENS (default /work/notes/screens)/i15_*.png when the directory exists."""

from __future__ import annotations

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
        page.screenshot(path=str(SCREENS / f"i15_{name}.png"), full_page=True)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.fixture
def w15(world):
    from linli.evaluation.defaults import defaults_ensure
    from linli.party.actions import org_create
    from linli.places.actions import place_create

    defaults_ensure()  # a transactional test empties the tables the migrations filled
    compound = place_create(kind="compound", name="岩岭小区", parent=world.grid_a)
    buildings = [place_create(kind="building", name=f"{i}幢", parent=compound) for i in (1, 2, 3, 4)]
    secretary = make_user("shuji", "party_member", place=compound, display_name="岩岭支部书记")
    committee = org_create(kind="committee", name="测试一社区党委", place=world.community, actor=None)
    org_create(kind="branch", name="岩岭小区党支部", place=compound, parent=committee, secretary=secretary, actor=None)
    heads = [make_user(f"louzhang{i}", "building_head", place=b, display_name=f"{b.name}楼长")
             for i, b in enumerate(buildings, start=1)]
    return {"compound": compound, "buildings": buildings, "secretary": secretary, "heads": heads}


def test_issue15_the_month_evaluation(new_page, live_server, w15):
    from django.utils import timezone

    from linli.evaluation.models import EvaluationRound, ScoreSheet

    base = live_server.url
    secretary = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(secretary, base, w15["secretary"].username)
    secretary.goto(f"{base}/evaluation/")
    _shot(secretary, "01_secretary_rounds")
    with secretary.expect_navigation():
        secretary.click("[data-testid=open-round]")
    secretary.select_option("#compound", str(w15["compound"].pk))
    today = timezone.localdate()
    secretary.fill("#month", f"{today:%Y-%m}")
    secretary.fill("#closes_on", today.isoformat())
    _shot(secretary, "02_open_round")
    with secretary.expect_navigation():
        secretary.click("[data-testid=submit-round]")
    rnd = EvaluationRound.objects.get()
    assert rnd.status == "open" and rnd.organiser == "branch"

    # Each building head scores the other buildings on the phone; better marks for 1幢 and 2幢.
    marks = {"1幢": "9", "2幢": "9", "3幢": "7", "4幢": "6"}
    for n, head in enumerate(w15["heads"]):
        phone = new_page(**PHONE_OPTIONS)
        log_in(phone, base, head.username)
        phone.goto(f"{base}/evaluation/mine/")
        with phone.expect_navigation():
            phone.locator("[data-testid=open-sheet] a").first.click()
        for target in phone.locator("[data-testid=target]").all():
            value = marks[target.locator("legend").inner_text().strip()]
            for box in target.locator("input[type=number]").all():
                box.fill(value)
        _fits(phone, PHONE["width"])
        if n == 0:
            _shot(phone, "03_head_sheet_phone")
        with phone.expect_navigation():
            phone.click("[data-testid=submit-sheet]")
        phone.close()
    assert ScoreSheet.objects.filter(round=rnd).count() == 4

    secretary.goto(f"{base}/evaluation/rounds/{rnd.pk}/")
    for name in ("close", "publish"):
        with secretary.expect_navigation():
            secretary.click(f"[data-testid=do-{name}]")
    rnd.refresh_from_db()
    assert rnd.status == "published"
    _shot(secretary, "04_published")
    assert "提交评分表" in secretary.inner_text("body")  # the round's record reads in Chinese, not raw kinds
    flagged = secretary.locator("[data-testid=rank-row]:has([data-testid=red-flag])")
    assert flagged.count() == 3  # 1幢 and 2幢 tie on top; 3幢 third; 4幢 without the flag
    first = w15["buildings"][0]
    first.refresh_from_db()
    qr = new_page(**PHONE_OPTIONS)
    qr.goto(f"{base}/r/{first.public_code}")
    assert qr.locator("[data-testid=building-badges]").count() == 1
    _fits(qr, PHONE["width"])
    _shot(qr, "05_qr_page_flag")


def test_issue15_a_street_campaign_files_cases_that_grid_workers_close(
    new_page, live_server, world, street_supervisor, community_staff, tmp_path
):
    """The street starts a 创文 campaign on a laptop; the grid worker inspects a compound on the phone, a
    failed item with its photo; the problem is one case owned by that grid worker, who signs for it,
    handles it and reports back with a photo of the work; the community desk verifies it from its home
    counts (nobody is left to rate a patrol finding: it closes as resolved); the campaign's progress then
    counts the problem as fixed."""
    from PIL import Image

    from linli.cases.models import Case
    from linli.evaluation.defaults import defaults_ensure
    from linli.evaluation.models import Campaign, ChecklistTemplate
    from linli.places.actions import place_create

    defaults_ensure()
    place_create(kind="compound", name="泥营小区", parent=world.grid_a)
    worker = make_user("wanggw15", "grid_worker", place=world.grid_a, display_name="王网格")
    photo = tmp_path / "corridor.jpg"
    Image.new("RGB", (64, 48), (90, 60, 30)).save(photo, format="JPEG")
    after = tmp_path / "corridor_after.jpg"
    Image.new("RGB", (64, 48), (220, 220, 220)).save(after, format="JPEG")
    base = live_server.url

    street = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(street, base, street_supervisor.username)
    street.goto(f"{base}/evaluation/campaigns/")
    with street.expect_navigation():
        street.click("[data-testid=new-campaign]")
    street.fill("#name", "创文迎检专项整治")
    street.select_option("#kind", "civilised_city")
    street.select_option("#template", str(ChecklistTemplate.objects.get(kind="civilised_city").pk))
    street.select_option("#place", str(world.community.pk))
    _shot(street, "06_campaign_new")
    with street.expect_navigation():
        street.click("[data-testid=create-campaign]")
    with street.expect_navigation():
        street.click("[data-testid=do-start]")
    campaign = Campaign.objects.get()
    assert campaign.status == "running"

    phone = new_page(**PHONE_OPTIONS)
    log_in(phone, base, worker.username)
    phone.goto(f"{base}/evaluation/campaigns/")
    with phone.expect_navigation():
        phone.locator("[data-testid=my-target] a").first.click()
    for item in campaign.template.items.all():
        verdict = "fail" if item.code == "corridor" else "pass"
        phone.click(f"label[for={verdict}-{item.code}]")
    phone.set_input_files("#photo-corridor", str(photo))
    _fits(phone, PHONE["width"])
    _shot(phone, "07_inspect_phone")
    with phone.expect_navigation():
        phone.click("[data-testid=submit-inspection]")
    case = Case.objects.get()
    assert case.owner_user_id == worker.pk and case.sign_due is not None  # an owner and a deadline

    # The grid worker finds the case among their own work, signs for it, handles it and reports back.
    phone.goto(f"{base}/")
    with phone.expect_navigation():
        phone.locator("[data-testid=count]", has_text="我的在办件").first.click()
    _shot(phone, "08a_worklist_phone")
    with phone.expect_navigation():
        phone.click(f"text={case.number}")
    for action, fill in (("sign", None), ("handle", None), ("report", "楼道杂物已清理，堆放点已撤除")):
        opener = phone.locator(f"[data-action={action}]")
        if opener.get_attribute("type") == "submit":  # a step without inputs: its button posts at once
            with phone.expect_navigation():
                opener.click()
        else:  # a step with inputs: its button opens the form
            opener.click()
            if fill:
                phone.fill(f"[data-testid=form-{action}] [name=reply]", fill)
                phone.set_input_files(f"[data-testid=form-{action}] [name=photos]", str(after))
            with phone.expect_navigation():
                phone.click(f"[data-testid=submit-{action}]")
        if action == "sign":
            _shot(phone, "08_case_signed_phone")
    case.refresh_from_db()
    assert case.status == "reported_back"
    _fits(phone, PHONE["width"])
    _shot(phone, "08b_case_reported_back_phone")

    # The community desk, from its home count of work to verify, verifies it; a patrol finding has nobody
    # to rate it, so the case closes as resolved in the same step.
    desk = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(desk, base, community_staff.username)
    with desk.expect_navigation():
        desk.locator("[data-testid=count]", has_text="待核查").first.click()
    with desk.expect_navigation():
        desk.click(f"text={case.number}")
    desk.click("[data-action=verify]")
    with desk.expect_navigation():
        desk.click("[data-testid=submit-verify]")
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_reason == "resolved"
    _shot(desk, "09_case_closed_desk")
    assert not desk.errors and not phone.errors, (desk.errors, phone.errors)

    street.goto(f"{base}/evaluation/campaigns/{campaign.pk}/")
    assert street.inner_text("[data-testid=problems]").strip() == "1"
    assert street.inner_text("[data-testid=fixed]").strip() == "1"
    assert case.number in street.inner_text("main")
    _shot(street, "10_campaign_progress")
