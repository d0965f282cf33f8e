"""Demo data of the organisation part (see demo.py): in each demo community a 社区党委, a 小区党支部 per
compound, 楼栋党小组 on the first buildings, a few 党员中心户, members drawn from the registry's party
members (political status 01/02), building roles, 4–6 大党委 partner units with agreements, resources,
joint activities and a monthly joint meeting for the past months (one problem per meeting filed as a
case), and a few 双报到 registrations pending and approved. The demo account ``member`` (孙丽) is a
registry person with a member row and the secretary of the first branch, so they dispatch its orders.

Everything goes through the actions (events and audit rows are real). Idempotent: a community that
already has its committee is left alone; the ``member`` account is linked every time."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.core.errors import DomainError
from linli.residents.demo import DEMO_USER_PERSONS

logger = logging.getLogger("linli.party.demo")

MEMBER_NAME, MEMBER_PHONE, _political = DEMO_USER_PERSONS["member"]  # the demo user ``member`` (residents demo)
UNITS = [
    # (name, contact) — fictional units; the first five sit on the joint committee
    ("区供电分局党委", "钱主任"),
    ("区人民医院党总支", "孙院长"),
    ("第一实验小学党支部", "李校长"),
    ("城南派出所党支部", "周所长"),
    ("和美物业公司党支部", "吴经理"),
    ("新华书店党支部", "郑经理"),
]
MEMBERS_PER_COMMUNITY = 24


def _person_by_political_status(community) -> list[Any]:
    from linli.residents.models import Person, PersonStatus

    return list(
        Person.objects.filter(
            place_path__startswith=community.path,
            political_status__in=["01", "02"],
            status=PersonStatus.ACTIVE,
        )
        .exclude(place_path=community.path)
        .order_by("id")[: MEMBERS_PER_COMMUNITY + 4]
    )


def _ancestor(path: str, places: dict[int, Any], kind: str) -> Any:
    for pk in (int(p) for p in path.strip("/").split("/") if p):
        place = places.get(pk)
        if place is not None and place.kind == kind:
            return place
    return None


def _category() -> Any:
    from linli.cases.models import Category

    return Category.objects.filter(code="MUNI.STREETLIGHT", active=True).first() or next(
        (
            c
            for c in Category.objects.filter(active=True, parent__isnull=False).order_by("code")
            if not c.is_emergency
        ),
        None,
    )


def _months_back(today: datetime.date, n: int) -> datetime.date:
    month = today.year * 12 + today.month - 1 - n
    return datetime.date(month // 12, month % 12 + 1, 12)


def build_community(demo: Any, community: Any, *, first: bool) -> dict[str, int]:
    from linli.party import actions
    from linli.places.models import Place, PlaceKind

    staff = demo.users.get("community") if first else None
    places = {p.pk: p for p in Place.objects.filter(path__startswith=community.path)}
    compounds = sorted((p for p in places.values() if p.kind == PlaceKind.COMPOUND), key=lambda p: p.path)
    committee = actions.org_create(
        kind="committee", name=f"{community.name}党委", place=community, actor=None
    )
    orgs_by_place: dict[int, Any] = {community.pk: committee}
    for compound in compounds:
        branch = actions.org_create(
            kind="branch", name=f"{compound.name}党支部", place=compound, parent=committee, actor=None
        )
        orgs_by_place[compound.pk] = branch
        buildings = sorted(
            (p for p in places.values() if p.kind == PlaceKind.BUILDING and p.path.startswith(compound.path)),
            key=lambda p: p.path,
        )[:2]
        for i, building in enumerate(buildings):
            group = actions.org_create(
                kind="group",
                name=f"{compound.name}{building.name}党小组",
                place=building,
                parent=branch,
                actor=None,
            )
            orgs_by_place[building.pk] = group
            if i == 0:
                houses = sorted(
                    (
                        p
                        for p in places.values()
                        if p.kind == PlaceKind.HOUSE
                        and p.path.startswith(building.path)
                        and p.usage == "residential"
                    ),
                    key=lambda p: p.path,
                )[:2]
                for house in houses:
                    actions.org_create(
                        kind="household_post",
                        name=f"{building.name}{house.name}党员中心户",
                        place=house,
                        parent=group,
                        actor=None,
                    )

    # members: each in the deepest organisation over their home, placed in their grid
    members = []
    candidates = _person_by_political_status(community)
    # the last few candidates (up to 3, at most half) register as serving members (双报到) instead
    n_members = min(MEMBERS_PER_COMMUNITY, len(candidates) - min(3, len(candidates) // 2))
    for person in candidates[:n_members]:
        org = committee
        for pk in (int(p) for p in person.place_path.strip("/").split("/") if p):
            org = orgs_by_place.get(pk, org)
        grid = _ancestor(person.place_path, places, PlaceKind.GRID)
        try:
            members.append(
                actions.member_create(
                    person=person,
                    org=org,
                    grid=grid,
                    actor=None,
                    joined_on=datetime.date(2015 + person.pk % 10, 7, 1),
                )
            )
        except DomainError:
            continue
    # 两长三员 on the group buildings, from the members living there
    roles = ["group_leader", "building_head", "safety", "hygiene", "property"]
    for place_pk, org in orgs_by_place.items():
        if org.kind != "group":
            continue
        here = [m for m in members if m.person.place_path.startswith(places[place_pk].path)] or members[:1]
        for i, role in enumerate(roles):
            if here:
                actions.role_assign(
                    member=here[i % len(here)],
                    role=role,
                    place=places[place_pk],
                    actor=None,
                    since=datetime.date(2025, 1, 1),
                )
    if members and compounds:
        actions.role_assign(
            member=members[0],
            role="policy_post",
            place=compounds[0],
            actor=None,
            since=datetime.date(2025, 3, 1),
        )
        actions.role_assign(
            member=members[-1],
            role="traffic_post",
            place=compounds[-1],
            actor=None,
            since=datetime.date(2025, 3, 1),
        )

    # 大党委 partner units, agreements, resources, activities and monthly meetings
    n_units = 5 if first else 4
    partners = []
    for i, (name, contact) in enumerate(UNITS[: n_units + 1]):
        partners.append(
            actions.partner_create(
                community=community,
                name=name,
                contact_name=contact,
                big_committee=i < n_units,
                rotation_order=i + 1,
                actor=None,
            )
        )
    today = timezone.localdate()
    for p in partners[:3]:
        actions.agreement_create(
            partner=p,
            title=f"{community.name}与{p.name}共驻共建协议",
            signed_on=datetime.date(today.year - 1, 3, 1),
            valid_until=datetime.date(today.year + 1, 2, 28),
            content="资源共享、组织共建、活动共办、实事共做。",
            actor=None,
        )
    resources = [
        ("venue", "党员活动室（可容纳40人）"),
        ("equipment", "投影仪及音响设备"),
        ("service", "每月一次义诊"),
    ]
    for p, (kind, name) in zip(partners, resources, strict=False):
        actions.resource_create(partner=p, kind=kind, name=name, actor=None)
    actions.activity_create(
        community=community,
        held_on=_months_back(today, 2),
        title="“学雷锋”志愿服务日",
        partners=partners[:3],
        participants=45,
        actor=None,
    )
    actions.activity_create(
        community=community,
        held_on=_months_back(today, 1),
        title="政策宣讲进小区",
        partners=partners[1:4],
        participants=30,
        actor=None,
    )
    category = _category()
    topics = [
        "小区停车难",
        "老旧楼道照明",
        "垃圾分类督导",
        "雨季积水点排查",
        "电动车充电安全",
        "背街小巷保洁",
    ]
    meetings = 0
    for back in range(4, 0, -1):
        held = _months_back(today, back)
        present = [p for i, p in enumerate(partners[:n_units]) if (i + back) % 5 != 0]
        meeting = actions.meeting_create(
            community=community,
            held_on=held,
            title=f"{held.year}年{held.month}月大党委联席会",
            attendees=present,
            minutes=f"通报上月交办事项办理情况；研究{topics[back % len(topics)]}问题，明确责任单位和完成时限。",
            actor=None,
        )
        meetings += 1
        if category is not None and staff is not None:
            try:
                actions.meeting_problem_file(
                    meeting=meeting,
                    title=topics[back % len(topics)],
                    category=category,
                    description=f"{meeting.title}交办：{topics[back % len(topics)]}",
                    partner=present[0],
                    place=compounds[0] if compounds else None,
                    actor=staff,
                )
            except DomainError as exc:  # the cases part may refuse (no routing); the demo goes on
                logger.info("demo meeting problem not filed: %s", exc)

    # 双报到: approved and pending, units and members
    from linli.party.workflow import RegistrationKind

    regs = 0
    unit = actions.registration_submit(
        kind=RegistrationKind.UNIT,
        community=community,
        unit_name=UNITS[-1][0],
        contact_name=UNITS[-1][1],
        actor=staff,
    )
    actions.registration_transition(registration=unit, name="approve", actor=staff)
    actions.registration_submit(
        kind=RegistrationKind.UNIT,
        community=community,
        unit_name="区图书馆党支部",
        contact_name="冯馆长",
        actor=staff,
    )
    regs += 2
    for i, person in enumerate(candidates[n_members : n_members + 3]):
        reg = actions.registration_submit(
            kind=RegistrationKind.MEMBER,
            community=community,
            person=person,
            unit_name=["区税务局", "区教育局", "区卫健委"][i],
            actor=staff,
        )
        regs += 1
        if i < 2:
            actions.registration_transition(registration=reg, name="approve", actor=staff)
            _served(person, hours=("6", "3.5")[i], points=(4, 2)[i], today=today)
            # registered since last autumn, so that the finished half year is theirs to be evaluated too
            # (evaluation's demo evaluates it); the approval dates the membership today
            from linli.party.models import PartyMember, PartyMemberKind

            PartyMember.objects.filter(person=person, kind=PartyMemberKind.REGISTERED).update(
                joined_on=datetime.date(today.year - 1, 9, 1))
    return {
        "orgs": len(orgs_by_place),
        "members": len(members),
        "partners": len(partners),
        "meetings": meetings,
        "registrations": regs,
    }


def _served(person: Any, *, hours: str, points: int, today: datetime.date) -> None:
    """Service of a 双报到 member this half year, so that the half-year report to their unit is not empty.
    Idempotent on the sources."""
    from decimal import Decimal

    from linli.points import actions as points_actions

    source = f"demo:party.registered:{person.pk}"
    points_actions.hours_record(
        person_id=person.pk,
        hours=Decimal(hours),
        source=source,
        kind="other",
        actor=None,
        occurred_on=today,
        note="社区服务（演示数据）",
    )
    points_actions.points_award(
        person_id=person.pk, rule_code="service", source=source, actor=None, amount=points, note="演示数据"
    )


def link_member_account(demo: Any) -> None:
    """The demo account ``member`` is the registry person 孙丽 (same phone), an active party member and
    the secretary of the first branch of the first community."""
    from linli.accounts.actions import user_update
    from linli.party import actions
    from linli.party.models import PartyMember, PartyOrg
    from linli.residents.actions import person_create
    from linli.residents.selectors import person_for_user

    user = demo.users.get("member")
    if user is None or not demo.communities or not demo.grids:
        return
    if user.phone != MEMBER_PHONE:
        user = user_update(user=user, actor=None, changes={"phone": MEMBER_PHONE})
    person = person_for_user(user) or person_create(
        actor=None, name=MEMBER_NAME, place=demo.grids[0], phone=MEMBER_PHONE, sex="2", political_status="01"
    )
    branch = (
        PartyOrg.objects.filter(kind="branch", active=True, place_path__startswith=demo.communities[0].path)
        .order_by("id")
        .first()
    )
    member = PartyMember.objects.filter(person=person, active=True).first()
    if member is None:
        member = actions.member_create(
            person=person,
            org=branch,
            grid=demo.grids[0],
            user=user,
            actor=None,
            joined_on=datetime.date(2012, 7, 1),
        )
    elif member.user_id != user.pk:
        actions.member_update(member=member, user=user, actor=None)
    if branch is not None and branch.secretary_id is None:
        actions.org_set_secretary(org=branch, secretary=user, actor=None)


def extend(demo: Any) -> None:
    from linli.party.models import PartyOrg

    for i, community in enumerate(demo.communities):
        if PartyOrg.objects.filter(kind="committee", place=community).exists():
            continue
        with transaction.atomic():
            counts = build_community(demo, community, first=i == 0)
        logger.info("party demo %s: %s", community.name, counts)
    with transaction.atomic():
        link_member_account(demo)
