"""The organisation tree: kinds on the right places, under the right parents; move, close, secretary;
who dispatches a branch's orders."""

from __future__ import annotations

import pytest

from linli.core.audit import AuditEntry
from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.testing.personas import make_user
from linli.party.access import can_dispatch_for_org
from linli.party.actions import member_create, org_close, org_create, org_move, org_set_secretary
from linli.party.selectors import org_tree


def test_the_tree_is_tied_to_places(tree, world):
    assert tree.committee.place_path == world.community.path
    assert tree.branch.parent == tree.committee and tree.branch.place_path == tree.compound.path
    assert tree.group.place_path == tree.building.path
    post = org_create(
        kind="household_post", name="101党员中心户", place=tree.house, parent=tree.group, actor=None
    )
    assert post.place_path == tree.house.path


@pytest.mark.parametrize(
    "kind, where, parent",
    [
        ("committee", "compound", None),  # a committee sits on a community
        ("branch", "compound", None),  # a branch needs its committee
        ("group", "building", "committee"),  # a group hangs under a branch
        ("group", "compound", "branch"),  # and sits on a building
        ("bogus", "compound", None),
    ],
)
def test_wrong_place_or_parent_is_invalid(tree, kind, where, parent):
    with pytest.raises(Invalid):
        org_create(
            kind=kind,
            name="x",
            place=getattr(tree, where),
            parent=getattr(tree, parent) if parent else None,
            actor=None,
        )


def test_a_branch_must_lie_within_its_committee(tree, world):
    other = org_create(kind="committee", name="二社区党委", place=world.community_2, actor=None)
    with pytest.raises(Invalid):
        org_create(kind="branch", name="x", place=tree.compound, parent=other, actor=None)


def test_staff_of_another_community_may_not_create(tree, outsider):
    with pytest.raises(PermissionDenied):
        org_create(kind="branch", name="x", place=tree.compound_b, parent=tree.committee, actor=outsider)


def test_community_staff_create_move_close_with_audit(tree, community_staff):
    branch_b = org_create(
        kind="branch",
        name="和谐小区党支部",
        place=tree.compound_b,
        parent=tree.committee,
        actor=community_staff,
    )
    assert AuditEntry.objects.filter(action="party.org_create", target_id=str(branch_b.pk)).exists()
    with pytest.raises(Invalid):  # the group's building is not in the other compound
        org_move(org=tree.group, parent=branch_b, actor=community_staff)
    with pytest.raises(Refused):  # a group is still open under the branch
        org_close(org=tree.branch, actor=community_staff)
    org_close(org=tree.group, actor=community_staff)
    closed = org_close(org=tree.branch, actor=community_staff)
    assert not closed.active and closed.closed_at is not None
    with pytest.raises(Refused):
        org_close(org=tree.branch, actor=community_staff)


def test_close_refused_while_members_remain(tree, make_person):
    member_create(person=make_person(), org=tree.group, actor=None)
    with pytest.raises(Refused):
        org_close(org=tree.group, actor=None)


def test_move_cannot_make_a_cycle(tree, world):
    with pytest.raises(Invalid):
        org_move(org=tree.branch, parent=tree.branch, actor=None)


def test_secretary_dispatches_for_the_branch_and_below(tree, world, grid_worker_a, community_staff, outsider):
    secretary = make_user("secretary", "party_member", place=world.community)
    assert not can_dispatch_for_org(secretary, tree.group)
    org_set_secretary(org=tree.branch, secretary=secretary, actor=community_staff)
    assert can_dispatch_for_org(secretary, tree.branch)
    assert can_dispatch_for_org(secretary, tree.group)  # an ancestor's secretary
    assert not can_dispatch_for_org(secretary, tree.committee)
    assert can_dispatch_for_org(community_staff, tree.group)  # orders.dispatch over the place
    assert not can_dispatch_for_org(outsider, tree.group)
    assert not can_dispatch_for_org(grid_worker_a, tree.group)  # no orders.dispatch
    assert AuditEntry.objects.filter(action="party.org_set_secretary").count() == 1


def test_tree_counts_members(tree, make_person, community_staff):
    member_create(person=make_person(), org=tree.group, actor=None)
    member_create(person=make_person(), org=tree.group, actor=None)
    member_create(person=make_person(), org=tree.branch, actor=None)
    roots = org_tree(community_staff, tree.committee.place)
    assert [r.org for r in roots] == [tree.committee]
    committee = roots[0]
    branch = committee.children[0]
    assert (committee.members, committee.total) == (0, 3)
    assert (branch.members, branch.total, branch.children[0].members) == (1, 3, 2)


def test_tree_of_an_outsider_is_empty(tree, outsider):
    assert org_tree(outsider, tree.committee.place) == []
