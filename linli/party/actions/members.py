"""Party members (linked to registry persons), their placement in a grid, leaving, and their roles on
buildings (两长三员) and posts (岗)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, Refused
from linli.party.actions._common import place_of, require_manage
from linli.party.models import (
    BUILDING_ROLES,
    MemberRole,
    MemberRoleKind,
    PartyMember,
    PartyMemberKind,
    PartyOrg,
)
from linli.places.kinds import PlaceKind


def _person(value: Any):
    from linli.residents.selectors import person_get

    person = person_get(getattr(value, "pk", value))
    if person is None:
        raise Invalid(_("Unknown person."), fields={"person": [_("Not found.")]})
    return person


def _grid(value: Any):
    if value in (None, ""):
        return None
    grid = place_of(value, field="grid")
    if grid.kind != PlaceKind.GRID:
        raise Invalid(_("Choose a grid."), fields={"grid": [_("Not a grid.")]})
    return grid


def member_path(*, grid, org: PartyOrg | None, person) -> str:
    """Where the member is kept for scope: their grid, else their organisation's place, else their home."""
    if grid is not None:
        return grid.path
    if org is not None and org.kind != "unit":
        return org.place_path
    return person.place_path or (org.place_path if org is not None else "")


def member_create(
    *,
    person: Any,
    org: PartyOrg | None = None,
    kind: str = PartyMemberKind.LOCAL,
    grid: Any = None,
    employer: PartyOrg | None = None,
    user: Any = None,
    joined_on: datetime.date | None = None,
    actor: Any,
) -> PartyMember:
    who = _person(person)
    where = _grid(grid)
    if kind not in PartyMemberKind.values:
        raise Invalid(_("Unknown kind of member."), fields={"kind": [_("Unknown kind of member.")]})
    if org is not None and not org.active:
        raise Refused(_("The organisation is closed."), code="refused_transition")
    if employer is not None and employer.kind != "unit":
        raise Invalid(_("The employer must be a unit organisation."), fields={"employer": [_("Not a unit.")]})
    path = member_path(grid=where, org=org, person=who)
    if not path:
        raise Invalid(_("Place the member in a grid."), fields={"grid": [_("This field is required.")]})
    require_manage(actor, path)
    if who.place_path:  # the person, too, must live where the actor works
        require_manage(actor, who.place_path)
    try:
        with transaction.atomic():
            member = PartyMember.objects.create(
                person=who,
                org=org,
                kind=kind,
                grid=where,
                employer=employer,
                user=user,
                joined_on=joined_on,
                place_path=path,
            )
            audit_record(
                action="party.member_create",
                actor=actor,
                target=member,
                detail={"kind": kind, "org": getattr(org, "pk", None), "place_path": path},
            )
    except IntegrityError as exc:
        raise Refused(_("This person is already an active party member."), code="duplicate") from exc
    return member


def member_update(
    *,
    member: PartyMember | int,
    actor: Any,
    org: PartyOrg | None = None,
    grid: Any = None,
    employer: PartyOrg | None = None,
    user: Any = None,
) -> PartyMember:
    """Move a member to another organisation or grid, set their employer unit or account."""
    with transaction.atomic():
        locked = (
            PartyMember.objects.select_for_update(of=("self",))
            .select_related("person", "org")
            .get(pk=getattr(member, "pk", member))
        )
        require_manage(actor, locked.place_path)
        if not locked.active:
            raise Refused(_("This member has left."), code="refused_transition")
        changed: dict[str, Any] = {}
        if org is not None:
            if not org.active:
                raise Refused(_("The organisation is closed."), code="refused_transition")
            locked.org, changed["org"] = org, org.pk
        if grid not in (None, ""):
            locked.grid = _grid(grid)
            changed["grid"] = locked.grid.pk  # type: ignore[union-attr]
        if employer is not None:
            if employer.kind != "unit":
                raise Invalid(
                    _("The employer must be a unit organisation."), fields={"employer": [_("Not a unit.")]}
                )
            locked.employer, changed["employer"] = employer, employer.pk
        if user is not None:
            locked.user, changed["user"] = user, user.pk
        locked.place_path = member_path(grid=locked.grid, org=locked.org, person=locked.person)
        require_manage(actor, locked.place_path)
        locked.save()
        audit_record(action="party.member_update", actor=actor, target=locked, detail=changed)
    return locked


def member_leave(
    *, member: PartyMember | int, actor: Any, left_on: datetime.date | None = None
) -> PartyMember:
    """The member leaves (moved away, transferred): their current roles end the same day."""
    with transaction.atomic():
        locked = PartyMember.objects.select_for_update().get(pk=getattr(member, "pk", member))
        require_manage(actor, locked.place_path)
        if not locked.active:
            raise Refused(_("This member has already left."), code="refused_transition")
        day = left_on or timezone.localdate()
        locked.active = False
        locked.left_on = day
        locked.save(update_fields=["active", "left_on"])
        MemberRole.objects.filter(member=locked, until__isnull=True).update(until=day)
        audit_record(
            action="party.member_leave", actor=actor, target=locked, detail={"left_on": day.isoformat()}
        )
    return locked


def role_assign(
    *, member: PartyMember, role: str, place: Any, actor: Any, since: datetime.date | None = None
) -> MemberRole:
    """Give ``member`` a role: 两长三员 on a building, or a post (岗) on any place of the community.
    The role's current holder, if any, hands over the same day."""
    if role not in MemberRoleKind.values:
        raise Invalid(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    where = place_of(place)
    if role in BUILDING_ROLES and where.kind != PlaceKind.BUILDING:
        raise Invalid(_("This role belongs to a building."), fields={"place": [_("Choose a building.")]})
    require_manage(actor, where.path)
    if not member.active:
        raise Refused(_("This member has left."), code="refused_transition")
    day = since or timezone.localdate()
    with transaction.atomic():
        current = (
            MemberRole.objects.select_for_update().filter(place=where, role=role, until__isnull=True).first()
        )
        if current is not None:
            if current.member_id == member.pk:
                return current
            current.until = day
            current.save(update_fields=["until"])
        held = MemberRole.objects.create(
            member=member, role=role, place=where, place_path=where.path, since=day
        )
        audit_record(
            action="party.role_assign",
            actor=actor,
            target=held,
            detail={
                "role": role,
                "place_path": where.path,
                "member": member.pk,
                "previous": getattr(current, "member_id", None),
            },
        )
    return held


def role_end(*, role: MemberRole | int, actor: Any, until: datetime.date | None = None) -> MemberRole:
    with transaction.atomic():
        locked = MemberRole.objects.select_for_update().get(pk=getattr(role, "pk", role))
        require_manage(actor, locked.place_path)
        if locked.until is not None:
            raise Refused(_("This role has already ended."), code="refused_transition")
        day = until or timezone.localdate()
        if day < locked.since:
            raise Invalid(
                _("The end cannot come before the start."), fields={"until": [_("Before the start.")]}
            )
        locked.until = day
        locked.save(update_fields=["until"])
        audit_record(action="party.role_end", actor=actor, target=locked, detail={"until": day.isoformat()})
    return locked
