"""Every (state, action) pair of the registration table: allowed pairs move to the target and write one
event and one audit row; the others are refused (409) and write nothing."""

from __future__ import annotations

import pytest

from linli.core.audit import AuditEntry
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.party.actions import registration_submit, registration_transition
from linli.party.models import PartyMember, Registration, RegistrationEvent
from linli.party.workflow import TRANSITIONS, RegistrationStatus, available_actions

DATA = {"approve": {}, "reject": {"reason": "不在本社区居住"}, "withdraw": {}}


def _in_state(reg: Registration, status: str) -> Registration:
    Registration.objects.filter(pk=reg.pk).update(status=status)
    reg.refresh_from_db()
    return reg


@pytest.fixture
def member_reg(world, make_person, community_staff):
    person = make_person("李在职")
    return registration_submit(
        kind="member", community=world.community, person=person, unit_name="区税务局", actor=community_staff
    )


@pytest.mark.parametrize("status", RegistrationStatus.values)
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_state_action_pair(member_reg, community_staff, status, name):
    reg = _in_state(member_reg, status)
    t = TRANSITIONS[name]
    events = RegistrationEvent.objects.filter(registration=reg).count()
    audits = AuditEntry.objects.filter(action=f"party.registration_{name}").count()
    if t.allows_state(status):
        done = registration_transition(registration=reg, name=name, actor=community_staff, data=DATA[name])
        assert done.status == t.target == Registration.objects.get(pk=reg.pk).status
        assert RegistrationEvent.objects.filter(registration=reg, kind=name).count() == 1
        assert AuditEntry.objects.filter(action=f"party.registration_{name}").count() == audits + 1
    else:
        with pytest.raises(Refused):
            registration_transition(registration=reg, name=name, actor=community_staff, data=DATA[name])
        assert Registration.objects.get(pk=reg.pk).status == status
        assert RegistrationEvent.objects.filter(registration=reg).count() == events


def test_the_table_has_the_three_actions_from_submitted_only():
    assert set(TRANSITIONS) == {"approve", "reject", "withdraw"}
    for t in TRANSITIONS.values():
        assert t.sources == {RegistrationStatus.SUBMITTED}


def test_approval_places_the_member_and_creates_the_member_row(member_reg, community_staff, world):
    reg = registration_transition(
        registration=member_reg, name="approve", actor=community_staff, data={"grid": world.grid_a.pk}
    )
    member = PartyMember.objects.get(person=reg.person, active=True)
    assert (
        member.kind == "registered" and member.grid == world.grid_a and member.place_path == world.grid_a.path
    )
    assert member.employer.name == "区税务局" and member.employer.kind == "unit"
    assert reg.member == member and reg.decided_by == community_staff


def test_approval_updates_an_existing_member(member_reg, community_staff, world, tree):
    from linli.party.actions import member_create

    existing = member_create(person=member_reg.person, org=tree.branch, actor=None)
    registration_transition(registration=member_reg, name="approve", actor=community_staff, data={})
    existing.refresh_from_db()
    assert existing.kind == "registered" and existing.org == tree.branch and existing.grid == world.grid_a
    assert PartyMember.objects.filter(person=member_reg.person).count() == 1


def test_approval_needs_a_grid_of_the_community(member_reg, community_staff, world):
    with pytest.raises(Invalid):
        registration_transition(
            registration=member_reg, name="approve", actor=community_staff, data={"grid": world.grid_c.pk}
        )
    assert Registration.objects.get(pk=member_reg.pk).status == "submitted"
    assert not PartyMember.objects.exists()


def test_reject_needs_a_reason(member_reg, community_staff):
    with pytest.raises(Invalid) as info:
        registration_transition(registration=member_reg, name="reject", actor=community_staff, data={})
    assert "reason" in info.value.fields
    assert Registration.objects.get(pk=member_reg.pk).status == "submitted"


def test_unit_registration_approval_makes_the_unit_org_and_partner(world, community_staff):
    reg = registration_submit(
        kind="unit",
        community=world.community,
        unit_name="区供电局",
        contact_name="王主任",
        actor=community_staff,
    )
    reg = registration_transition(registration=reg, name="approve", actor=community_staff)
    assert reg.org.kind == "unit" and reg.org.name == "区供电局"
    assert reg.partner.community == world.community and reg.partner.org == reg.org
    # a second registration of the same unit elsewhere reuses its organisation
    again = registration_submit(kind="unit", community=world.community_2, unit_name="区供电局", actor=None)
    again = registration_transition(registration=again, name="approve", actor=None)
    assert again.org == reg.org and again.partner != reg.partner


def test_a_resident_registers_themselves_and_withdraws(world, make_person):
    from linli.core.testing.personas import make_user

    person = make_person("赵在职", phone="13800138011")
    user = make_user("serving", "resident", place=world.grid_a, phone="13800138011")
    reg = registration_submit(kind="member", community=world.community, unit_name="区教育局", actor=user)
    assert reg.person == person and reg.submitted_by == user
    assert [t.name for t in available_actions(reg, user)] == ["withdraw"]
    with pytest.raises(PermissionDenied):
        registration_transition(registration=reg, name="approve", actor=user)
    registration_transition(registration=reg, name="withdraw", actor=user)
    assert Registration.objects.get(pk=reg.pk).status == "withdrawn"


def test_a_resident_without_a_registry_person_is_told(world):
    from linli.core.testing.personas import make_user

    user = make_user("nobody", "resident", place=world.grid_a, phone="13900139000")
    with pytest.raises(Invalid):
        registration_submit(kind="member", community=world.community, unit_name="区教育局", actor=user)


def test_register_where_one_lives_only(world, make_person, community_staff):
    person = make_person("钱外地", place=world.grid_c)
    with pytest.raises(Invalid):
        registration_submit(
            kind="member", community=world.community, person=person, unit_name="x", actor=community_staff
        )


def test_a_second_open_registration_is_refused(member_reg, community_staff):
    with pytest.raises(Refused):
        registration_submit(
            kind="member",
            community=member_reg.community,
            person=member_reg.person,
            unit_name="区税务局",
            actor=community_staff,
        )


def test_outsider_cannot_see_or_decide(member_reg, outsider):
    with pytest.raises(NotFound):
        registration_transition(registration=member_reg, name="approve", actor=outsider)


def test_approving_a_self_registration_links_the_account(world, make_person, community_staff):
    from linli.core.testing.personas import make_user
    from linli.party.selectors import member_for_user

    make_person("陈在职", phone="13500135000")
    user = make_user("serving4", "resident", place=world.grid_a, phone="13500135000")
    reg = registration_submit(kind="member", community=world.community, unit_name="区住建局", actor=user)
    registration_transition(registration=reg, name="approve", actor=community_staff)
    member = member_for_user(user)
    assert member is not None and member.user == user and member.employer.name == "区住建局"
    # staff entering it for somebody does not make the staff member's account the member's
    other = registration_submit(
        kind="member", community=world.community, person=make_person(), unit_name="x", actor=community_staff
    )
    assert (
        registration_transition(registration=other, name="approve", actor=community_staff).member.user is None
    )


def test_the_submitter_is_told_of_the_decision_only(world, make_person, community_staff):
    from linli.core.testing.personas import make_user
    from linli.notifications.models import Notice

    make_person("林在职", phone="13300133000")
    user = make_user("serving5", "resident", place=world.grid_a, phone="13300133000")
    reg = registration_submit(kind="member", community=world.community, unit_name="区商务局", actor=user)
    with pytest.raises(Invalid):  # refused: nothing is queued
        registration_transition(
            registration=reg, name="approve", actor=community_staff, data={"grid": world.grid_c.pk}
        )
    assert not Notice.objects.filter(user=user).exists()
    registration_transition(registration=reg, name="reject", actor=community_staff, data={"reason": "重复"})
    told = list(Notice.objects.filter(user=user).values_list("kind", "ref", "url"))
    assert told == [("reject", f"party.registration:{reg.pk}", f"/party/registrations/{reg.pk}/")]
