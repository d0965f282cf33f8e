"""The hall's lists page through the one pager: the next page holds the rest, the filters survive the "More"
link, scope still applies; the catalog says when it shows only its first services."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.testing.pages import more_href, walk_pages
from linli.core.testing.personas import PASSWORD, make_user
from linli.hall import selectors


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def small_pages(monkeypatch):
    from django.urls import get_resolver

    get_resolver().url_patterns  # the API modules read their defaults at import: import them unpatched
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)


def _count(bodies, testid):
    return [b.count(f'data-testid="{testid}"') for b in bodies]


def test_the_desk_pages_through_the_rest_and_keeps_its_filter(client, small_pages, submit, app_in_state,
                                                              community_staff, outsider):
    submitted = [submit() for _ in range(5)]
    app_in_state("accepted")
    _login(client, community_staff)
    bodies = walk_pages(client, reverse("hall:desk"), {"status": "submitted"})
    assert _count(bodies, "application") == [2, 2, 1]
    assert all("status=submitted" in more_href(b) for b in bodies[:-1])
    shown = {int(n) for b in bodies for n in re.findall(r'href="/hall/applications/(\d+)/"', b)}
    assert shown == {a.pk for a in submitted}
    client.logout()
    _login(client, outsider)
    assert _count(walk_pages(client, reverse("hall:desk"), {"status": "submitted"}), "application") == [0]


def test_my_applications_page_through_the_rest(client, small_pages, submit, applicant, resident):
    for _ in range(3):
        submit()
    _login(client, applicant)
    assert _count(walk_pages(client, reverse("hall:mine")), "application") == [2, 1]
    client.logout()
    _login(client, resident)
    assert _count(walk_pages(client, reverse("hall:mine")), "application") == [0]


def test_the_approvals_page_keeps_all_on_the_next_page(client, small_pages, world, community_staff, outsider):
    from linli.hall.actions import room_book, room_save

    room = room_save(actor=None, place=world.community.pk, centre="中心", name="舞蹈室", kind="dance", capacity=20,
                     opens=dt.time(8), closes=dt.time(21), needs_approval=True)
    booker = make_user("booker_l", "resident", place=world.grid_a)
    day = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    for hour in (8, 9, 10):
        start = dt.datetime.combine(day, dt.time(hour), timezone.get_current_timezone())
        room_book(actor=booker, room=room, starts_at=start, ends_at=start + dt.timedelta(hours=1), purpose="排练")
    _login(client, community_staff)
    bodies = walk_pages(client, reverse("hall:room_approvals"), {"all": "1"})
    assert _count(bodies, "booking") == [2, 1] and "all=1" in more_href(bodies[0])
    client.logout()
    _login(client, outsider)
    assert _count(walk_pages(client, reverse("hall:room_approvals"), {"all": "1"}), "booking") == [0]
    client.logout()
    _login(client, booker)
    assert _count(walk_pages(client, reverse("hall:my_bookings")), "booking") == [2, 1]


def test_the_catalog_says_when_it_shows_only_its_first_services(client, applicant, catalog, monkeypatch):
    from linli.hall import views

    _login(client, applicant)
    body = client.get(reverse("hall:services")).content.decode()
    assert body.count('data-testid="service"') == 44 and 'data-testid="services-cut"' not in body
    monkeypatch.setattr(views, "SERVICES_SHOWN", 10)
    body = client.get(reverse("hall:services")).content.decode()
    assert body.count('data-testid="service"') == 10 and 'data-testid="services-cut"' in body


def test_the_classes_and_my_classes_page_through_the_rest(client, small_pages, world, community_staff, monkeypatch):
    from linli.core import ui
    from linli.hall.actions import course_enrol, course_save
    from linli.residents.actions import person_create

    today = timezone.localdate()
    courses = [course_save(actor=community_staff, place=world.community.pk, kind="skills", title=f"培训班{i}", quota=9,
                           starts_on=today, ends_on=today + dt.timedelta(days=30)) for i in range(3)]
    learner = make_user("learner_l", "resident", place=world.grid_a, phone="13711110009")
    person_create(actor=None, name="赵小梅", place=world.grid_a, phone="13711110009")
    for course in courses:
        course_enrol(actor=learner, course=course)
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    _login(client, community_staff)  # enrolled in nothing: the classes' "More" only
    bodies = walk_pages(client, reverse("hall:classes"), {"kind": "skills"})
    assert _count(bodies, "class-card") == [2, 1] and "kind=skills" in more_href(bodies[0])
    client.logout()
    _login(client, learner)
    first = client.get(reverse("hall:classes"), {"kind": "skills"}).content.decode()
    hrefs = re.findall(r'href="(\?[^"]*)" data-testid="more"', first)
    assert len(hrefs) == 2 and "mine_after=" in hrefs[0]  # my classes have their own "More"
    rest = client.get(reverse("hall:classes") + html.unescape(hrefs[0])).content.decode()
    mine = re.compile(r'<a class="fs-5" href="/hall/classes/(\d+)/"')
    assert len(mine.findall(first)) == 2 and len(mine.findall(rest)) == 1
    assert {int(n) for n in mine.findall(first) + mine.findall(rest)} == {c.pk for c in courses}


def test_the_rooms_say_when_they_show_only_the_first(client, world, community_staff, monkeypatch):
    from linli.hall.actions import room_save

    for name in ("舞蹈室", "书画室", "棋牌室"):
        room_save(actor=None, place=world.community.pk, centre="中心", name=name, kind="dance", capacity=20,
                  opens=dt.time(8), closes=dt.time(21), needs_approval=False)
    _login(client, community_staff)
    body = client.get(reverse("hall:rooms")).content.decode()
    assert body.count('data-testid="room"') == 3 and 'data-testid="cut"' not in body
    monkeypatch.setattr(selectors, "ROOMS_SHOWN", 2)
    body = client.get(reverse("hall:rooms")).content.decode()
    assert body.count('data-testid="room"') == 2 and 'data-testid="cut"' in body
