"""Members: linked to registry persons (masked in lists), placement, leaving; roles 两长三员 and posts."""

from __future__ import annotations

import datetime

import pytest

from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.party.actions import member_create, member_leave, member_update, role_assign, role_end
from linli.party.models import MemberRole
from linli.party.selectors import member_list, member_rows


def test_member_row_masks_personal_data(tree, make_person, community_staff, world):
    person = make_person("张三丰", phone="13812345678")
    member = member_create(person=person, org=tree.group, grid=world.grid_a, actor=community_staff)
    assert member.place_path == world.grid_a.path
    row = member_rows(list(member_list(community_staff)))[0]
    assert row.name != "张三丰" and row.name.startswith("张")
    assert "12345678" not in row.phone and row.phone.endswith("5678")


def test_one_active_member_per_person(tree, make_person):
    person = make_person()
    member_create(person=person, org=tree.group, actor=None)
    with pytest.raises(Refused):
        member_create(person=person, org=tree.branch, actor=None)


def test_placement_in_a_grid_only(tree, make_person):
    with pytest.raises(Invalid):
        member_create(person=make_person(), org=tree.group, grid=tree.building, actor=None)


def test_outsider_may_not_add_members(tree, make_person, outsider):
    with pytest.raises(PermissionDenied):
        member_create(person=make_person(), org=tree.group, actor=outsider)


def test_move_and_leave(tree, make_person, world, community_staff):
    member = member_create(person=make_person(), org=tree.group, actor=None)
    member = member_update(member=member, grid=world.grid_b, actor=community_staff)
    assert member.place_path == world.grid_b.path
    role_assign(member=member, role="building_head", place=tree.building, actor=community_staff)
    left = member_leave(member=member, actor=community_staff, left_on=datetime.date(2026, 3, 1))
    assert not left.active and left.left_on == datetime.date(2026, 3, 1)
    assert MemberRole.objects.get(member=member).until == datetime.date(2026, 3, 1)
    with pytest.raises(Refused):
        member_leave(member=member, actor=community_staff)
    assert list(member_list(community_staff)) == []
    assert list(member_list(community_staff, active=False)) == [left]


def test_roles_on_buildings_hand_over(tree, make_person, community_staff):
    a = member_create(person=make_person(), org=tree.group, actor=None)
    b = member_create(person=make_person(), org=tree.group, actor=None)
    first = role_assign(
        member=a, role="safety", place=tree.building, actor=community_staff, since=datetime.date(2026, 1, 1)
    )
    second = role_assign(
        member=b, role="safety", place=tree.building, actor=community_staff, since=datetime.date(2026, 5, 1)
    )
    first.refresh_from_db()
    assert first.until == datetime.date(2026, 5, 1) and second.until is None
    assert role_assign(member=b, role="safety", place=tree.building, actor=community_staff) == second
    with pytest.raises(Invalid):  # 两长三员 belong to a building
        role_assign(member=a, role="hygiene", place=tree.compound, actor=community_staff)
    post = role_assign(member=a, role="policy_post", place=tree.compound, actor=community_staff)
    assert post.place_path == tree.compound.path
    ended = role_end(role=post, actor=community_staff)
    assert ended.until is not None
    with pytest.raises(Refused):
        role_end(role=post, actor=community_staff)
    rows = member_rows([a, b])
    assert rows[1].roles and "1幢" in rows[1].roles[0]


def test_staff_cannot_enrol_a_person_of_another_community(world, make_person, outsider):
    from linli.party.models import PartyMember

    with pytest.raises(PermissionDenied):
        member_create(person=make_person(place=world.grid_a), grid=world.grid_c, actor=outsider)
    assert not PartyMember.objects.exists()
