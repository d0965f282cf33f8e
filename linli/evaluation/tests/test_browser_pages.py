"""Every evaluation page, as the roles that use it find it: from their home page (a tile or the menu), on a
phone (390×844) and on a laptop (1366×768) — nothing wider than the screen, no script or HTTP errors, the
page in Chinese. Screenshots: $LINLI_SCREENS (default /work/notes/screens)/i15_pages_*.png when the
directory exists."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from linli.core.testing.browser import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SCREENS = Path(os.environ.get("LINLI_SCREENS", "/work/notes/screens"))
LAPTOP = {"width": 1366, "height": 768}
SIZES = {"phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True}, "laptop": {"viewport": LAPTOP}}


@pytest.fixture
def w15pages(world, community_staff, street_supervisor, grid_worker_a):
    """A published round with its red flags, this month's survey, a training session, a running campaign."""
    from django.utils import timezone

    from linli.evaluation import actions
    from linli.evaluation.defaults import defaults_ensure
    from linli.evaluation.models import ChecklistTemplate, Questionnaire
    from linli.evaluation.tests.conftest import sheet_for
    from linli.places.actions import place_create

    defaults_ensure()
    compound = place_create(kind="compound", name="岩岭小区", parent=world.grid_a)
    buildings = [place_create(kind="building", name=f"{i}幢", parent=compound) for i in (1, 2, 3, 4)]
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rnd = actions.round_open(compound=compound, month=month, organiser="branch", closes_on=today,
                             actor=community_staff)
    for n, b in enumerate(buildings):
        actions.sheet_submit(round=rnd, building=b, scores=sheet_for(rnd, b, buildings, 6 + n), actor=community_staff)
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    actions.round_transition(round=rnd, name="publish", actor=community_staff)
    survey = actions.survey_open(questionnaire=Questionnaire.objects.filter(active=True).first(),
                                 community=world.community, month=today, sample_size=10, actor=community_staff)
    actions.training_record(title="12月书记讲堂", kind="lecture", place=world.community, held_on=today, hours="1.5",
                            attendees=[grid_worker_a], actor=community_staff, teacher="社区党委书记")
    campaign = actions.campaign_create(
        name="创文迎检", kind="civilised_city", template=ChecklistTemplate.objects.get(kind="civilised_city"),
        place=world.street, starts_on=today, ends_on=today + dt.timedelta(days=20),
        targets=[(compound, grid_worker_a)], actor=street_supervisor,
    )
    actions.campaign_transition(campaign=campaign, name="start", actor=street_supervisor)
    return {"round": rnd, "survey": survey, "campaign": campaign}


def _reachable(page, base: str, path: str) -> None:
    """The page is linked from the role's home page (a tile, a count or the menu)."""
    page.goto(f"{base}/")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.split("?")[0] == path for h in hrefs), (path, "not linked from the home page")


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_issue15_every_evaluation_page_fits_and_is_found(new_page, live_server, w15pages, community_staff,
                                                         street_supervisor, grid_worker_a, size):
    base = live_server.url
    width = SIZES[size]["viewport"]["width"]
    rnd, survey, campaign = w15pages["round"], w15pages["survey"], w15pages["campaign"]
    walks = {
        community_staff: [
            ("rounds", "/evaluation/", True), ("round", f"/evaluation/rounds/{rnd.pk}/", False),
            ("notice", "/evaluation/notice/", False), ("surveys", "/evaluation/surveys/", True),
            ("survey", f"/evaluation/surveys/{survey.pk}/", False), ("training", "/evaluation/training/", True),
            ("members", "/evaluation/members/", True), ("commitments", "/evaluation/commitments/", True),
        ],
        street_supervisor: [
            ("rankings", "/evaluation/rankings/", True), ("campaigns", "/evaluation/campaigns/", True),
            ("campaign", f"/evaluation/campaigns/{campaign.pk}/", False),
            ("campaign_new", "/evaluation/campaigns/new", False), ("street_training", "/evaluation/training/", True),
        ],
        grid_worker_a: [("my_inspections", "/evaluation/campaigns/", True)],
    }
    for user, pages in walks.items():
        page = new_page(bypass_csp=True, **SIZES[size])
        log_in(page, base, user.username)
        for name, path, on_home in pages:
            if on_home:
                _reachable(page, base, path)
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, (path, response and response.status)
            assert page.locator("html").get_attribute("lang") == "zh-CN", path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (size, path)
            if SCREENS.is_dir():
                page.screenshot(path=str(SCREENS / f"i15_pages_{size}_{name}.png"), full_page=True)
        assert not page.errors, (user.username, page.errors)
        page.close()
