"""Who sees and who may do what, by role and scope: out of scope is 404 (like a missing case), in scope
but not theirs to do is 403."""

from __future__ import annotations

import pytest
from django.http import Http404

from linli.cases.access import access_case
from linli.cases.actions import case_transition
from linli.cases.models import Case
from linli.core.errors import NotFound, PermissionDenied


@pytest.fixture
def case_a(case_in_state):
    return case_in_state("accepted")


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("grid_worker_a", True),
        ("grid_worker_b", False),
        ("community_staff", True),
        ("street_supervisor", True),
        ("outsider", False),
        ("department_staff", False),
        ("resident", True),  # the reporter
        ("system_admin", False),
        ("audit_admin", False),
    ],
)
def test_visibility_by_role_and_scope(request, case_a, persona, sees):
    user = request.getfixturevalue(persona)
    assert Case.objects.visible_to(user).filter(pk=case_a.pk).exists() is sees
    if sees:
        assert access_case(user, case_a.pk) == case_a
    else:
        with pytest.raises(Http404):
            access_case(user, case_a.pk)


def test_out_of_scope_worker_gets_404_on_every_transition(case_a, grid_worker_b):
    with pytest.raises(NotFound):
        case_transition(case=case_a, name="dispatch", actor=grid_worker_b, data={})
    with pytest.raises(NotFound):
        case_transition(case=case_a, name="comment", actor=grid_worker_b, data={"note": "x"})


def test_other_residents_do_not_see_a_residents_case(case_a, world):
    from linli.core.testing.personas import make_user

    neighbour = make_user("neighbour", "resident", place=world.grid_a)
    assert not Case.objects.visible_to(neighbour).filter(pk=case_a.pk).exists()


def test_in_scope_but_not_theirs_is_403(case_a, grid_worker_a, resident):
    with pytest.raises(PermissionDenied):
        case_transition(case=case_a, name="dispatch", actor=grid_worker_a, data={})  # not the desk
    with pytest.raises(PermissionDenied):
        case_transition(case=case_a, name="dispatch", actor=resident, data={})


def test_department_sees_a_case_once_dispatched_or_summoned_to_it(case_in_state, community_staff, department_staff, world):
    case = case_in_state("accepted")
    assert not Case.objects.visible_to(department_staff).filter(pk=case.pk).exists()
    case_transition(case=case, name="summon", actor=community_staff, data={"departments": [world.department.pk], "instruction": "请到场处置"})
    assert Case.objects.visible_to(department_staff).filter(pk=case.pk).exists()

    other = case_in_state("accepted")
    case_transition(case=other, name="dispatch", actor=community_staff,
                    data={"owner_kind": "department", "owner_department": world.department.pk})
    assert Case.objects.visible_to(department_staff).filter(pk=other.pk).exists()
    signed = case_transition(case=other, name="sign", actor=department_staff, data={})
    assert signed.status == "signed"
    # Department staff see only those two of the three cases.
    third = case_in_state("reported")
    visible = set(Case.objects.visible_to(department_staff).values_list("pk", flat=True))
    assert visible == {case.pk, other.pk} and third.pk not in visible


def test_party_member_sees_only_what_is_dispatched_to_them(case_in_state, community_staff, world):
    from linli.core.testing.personas import make_user

    member = make_user("member_a", "party_member", place=world.community)
    case = case_in_state("accepted")
    assert not Case.objects.visible_to(member).filter(pk=case.pk).exists()
    case_transition(case=case, name="dispatch", actor=community_staff,
                    data={"owner_kind": "party_member", "owner_user": member.pk})
    assert Case.objects.visible_to(member).filter(pk=case.pk).exists()
    assert case_transition(case=case, name="sign", actor=member, data={}).status == "signed"


def test_dispatch_to_a_worker_of_another_grid_needs_saying_so(case_in_state, community_staff, grid_worker_b):
    from linli.core.errors import Invalid

    case = case_in_state("accepted")
    with pytest.raises(Invalid):
        case_transition(case=case, name="dispatch", actor=community_staff,
                        data={"owner_kind": "grid_worker", "owner_user": grid_worker_b.pk})
    case = case_transition(case=case, name="dispatch", actor=community_staff,
                           data={"owner_kind": "grid_worker", "owner_user": grid_worker_b.pk, "outside_grid": True})
    assert case.owner_user == grid_worker_b
    assert Case.objects.visible_to(grid_worker_b).filter(pk=case.pk).exists()


def test_internal_notes_are_hidden_from_the_resident(case_in_state, community_staff, resident):
    from linli.cases.selectors import case_timeline

    case = case_in_state("accepted")
    case_transition(case=case, name="comment", actor=community_staff, data={"note": "内部：此人多次投诉"})
    case_transition(case=case, name="comment", actor=community_staff, data={"reply": "我们已安排人员"})
    staff_view = case_timeline(case, community_staff)
    resident_view = case_timeline(case, resident)
    assert any(e.note == "内部：此人多次投诉" for e in staff_view)
    assert all("此人多次投诉" not in (e.note + e.reply) for e in resident_view)
    assert any(e.reply == "我们已安排人员" for e in resident_view)
    assert all(e.actor == "" for e in resident_view)
