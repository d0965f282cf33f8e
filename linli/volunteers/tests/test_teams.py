"""Teams and talent pools: managers create them and manage members (pages and API); others cannot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.accounts.tests.conftest import bearer, issue_token
from linli.core.audit import AuditEntry
from linli.core.errors import Invalid, PermissionDenied
from linli.core.testing.personas import PASSWORD
from linli.volunteers.actions import pool_create, team_create, team_member_add, team_set_leader, volunteer_of
from linli.volunteers.models import Team, TeamMember


def test_team_pages_create_add_lead_remove(client, world, community_staff, make_volunteer_user):
    a, b = make_volunteer_user(), make_volunteer_user()
    assert client.login(username=community_staff.username, password=PASSWORD)
    client.post(reverse("volunteers:team_create"), {"community": world.community.pk, "name": "新火先锋队"})
    team = Team.objects.get(name="新火先锋队")
    detail = client.get(reverse("volunteers:team_detail", args=[team.pk])).content.decode()
    assert volunteer_of(a).person.name in detail  # a candidate to add
    client.post(reverse("volunteers:team_member", args=[team.pk, "add"]), {"volunteer": volunteer_of(a).pk})
    client.post(
        reverse("volunteers:team_member", args=[team.pk, "leader"]), {"volunteer": volunteer_of(b).pk}
    )
    team.refresh_from_db()
    assert team.leader_id == volunteer_of(b).pk
    assert TeamMember.objects.filter(team=team).count() == 2
    client.post(
        reverse("volunteers:team_member", args=[team.pk, "remove"]), {"volunteer": volunteer_of(b).pk}
    )
    team.refresh_from_db()
    assert team.leader_id is None and TeamMember.objects.filter(team=team).count() == 1
    assert AuditEntry.objects.filter(action__startswith="volunteers.team_").count() >= 4


def test_duplicate_team_name_is_invalid(world, community_staff):
    team_create(actor=community_staff, community=world.community, name="金姐姐")
    with pytest.raises(Invalid):
        team_create(actor=community_staff, community=world.community, name="金姐姐")


def test_outsider_and_volunteers_cannot_manage_teams(world, community_staff, outsider, volunteer_user):
    team = team_create(actor=community_staff, community=world.community, name="银辉先锋")
    with pytest.raises(PermissionDenied):
        team_create(actor=outsider, community=world.community, name="外来队")
    with pytest.raises(PermissionDenied):
        team_member_add(team=team, volunteer=volunteer_of(volunteer_user), actor=volunteer_user)


def test_api_team_and_pool_management(client, world, community_staff, make_volunteer_user, outsider):
    a = make_volunteer_user()
    staff = bearer(issue_token(community_staff))
    created = client.post(
        "/api/v1/volunteers/teams",
        {"community_id": world.community.pk, "name": "红星驿站", "leader_id": volunteer_of(a).pk},
        content_type="application/json",
        **staff,
    )
    assert created.status_code == 201 and created.json()["leader_id"] == volunteer_of(a).pk
    pool = client.post(
        "/api/v1/volunteers/pools",
        {"community_id": world.community.pk, "name": "讲师团"},
        content_type="application/json",
        **staff,
    )
    assert pool.status_code == 201
    added = client.post(
        f"/api/v1/volunteers/pools/{pool.json()['id']}/members",
        {"volunteer_id": volunteer_of(a).pk, "speciality": "书法"},
        content_type="application/json",
        **staff,
    )
    assert added.json()["member_ids"] == [volunteer_of(a).pk]
    out = bearer(issue_token(outsider))
    assert (
        client.post(
            "/api/v1/volunteers/teams",
            {"community_id": world.community.pk, "name": "x"},
            content_type="application/json",
            **out,
        ).status_code
        == 422
    )
    assert len(client.get("/api/v1/volunteers/teams", **staff).json()["items"]) == 1
    assert client.get("/api/v1/volunteers/teams", **out).json() == {"items": [], "next_after": None}


def test_the_leader_sees_their_team_and_can_organise(world, community_staff, make_volunteer_user):
    from linli.volunteers.access import can_create_activity

    leader = make_volunteer_user()
    team = team_create(actor=community_staff, community=world.community, name="金姐姐")
    assert not can_create_activity(leader)
    team_set_leader(team=team, volunteer=volunteer_of(leader), actor=community_staff)
    assert can_create_activity(leader)
    assert list(Team.objects.visible_to(leader)) == [team]


def test_talent_pool_page_adds_a_member(client, world, community_staff, make_volunteer_user):
    a = make_volunteer_user()
    pool = pool_create(actor=community_staff, community=world.community, name="银发人才库")
    assert client.login(username=community_staff.username, password=PASSWORD)
    client.post(
        reverse("volunteers:pool_member"),
        {"pool": pool.pk, "volunteer": volunteer_of(a).pk, "speciality": "二胡"},
    )
    page = client.get(reverse("volunteers:talent"), {"pool": pool.pk}).content.decode()
    assert "二胡" in page


def test_managers_add_skills_and_volunteers_cannot(community_staff, volunteer_user):
    from linli.volunteers.actions import skill_save
    from linli.volunteers.models import Skill

    skill = skill_save(actor=community_staff, code="knitting", name="编织")
    assert Skill.objects.get(code="knitting").name == "编织"
    with pytest.raises(Invalid):
        skill_save(actor=community_staff, code="knitting", name="又一个")
    assert skill_save(actor=community_staff, code="knitting", name="编织手工", skill=skill).name == "编织手工"
    with pytest.raises(PermissionDenied):
        skill_save(actor=volunteer_user, code="x", name="y")
