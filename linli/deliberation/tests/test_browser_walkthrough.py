"""Issue 13's "done when", tried in the browser as new users would, in Chinese: a resident reports a matter on a
phone (390×844); community staff (1366×768) turn the case into a topic, debate it at the residents' day on the
10th (议事日), put it to an owners' vote that the resident casts on the phone, record the decision, which opens a
project; donations fund it, milestones with a photo show its progress, the works complete and the resident
rates the result; the one timeline shows every step. Every page fits the phone and passes axe.

Screenshots: /tmp/wt13/walk/*.png (when the directory exists).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from linli.core.testing.browser import PHONE, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/wt13/walk"
LAPTOP = {"width": 1366, "height": 768}
PHONE_OPTIONS = {"viewport": PHONE, "bypass_csp": True, "is_mobile": True, "has_touch": True}


def _check(page, name: str, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, page.url)
    assert axe_violations(page) == [], name
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _go(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_case_topic_residents_day_owners_vote_project_money_milestones_rating(
        new_page, live_server, world, community_staff, compound, make_house, make_voter, settings, tmp_path):
    from PIL import Image

    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Case
    from linli.core.workdays import is_working_day
    from linli.deliberation.actions import ballot_enter_paper, residents_day_date
    from linli.deliberation.models import Ballot, Decision, Meeting, Project, RollEntry, Topic, Vote
    from linli.places.models import Place

    settings.MEDIA_ROOT = tmp_path / "media"
    categories_restore_default()
    resident = make_voter(place=make_house("100.00"), owner=True, username="owner_wang")
    neighbour = make_voter(place=make_house("100.00"), owner=True)
    make_voter(place=make_house("80.00"), owner=True)  # a third owner who does not vote
    building = Place.objects.get(kind="building", parent=compound)
    photo = tmp_path / "works.jpg"
    Image.new("RGB", (320, 240), (90, 150, 90)).save(photo, format="JPEG")
    base = live_server.url

    # 1. The resident reports on the phone, from the building's QR code.
    phone = new_page(**PHONE_OPTIONS)
    log_in(phone, base, resident.username)
    phone.goto(f"{base}/r/{building.public_code}")
    phone.fill("#cat-search", "停车")
    phone.locator("[data-testid=category-list] a:visible", has_text="乱停乱放").first.click()
    phone.wait_for_load_state("networkidle")
    phone.fill("#id_description", "小区车位太少，晚上车停满消防通道，希望把拆墙后的空地改成停车场")
    _check(phone, "01_resident_reports_phone", PHONE["width"])
    _go(phone, "[data-testid=report-submit]")
    number = phone.inner_text("[data-testid=case-number]").strip()
    case = Case.objects.get(number=number)

    # 2. Staff turn the case into a topic and put it on the agenda.
    desk = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(desk, base, community_staff.username)
    desk.goto(f"{base}/deliberation/")
    desk.fill("#from-case", number)
    _go(desk, "[data-testid=from-case]")
    topic = Topic.objects.get(case=case)
    assert desk.url.endswith(f"/deliberation/topics/{topic.pk}/") and topic.raised_by_id == resident.pk
    _go(desk, "[data-testid=do-schedule]")
    _check(desk, "02_topic_desktop", LAPTOP["width"])

    # 3. The residents' day on the 10th (the next working day when the 10th is not one) debates it.
    desk.goto(f"{base}/deliberation/meetings/")
    _go(desk, "[data-testid=schedule]")
    today = dt.date.today()
    meeting = Meeting.objects.get(kind="residents_day", starts_at__year=today.year, starts_at__month=today.month)
    day = residents_day_date(today.year, today.month)
    assert meeting.starts_at.astimezone().date() == day and day.day >= 10 and is_working_day(day)
    assert all(not is_working_day(d) for d in (dt.date(today.year, today.month, n) for n in range(10, day.day)))
    # A meeting opens on its day, not before: the walkthrough holds this month's residents' day today.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=dt.datetime.now(dt.UTC))
    desk.goto(f"{base}/deliberation/meetings/{meeting.pk}/")
    desk.select_option("#agenda-topic", str(topic.pk))
    _go(desk, "[data-testid=agenda-add]")
    _go(desk, "[data-testid=do-start]")
    desk.fill("[data-testid=form-finish] [name=minutes]", "居民、业委会、物业三方议事：拆墙后的空地改建停车场，提交业主表决。")
    _go(desk, "[data-testid=do-finish]")
    assert Topic.objects.get(pk=topic.pk).status == "debated"
    _check(desk, "03_residents_day_desktop", LAPTOP["width"])

    # 4. An owners' vote on the topic (Civil Code Art. 278), opened by staff.
    desk.goto(f"{base}/deliberation/topics/{topic.pk}/")
    _go(desk, f"a[href='/deliberation/votes/new/?topic={topic.pk}']")
    desk.fill("#id_title", "空地改建停车场业主表决")
    desk.select_option("#id_place", str(compound.pk))
    desk.select_option("#id_electorate", "owners")
    desk.select_option("#id_rule", "owners_ordinary")
    desk.fill("#id_closes_at", (dt.datetime.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    _go(desk, "[data-testid=submit]")
    vote = Vote.objects.get(topic=topic)
    _go(desk, "[data-testid=do-open]")
    assert Vote.objects.get(pk=vote.pk).status == "open"

    # 5. The resident votes on the phone, from the topic.
    phone.goto(f"{base}/deliberation/topics/{topic.pk}/")
    _check(phone, "04_topic_phone", PHONE["width"])
    _go(phone, f"a[href='/deliberation/votes/{vote.pk}/']")
    _check(phone, "05_vote_phone", PHONE["width"])
    _go(phone, "[data-testid=choice-agree]")
    assert phone.locator("[data-testid=my-ballot]").is_visible()
    _check(phone, "06_voted_phone", PHONE["width"])
    entry = RollEntry.objects.get(vote=vote, members__person=neighbour.person)
    ballot_enter_paper(actor=community_staff, vote=vote, entry=entry.pk, choice="agree", paper_number="001")
    assert Ballot.objects.filter(vote=vote).count() == 2

    # 6. Staff count (2 of 3 owners, 200 of 280 m² take part: ≥ 2/3; all agree), publish, and record the decision.
    desk.goto(f"{base}/deliberation/votes/{vote.pk}/")
    _go(desk, "[data-testid=do-close]")
    assert Vote.objects.get(pk=vote.pk).passed is True
    _go(desk, "[data-testid=do-publish]")
    _check(desk, "07_vote_result_desktop", LAPTOP["width"])
    desk.goto(f"{base}/deliberation/meetings/{meeting.pk}/")
    desk.fill("#d-text", "拆墙后的空地改建停车场，业主自愿捐款，社区经费补足")
    desk.fill("#d-owner", "陈主任")
    desk.fill("#d-deadline", (today + dt.timedelta(days=90)).isoformat())
    desk.select_option("#d-topic", str(topic.pk))
    desk.select_option("#d-vote", str(vote.pk))
    _go(desk, "[data-testid=decision-add]")
    decision = Decision.objects.get(topic=topic)
    assert decision.vote_id == vote.pk and Topic.objects.get(pk=topic.pk).status == "decided"

    # 7. The decision opens a project; donations fund it; milestones show its progress; the works complete.
    desk.goto(f"{base}/deliberation/decisions/{decision.pk}/")
    desk.fill("#project-title", "空地停车场")
    desk.select_option("#project-kind", "parking")
    desk.fill("#project-budget", "50000")
    _go(desk, "[data-testid=open-project]")
    project = Project.objects.get(decision=decision)
    assert project.status == "funding" and project.vote_id == vote.pk
    for kind, amount, who in (("donation", "30000", "辖区共建单位"), ("contribution", "12000", "业主"),
                              ("budget", "8000", "社区经费")):
        desk.select_option("#m-kind", kind)
        desk.fill("#m-amount", amount)
        desk.fill("#m-who", who)
        _go(desk, "[data-testid=money-submit]")
    assert Project.objects.get(pk=project.pk).raised_fen() == 5_000_000
    _go(desk, "[data-testid=do-start]")
    desk.fill("#ms-title", "拆除围墙、场地平整")
    desk.fill("#ms-done", (today - dt.timedelta(days=1)).isoformat())
    desk.set_input_files("#ms-photos", str(photo))
    _go(desk, "[data-testid=milestone-submit]")
    desk.fill("#ms-title", "划线、安装道闸")
    desk.fill("#ms-planned", (today + dt.timedelta(days=20)).isoformat())
    _go(desk, "[data-testid=milestone-submit]")
    assert desk.locator("[data-testid=milestones] img").count() == 1
    _check(desk, "08_project_desktop", LAPTOP["width"])
    desk.fill("[data-testid=form-complete] [name=note]", "停车场建成，新增32个车位")
    _go(desk, "[data-testid=do-complete]")

    # 8. The resident follows the project on the phone and rates the result.
    phone.goto(f"{base}/deliberation/projects/{project.pk}/")
    assert phone.locator("[data-testid=milestones] img").count() == 1
    _check(phone, "09_project_phone", PHONE["width"])
    _go(phone, "[data-testid=rate-satisfied]")
    project.refresh_from_db()
    assert (project.rating_count, project.satisfied_count) == (1, 1)

    # 9. One timeline: case → topic → meeting → vote → decision → project → milestones → result.
    phone.goto(f"{base}/deliberation/timeline/project/{project.pk}/")
    stages = phone.eval_on_selector_all("[data-stage]", "els => els.map(e => e.dataset.stage)")
    for stage in ("case", "topic", "meeting", "vote", "decision", "project", "milestones", "result"):
        assert stage in stages, (stage, stages)
    assert stages.index("case") < stages.index("topic") < stages.index("meeting") < stages.index("vote")
    assert stages.index("vote") < stages.index("decision") < stages.index("project") < stages.index("result")
    _check(phone, "10_timeline_phone", PHONE["width"])
    desk.goto(f"{base}/deliberation/timeline/project/{project.pk}/")
    _check(desk, "10_timeline_desktop", LAPTOP["width"])


def test_honours_and_the_think_tank_in_the_browser(new_page, live_server, world, community_staff, make_voter,
                                                   make_person):
    """A resident nominates on the phone and votes; staff open, count and publish; anybody reads the winners;
    the think tank's experts and their opinions on a topic, at both sizes."""
    import datetime

    from django.utils import timezone

    from linli.deliberation.actions import (
        ballot_cast,
        expert_add,
        expert_opinion_record,
        honour_nominate,
        honour_round_create,
        topic_raise,
    )
    from linli.deliberation.models import HonourCategory, HonourContest, HonourNomination

    base = live_server.url
    rnd = honour_round_create(actor=community_staff, community=world.community, year=timezone.localdate().year)
    make_person("王秀英")
    make_person("李桂兰")
    resident, neighbour = make_voter(username="nominator_li"), make_voter()
    granny = HonourCategory.objects.get(community=world.community, name="好婆婆")
    honour_nominate(actor=neighbour, round=rnd, category=granny, name="李桂兰", reason="帮邻居带孩子")

    phone = new_page(**PHONE_OPTIONS)
    log_in(phone, base, resident.username)
    phone.goto(f"{base}/")
    _go(phone, "a.tile[href='/deliberation/honours/']")
    _go(phone, f"a[href='/deliberation/honours/{rnd.pk}/']")
    phone.click("[data-testid=nominate-open-1]")
    phone.fill(f"#n-name-{granny.pk}", "王秀英")
    phone.fill(f"#n-reason-{granny.pk}", "照顾卧病的儿媳十余年")
    _check(phone, "11_nominate_phone", PHONE["width"])
    _go(phone, "[data-testid=nominate]")
    assert HonourNomination.objects.filter(round=rnd).count() == 2
    assert "王**" in phone.inner_text("main") and "王秀英" not in phone.inner_text("main")

    desk = new_page(viewport=LAPTOP, bypass_csp=True)
    log_in(desk, base, community_staff.username)
    desk.goto(f"{base}/deliberation/honours/{rnd.pk}/")
    desk.fill("[data-testid=form-open_vote] [name=closes_at]", (datetime.datetime.now() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"))
    _go(desk, "[data-testid=do-open_vote]")
    _check(desk, "12_honours_voting_desktop", LAPTOP["width"])
    vote_id = HonourContest.objects.get(round=rnd).vote_id
    phone.goto(f"{base}/deliberation/honours/{rnd.pk}/")
    _go(phone, "[data-testid=honour-vote]")
    wang = HonourNomination.objects.get(round=rnd, label="王**")
    _go(phone, f"[data-testid=choice-{wang.option_key}]")
    ballot_cast(actor=neighbour, vote=vote_id, choice=wang.option_key)
    _go(desk, "[data-testid=do-count]")
    _go(desk, "[data-testid=do-publish]")
    anon = new_page(**PHONE_OPTIONS)
    anon.goto(f"{base}/deliberation/public/honours/{rnd.pk}/")
    assert "王**" in anon.inner_text("[data-testid=honour-winners]")
    _check(anon, "13_honours_public_phone", PHONE["width"])

    expert = expert_add(actor=community_staff, community=world.community, name="郑浩", kind="lawyer",
                        specialties="物业纠纷、业主大会", title="执业律师")
    expert_add(actor=community_staff, community=world.community, name="何建军", kind="technician",
               specialties="停车场设计、消防", title="高级工程师")
    topic = topic_raise(actor=community_staff, title="小区停车位不足", place=world.community)
    desk.goto(f"{base}/deliberation/topics/{topic.pk}/")
    desk.select_option("#inv-expert", str(expert.pk))
    _go(desk, "[data-testid=expert-invite]")
    expert_opinion_record(actor=community_staff, topic=topic, expert=expert.pk,
                          text="空地属全体业主共有，改建停车场须经业主大会表决。")
    for page, width, tag in ((phone, PHONE["width"], "phone"), (desk, LAPTOP["width"], "desktop")):
        page.goto(f"{base}/deliberation/topics/{topic.pk}/")
        assert "须经业主大会表决" in page.inner_text("[data-testid=think-tank]")
        _check(page, f"14_topic_think_tank_{tag}", width)
        page.goto(f"{base}/deliberation/experts/")
        assert page.locator("[data-testid=expert]").count() == 2
        _check(page, f"15_experts_{tag}", width)
