"""Reads of the party part: the organisation tree with member counts, member lists (masked), the
rotating chair of the joint committee, meetings with their cases, registrations."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from linli.core.access import path_prefixes
from linli.core.masking import mask_name, mask_phone

# Who dispatches the orders of an organisation (``linli.orders`` asks it through here).
from linli.party.access import can_dispatch_for_org as can_dispatch_for_org
from linli.party.models import (
    JointMeeting,
    MeetingProblem,
    MemberRole,
    Partner,
    PartyMember,
    PartyOrg,
    PartyOrgKind,
    Registration,
)

if TYPE_CHECKING:
    from linli.places.models import Place

# --- the rotating chair (按月轮值) --------------------------------------------------------------------------
# Month numbers count from January 2020; the unit at position (month number mod n) of the ordered list of
# the active member units chairs that month. Suspending a unit takes it out of the list (it is skipped);
# the order wraps around at the end.
EPOCH_MONTH = 2020 * 12


def month_number(day: datetime.date) -> int:
    return day.year * 12 + (day.month - 1) - EPOCH_MONTH


def rotation_pick(units: Sequence[Any], day: datetime.date) -> Any:
    """The chair for the month of ``day`` among ``units`` (ordered; inactive ones are skipped)."""
    active = [u for u in units if getattr(u, "active", True)]
    if not active:
        return None
    return active[month_number(day) % len(active)]


def rotation_units(community: Place | int) -> list[Partner]:
    """The joint committee's member units in their rotation order (inactive ones included)."""
    return list(
        Partner.objects.filter(community_id=getattr(community, "pk", community), big_committee=True).order_by(
            "rotation_order", "id"
        )
    )


def chair_for_month(community: Place | int, day: datetime.date) -> Partner | None:
    return rotation_pick(rotation_units(community), day)


def next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass
class Rotation:
    current: Partner | None
    next: Partner | None
    units: list[Partner]
    schedule: list[tuple[datetime.date, Partner | None]]


def rotation_of(community: Place | int, today: datetime.date, *, months: int = 6) -> Rotation:
    units = rotation_units(community)
    schedule, day = [], today.replace(day=1)
    for _ in range(months):
        schedule.append((day, rotation_pick(units, day)))
        day = next_month(day)
    return Rotation(rotation_pick(units, today), rotation_pick(units, next_month(today)), units, schedule)


# --- the organisation tree --------------------------------------------------------------------------------


@dataclass
class OrgNode:
    org: PartyOrg
    members: int  # active members of this organisation
    total: int = 0  # including the organisations below
    children: list[OrgNode] = field(default_factory=list)


def org_tree(user: Any, community: Place, *, include_closed: bool = False) -> list[OrgNode]:
    """The visible organisations of ``community`` as a forest (committee at the root; unit organisations
    at the root too), with active member counts. Two queries whatever the size."""
    qs = PartyOrg.objects.visible_to(user).filter(place_path__startswith=community.path)
    if not include_closed:
        qs = qs.filter(active=True)
    orgs = list(
        qs.select_related("place", "secretary")
        .annotate(n=Count("members", filter=Q(members__active=True)))
        .order_by("kind", "name", "id")
    )
    nodes = {o.pk: OrgNode(o, o.n) for o in orgs}
    roots: list[OrgNode] = []
    for node in nodes.values():
        parent = nodes.get(node.org.parent_id) if node.org.parent_id else None
        (parent.children if parent is not None else roots).append(node)

    def total(node: OrgNode) -> int:
        node.total = node.members + sum(total(c) for c in node.children)
        return node.total

    order = {k: i for i, k in enumerate(PartyOrgKind.values)}
    roots.sort(key=lambda n: (order[n.org.kind], n.org.name))
    for root in roots:
        total(root)
    return roots


def org_list(
    user: Any, *, community: Place | None = None, kind: str = "", active: bool | None = True
) -> QuerySet[PartyOrg]:
    qs = PartyOrg.objects.visible_to(user).select_related("place", "parent", "secretary")
    if community is not None:
        qs = qs.filter(place_path__startswith=community.path)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("id")


def org_ancestors(org: PartyOrg) -> list[PartyOrg]:
    chain: list[PartyOrg] = []
    node = org.parent
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


# --- members ------------------------------------------------------------------------------------------------


@dataclass
class MemberRow:
    id: int
    name: str  # masked
    phone: str  # masked
    kind: str
    kind_label: str
    org: str
    employer: str
    grid: str
    active: bool
    joined_on: datetime.date | None
    roles: list[str]


def member_list(
    user: Any,
    *,
    community: Place | None = None,
    org: PartyOrg | None = None,
    kind: str = "",
    active: bool | None = True,
    q: str = "",
) -> QuerySet[PartyMember]:
    qs = PartyMember.objects.visible_to(user).select_related("person", "org", "employer", "grid")
    if community is not None:
        qs = qs.filter(place_path__startswith=community.path)
    if org is not None:
        qs = qs.filter(org=org)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(person__name_initials__istartswith=q))
    return qs.order_by("id")


def member_rows(members: Sequence[PartyMember], *, today: datetime.date | None = None) -> list[MemberRow]:
    """Rows for lists and the API: names and phones masked; current roles in one query."""
    today = today or datetime.date.today()
    roles: dict[int, list[str]] = {}
    current = (
        MemberRole.objects.filter(member__in=[m.pk for m in members])
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("place")
    )
    for r in current:
        roles.setdefault(r.member_id, []).append(f"{r.get_role_display()}（{r.place.name}）")
    return [
        MemberRow(
            id=m.pk,
            name=mask_name(m.person.name),
            phone=mask_phone(m.person.phone),
            kind=m.kind,
            kind_label=str(m.get_kind_display()),
            org=m.org.name if m.org else "",
            employer=m.employer.name if m.employer else "",
            grid=m.grid.name if m.grid else "",
            active=m.active,
            joined_on=m.joined_on,
            roles=roles.get(m.pk, []),
        )
        for m in members
    ]


def member_for_user(user: Any) -> PartyMember | None:
    """The active member row of a login (by the account link, else by the registry person)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    found = PartyMember.objects.filter(user=user, active=True).select_related("person", "org").first()
    if found is not None:
        return found
    from linli.residents.selectors import person_for_user

    person = person_for_user(user)
    if person is None:
        return None
    return PartyMember.objects.filter(person=person, active=True).select_related("person", "org").first()


def building_roles(user: Any, *, community: Place) -> QuerySet[MemberRole]:
    return (
        MemberRole.objects.visible_to(user)
        .filter(place_path__startswith=community.path)
        .select_related("member__person", "place")
        .order_by("place_path", "role", "-since")
    )


# --- registrations, meetings, partners ------------------------------------------------------------------


def registration_list(user: Any, *, status: str = "", kind: str = "") -> QuerySet[Registration]:
    qs = Registration.objects.visible_to(user).select_related("community", "person", "employer", "grid")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-id")


def meeting_list(user: Any, *, community: Place | None = None) -> QuerySet[JointMeeting]:
    qs = (
        JointMeeting.objects.visible_to(user)
        .select_related("community", "chair")
        .annotate(present=Count("attendees", distinct=True), problem_count=Count("problems", distinct=True))
    )
    if community is not None:
        qs = qs.filter(place_path__startswith=community.path)
    return qs.order_by("-held_on", "-id")


def meeting_problems(meeting: JointMeeting) -> list[MeetingProblem]:
    """The meeting's problems with their cases (owner, deadline, status)."""
    return list(
        MeetingProblem.objects.filter(meeting=meeting).select_related(
            "case", "case__owner_user", "case__owner_department", "partner"
        )
    )


def partner_list(
    user: Any, *, community: Place | None = None, big_committee: bool | None = None
) -> QuerySet[Partner]:
    qs = Partner.objects.visible_to(user).select_related("community", "org")
    if community is not None:
        qs = qs.filter(community=community)
    if big_committee is not None:
        qs = qs.filter(big_committee=big_committee)
    return qs.order_by("-big_committee", "rotation_order", "id")


def registered_members(*, under: str = "", since: datetime.date | None = None, until: datetime.date | None = None,
                       active_only: bool = False, limit: int = 500) -> list[PartyMember]:
    """双报到 members (registered where they live), by id, bounded: below the path ``under``; serving at some
    time between ``since`` and ``until`` (still active or left after ``since``, joined by ``until``), or only
    the active ones; with their person and employer."""
    from linli.party.models import PartyMemberKind

    qs = PartyMember.objects.filter(kind=PartyMemberKind.REGISTERED)
    if under:
        qs = qs.filter(place_path__startswith=under)
    if active_only:
        qs = qs.filter(active=True)
    if since is not None:
        qs = qs.filter(Q(active=True) | Q(left_on__gte=since))
    if until is not None:
        qs = qs.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=until))
    return list(qs.select_related("person", "employer").order_by("id")[:limit])


def leads_org_over(user: Any, path: str) -> bool:
    """Whether ``user`` is the secretary of an active party organisation on the place ``path`` or above
    it (a compound's branch, the community's committee): such a secretary organises the compound's
    evaluation rounds (used by the evaluation app)."""
    if user is None or not getattr(user, "is_authenticated", False) or not path:
        return False
    prefixes = path_prefixes(path)
    return PartyOrg.objects.filter(place_path__in=prefixes, secretary_id=user.pk, active=True).exists()


# --- what the orders app reads: organisations and members behind a login (cached on the user), who dispatches
# an order, who serves it, partner units that adopt wishes -----------------------------------------------------
_MAX_DEPTH = 6


def login_member(user: Any):
    """The active party member record linked to this login (cached on the user object), or None. Unlike
    ``member_for_user`` it does not look through the registry person: orders go to members with a login."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_party_member_cache"):
        user._party_member_cache = (
            PartyMember.objects.filter(user_id=user.pk, active=True).order_by("-id").first()
        )
    return user._party_member_cache


def org_ancestor_ids(org_id: int | None) -> list[int]:
    """``org_id`` and the organisations above it, nearest first."""
    out: list[int] = []
    while org_id is not None and len(out) < _MAX_DEPTH and org_id not in out:
        out.append(org_id)
        org_id = PartyOrg.objects.filter(pk=org_id).values_list("parent_id", flat=True).first()
    return out


def member_org_ids(user: Any) -> frozenset[int]:
    """The member's organisation and those above it (a group's member serves its branch's pool)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not hasattr(user, "_party_member_orgs"):
        member = login_member(user)
        user._party_member_orgs = (
            frozenset(org_ancestor_ids(member.org_id)) if member is not None else frozenset()
        )
    return user._party_member_orgs


def org_subtree_ids(org_ids: Any) -> list[int]:
    """``org_ids`` and every organisation below them."""
    found = set(org_ids)
    frontier = set(found)
    for _level in range(_MAX_DEPTH):
        if not frontier:
            break
        frontier = set(PartyOrg.objects.filter(parent_id__in=sorted(frontier)).values_list("pk", flat=True)) - found
        found |= frontier
    return sorted(found)


def secretary_org_ids(user: Any) -> frozenset[int]:
    """Organisations whose secretary this login is, and every organisation below them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not hasattr(user, "_party_secretary_orgs"):
        led = PartyOrg.objects.filter(secretary_id=user.pk, active=True).values_list("pk", flat=True)
        user._party_secretary_orgs = frozenset(org_subtree_ids(led))
    return user._party_secretary_orgs


def dispatching_org_for_path(path: str, kinds: Sequence[str] = ("branch", "committee")) -> PartyOrg | None:
    """The organisation that dispatches the orders of a place: the nearest active branch (or committee)
    whose place lies at or above it."""
    prefixes = path_prefixes(path)
    if not prefixes:
        return None
    orgs = list(PartyOrg.objects.filter(active=True, kind__in=list(kinds), place_path__in=prefixes))
    if not orgs:
        return None
    return max(orgs, key=lambda o: (len(o.place_path), o.kind == "branch", -o.pk))


def org_secretary_ids(org_ids: Any) -> list[int | None]:
    """The secretaries' logins of these organisations (None where an organisation has none)."""
    return list(PartyOrg.objects.filter(pk__in=list(org_ids)).values_list("secretary_id", flat=True))


def member_user_ids(org_ids: Any) -> list[int | None]:
    """The logins of the active members of these organisations."""
    return list(
        PartyMember.objects.filter(org_id__in=sorted(org_ids), active=True, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )


def active_member(member_id: Any) -> PartyMember | None:
    """An active member by id, or None."""
    return PartyMember.objects.filter(pk=member_id, active=True).first() if member_id else None


def members_with_login(*, org_ids: Any = None, path_prefix: str = "") -> QuerySet[PartyMember]:
    """Active members with a login, of these organisations or on places under ``path_prefix``."""
    qs = PartyMember.objects.filter(active=True, user__isnull=False).select_related("person", "org")
    if org_ids is not None:
        qs = qs.filter(org_id__in=sorted(org_ids))
    if path_prefix:
        qs = qs.filter(place_path__startswith=path_prefix)
    return qs.order_by("id")


def member_person_ids(member_ids: Any) -> dict[int, int]:
    """person id → member id of these members."""
    return {p: m for m, p in PartyMember.objects.filter(pk__in=list(member_ids)).values_list("id", "person_id")}


def active_partner(partner_id: Any, *, community_id: Any) -> Partner | None:
    """An active partner unit of the community by id, or None."""
    if not partner_id:
        return None
    return Partner.objects.filter(pk=partner_id, active=True, community_id=community_id).first()


def community_partners(community_id: Any) -> list[Partner]:
    """The community's active partner units by name."""
    return list(Partner.objects.filter(community_id=community_id, active=True).order_by("name"))
