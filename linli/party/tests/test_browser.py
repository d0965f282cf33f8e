"""The party organisation pages in a real browser, in Chinese, as community staff use them: the tree,
a registration approved from its page, a joint meeting with a problem filed as a case; axe-core's
WCAG 2 A/AA rules on each page. Screenshots go to /work/notes/screens/ when that folder exists."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from linli.core.testing.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser]
SCREENS = Path("/work/notes/screens")


@pytest.fixture
def page(new_page, live_server, transactional_db):
    return new_page(bypass_csp=True)


def _shot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / f"party_{name}.png"), full_page=True)


def test_staff_work_the_party_pages_in_chinese(page, live_server, world, community_staff, make_person):
    from linli.cases.defaults import categories_restore_default
    from linli.party.actions import (
        member_create,
        org_create,
        partner_create,
        registration_submit,
        role_assign,
    )
    from linli.places.actions import place_create

    categories_restore_default()
    compound = place_create(kind="compound", name="幸福小区", parent=world.grid_a)
    building = place_create(kind="building", name="1幢", parent=compound)
    committee = org_create(kind="committee", name="测试一社区党委", place=world.community, actor=None)
    branch = org_create(kind="branch", name="幸福小区党支部", place=compound, parent=committee, actor=None)
    group = org_create(kind="group", name="1幢党小组", place=building, parent=branch, actor=None)
    for i in range(3):
        m = member_create(person=make_person(f"党员{i}"), org=group, grid=world.grid_a, actor=None)
    role_assign(member=m, role="building_head", place=building, actor=None)
    for i, name in enumerate(["区供电局", "区人民医院", "实验小学", "物业公司"], start=1):
        partner_create(community=world.community, name=name, big_committee=True, rotation_order=i, actor=None)
    reg = registration_submit(
        kind="member",
        community=world.community,
        person=make_person("李在职"),
        unit_name="区税务局",
        actor=None,
    )

    base = live_server.url
    log_in(page, base, community_staff.username)
    page.goto(f"{base}/party/")
    page.wait_for_selector("[data-testid=org-tree]")
    assert "幸福小区党支部" in page.inner_text("[data-testid=org-tree]")
    assert "组织架构" in page.content() and "轮值" in page.content()
    _shot(page, "tree")
    assert axe_violations(page) == []

    page.goto(f"{base}/party/registrations/{reg.pk}/")
    page.click("[data-testid=actions] [data-action=approve]")  # opens the approval's form: the grid
    page.select_option("[data-testid=form-approve] select[name=grid]", str(world.grid_a.pk))
    page.click("[data-testid=submit-approve]")
    page.wait_for_load_state("networkidle")
    assert "已批准" in page.inner_text("[data-testid=status]")
    _shot(page, "registration")
    assert axe_violations(page) == []

    page.goto(f"{base}/party/meetings/")
    page.fill("input[name=title]", "十一月联席会")
    page.fill("input[name=held_on]", datetime.date.today().isoformat())
    page.locator("input[name=attendees]").first.check()
    page.click("[data-testid=meeting-submit]")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=title]", "楼道照明不足")
    page.click("[data-testid=problem-submit]")
    page.wait_for_load_state("networkidle")
    assert "楼道照明不足" in page.inner_text("[data-testid=problems]")
    _shot(page, "meeting")
    assert axe_violations(page) == []

    page.goto(f"{base}/party/members/")
    _shot(page, "members")
    assert axe_violations(page) == []
