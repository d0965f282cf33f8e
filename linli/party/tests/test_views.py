"""The party pages: they render for staff with data, forms run the actions, residents only reach their
own registrations, list pages stay within query budgets whatever the number of rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.core.testing.personas import PASSWORD, make_user
from linli.party.actions import (
    activity_create,
    agreement_create,
    meeting_create,
    meeting_problem_file,
    member_create,
    registration_submit,
    role_assign,
)


@pytest.fixture
def data(tree, world, partners, make_person, categories, community_staff):
    members = [
        member_create(person=make_person(), org=tree.group, grid=world.grid_a, actor=None) for _ in range(3)
    ]
    role_assign(member=members[0], role="group_leader", place=tree.building, actor=None)
    meeting = meeting_create(
        community=world.community,
        held_on=datetime.date(2026, 2, 1),
        title="二月联席会",
        attendees=partners[:2],
        actor=None,
    )
    meeting_problem_file(
        meeting=meeting, title="楼道堆物", category="MUNI.STREETLIGHT", actor=community_staff
    )
    agreement_create(partner=partners[0], title="共建协议", signed_on=datetime.date(2026, 1, 1), actor=None)
    activity_create(
        community=world.community,
        held_on=datetime.date(2026, 3, 5),
        title="义诊",
        partners=partners[:2],
        participants=20,
        actor=None,
    )
    reg = registration_submit(kind="unit", community=world.community, unit_name="区供电局", actor=None)
    return {"members": members, "meeting": meeting, "reg": reg, "partners": partners}


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_every_page_renders_for_staff(client, community_staff, data, tree, world):
    _login(client, community_staff)
    pages = [
        reverse("party:home"),
        reverse("party:org_detail", args=[tree.branch.pk]),
        reverse("party:member_list"),
        reverse("party:member_detail", args=[data["members"][0].pk]),
        reverse("party:registration_list"),
        reverse("party:registration_new"),
        reverse("party:registration_detail", args=[data["reg"].pk]),
        reverse("party:meeting_list"),
        reverse("party:meeting_detail", args=[data["meeting"].pk]),
        reverse("party:partner_list"),
        reverse("party:partner_detail", args=[data["partners"][0].pk]),
        reverse("party:report"),
    ]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
    body = client.get(reverse("party:meeting_detail", args=[data["meeting"].pk])).content.decode()
    assert "楼道堆物" in body and "2026-" in body
    tree_page = client.get(reverse("party:home")).content.decode()
    from django.utils import timezone

    from linli.party.selectors import chair_for_month

    chair = chair_for_month(world.community, timezone.localdate())
    assert "1幢党小组" in tree_page and chair.name in tree_page  # the tree and this month's chair


def test_outsider_gets_404_on_objects(client, outsider, data, tree):
    _login(client, outsider)
    assert client.get(reverse("party:org_detail", args=[tree.branch.pk])).status_code == 404
    assert client.get(reverse("party:member_detail", args=[data["members"][0].pk])).status_code == 404
    assert client.get(reverse("party:meeting_detail", args=[data["meeting"].pk])).status_code == 404
    assert client.get(reverse("party:registration_detail", args=[data["reg"].pk])).status_code == 404


def test_resident_is_refused_the_staff_pages_but_registers(client, world, make_person, data):
    make_person("冯在职", phone="13600136000")
    user = make_user("serving3", "resident", place=world.grid_a, phone="13600136000")
    _login(client, user)
    assert client.get(reverse("party:home")).status_code == 403
    r = client.post(
        reverse("party:registration_new"),
        {"kind": "member", "community": world.community.pk, "unit_name": "区文旅局"},
    )
    assert r.status_code == 302
    listing = client.get(reverse("party:registration_list")).content.decode()
    assert "区文旅局" in listing and "区供电局" not in listing


def test_staff_approve_from_the_page(client, community_staff, world, data):
    _login(client, community_staff)
    url = reverse("party:registration_detail", args=[data["reg"].pk])
    r = client.post(url, {"action": "reject", "reason": ""})
    assert r.status_code == 200 and "reason" in r.content.decode()  # the error shown, nothing changed
    r = client.post(url, {"action": "approve"})
    assert r.status_code == 302
    data["reg"].refresh_from_db()
    assert data["reg"].status == "approved"
    r = client.post(url, {"action": "withdraw"})
    assert r.status_code == 200  # refused: shown on the form
    data["reg"].refresh_from_db()
    assert data["reg"].status == "approved"


def test_create_org_and_meeting_from_pages(client, community_staff, world, tree, data):
    _login(client, community_staff)
    r = client.post(
        reverse("party:home") + f"?community={world.community.pk}",
        {
            "community": world.community.pk,
            "kind": "branch",
            "name": "和谐小区党支部",
            "place": tree.compound_b.pk,
            "parent": tree.committee.pk,
        },
    )
    assert r.status_code == 302
    r = client.post(
        reverse("party:meeting_list"),
        {
            "community": world.community.pk,
            "held_on": "2026-04-02",
            "title": "四月联席会",
            "attendees": [data["partners"][0].pk],
        },
    )
    assert r.status_code == 302


@pytest.mark.parametrize(
    "name",
    [
        "party:home",
        "party:member_list",
        "party:meeting_list",
        "party:partner_list",
        "party:registration_list",
    ],
)
def test_list_pages_query_budget(client, community_staff, data, tree, make_person, world, name):
    _login(client, community_staff)
    client.get(reverse(name))  # warm up (session, caches)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name))
    for _ in range(6):
        member_create(person=make_person(), org=tree.branch, grid=world.grid_a, actor=None)
        registration_submit(kind="unit", community=world.community, unit_name=f"单位{_}{name}", actor=None)
    meeting_create(community=world.community, held_on=datetime.date(2026, 5, 1), title="五月", actor=None)
    with CaptureQueriesContext(connection) as many:
        r = client.get(reverse(name))
    assert r.status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries) + 1, name
    assert len(many.captured_queries) <= 30


def test_move_org_and_place_member_from_pages(client, community_staff, world, tree, data):
    from linli.party.actions import org_create

    _login(client, community_staff)
    branch_b = org_create(
        kind="branch", name="幸福小区第二支部", place=tree.compound, parent=tree.committee, actor=None
    )
    url = reverse("party:org_detail", args=[tree.group.pk])
    assert "幸福小区第二支部" in client.get(url).content.decode()
    assert client.post(url, {"move": "1", "parent": branch_b.pk}).status_code == 302
    tree.group.refresh_from_db()
    assert tree.group.parent == branch_b
    member = data["members"][0]
    url = reverse("party:member_detail", args=[member.pk])
    r = client.post(url, {"place_member": "1", "org": tree.branch.pk, "grid": world.grid_b.pk})
    assert r.status_code == 302
    member.refresh_from_db()
    assert member.org == tree.branch and member.grid == world.grid_b
    r = client.post(url, {"role": "safety", "place": tree.building.pk})
    assert r.status_code == 302 and member.roles.filter(role="safety", until__isnull=True).exists()
    r = client.post(
        reverse("party:org_detail", args=[tree.group.pk]), {"secretary": "1", "username": "nobody"}
    )
    assert r.status_code == 200 and "nobody" in r.content.decode()
