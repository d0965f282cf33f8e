"""The party's lists page through the one pager: a list longer than a page says "More", the next page holds the
rest, the community chosen survives the link; a partner's page pages its meetings and its activities apart."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from linli.core import ui
from linli.core.testing.pages import more_href, walk_pages
from linli.core.testing.personas import PASSWORD
from linli.party.actions import activity_create, meeting_create, member_create, registration_submit


@pytest.fixture
def three_of_each(tree, world, partners, make_person, monkeypatch):
    day = datetime.date(2026, 2, 1)
    made = {
        "member": [member_create(person=make_person(), org=tree.group, grid=world.grid_a, actor=None).pk
                   for _ in range(3)],
        "meeting": [meeting_create(community=world.community, held_on=day, title=f"联席会{i}", attendees=partners[:1],
                                   actor=None).pk for i in range(3)],
        "activity": [activity_create(community=world.community, held_on=day, title=f"义诊{i}", partners=partners[:1],
                                     participants=5, actor=None).pk for i in range(3)],
        "registration": [registration_submit(kind="unit", community=world.community, unit_name=f"单位{i}",
                                             actor=None).pk for i in range(3)],
    }
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    return made


def _ids(bodies, pattern):
    return [sorted(int(n) for n in re.findall(pattern, b)) for b in bodies]


@pytest.mark.parametrize(("name", "kind", "pattern"), [
    ("party:member_list", "member", r'href="/party/members/(\d+)/"'),
    ("party:meeting_list", "meeting", r'href="/party/meetings/(\d+)/"'),
    ("party:registration_list", "registration", r'href="/party/registrations/(\d+)/"'),
])
def test_a_list_longer_than_a_page_says_more_and_the_next_page_holds_the_rest(
        client, community_staff, world, three_of_each, name, kind, pattern):
    assert client.login(username=community_staff.username, password=PASSWORD)
    bodies = walk_pages(client, reverse(name), {"community": world.community.pk})
    pages = _ids(bodies, pattern)
    assert [len(p) for p in pages] == [2, 1]
    assert sorted(pages[0] + pages[1]) == sorted(three_of_each[kind])
    if name != "party:registration_list":
        assert f"community={world.community.pk}" in more_href(bodies[0])


def test_the_branch_and_the_partner_pages_page_their_lists(client, community_staff, world, tree, partners,
                                                           three_of_each):
    assert client.login(username=community_staff.username, password=PASSWORD)
    bodies = walk_pages(client, reverse("party:org_detail", args=[tree.group.pk]))
    assert [len(p) for p in _ids(bodies, r'href="/party/members/(\d+)/"')] == [2, 1]
    partners_page = walk_pages(client, reverse("party:partner_list"), {"community": world.community.pk})
    assert [len(re.findall(r"义诊\d", b)) for b in partners_page] == [2, 1]
    detail = reverse("party:partner_detail", args=[partners[0].pk])
    first = client.get(detail).content.decode()
    meetings, activities = r'href="/party/meetings/(\d+)/"', r"义诊\d"
    assert (len(re.findall(meetings, first)), len(re.findall(activities, first))) == (2, 2)
    hrefs = re.findall(r'href="(\?[^"]*)" data-testid="more"', first)
    assert [h.split("=")[0] for h in hrefs] == ["?meetings_after", "?activities_after"]
    rest = client.get(detail + hrefs[0]).content.decode()
    assert (len(re.findall(meetings, rest)), len(re.findall(activities, rest))) == (1, 2)  # the other stays
