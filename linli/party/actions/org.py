"""The organisation tree: 社区党委 (committee, on a community) → 小区党支部 (branch, on a compound) →
楼栋党小组 (group, on a building) → 党员中心户 (household post, on a house); unit organisations (单位党组织)
sit on the community they registered with and have no parent."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, Refused
from linli.party.actions._common import place_of, require_manage, required_text
from linli.party.models import PartyMember, PartyOrg, PartyOrgKind
from linli.places.kinds import PlaceKind

K = PartyOrgKind
# kind → (the kind of place it is tied to, the kinds its parent may be)
TREE_RULES: dict[str, tuple[str, frozenset[str | None]]] = {
    K.COMMITTEE: (PlaceKind.COMMUNITY, frozenset({None})),
    K.BRANCH: (PlaceKind.COMPOUND, frozenset({K.COMMITTEE})),
    K.GROUP: (PlaceKind.BUILDING, frozenset({K.BRANCH})),
    K.HOUSEHOLD_POST: (PlaceKind.HOUSE, frozenset({K.GROUP, K.BRANCH})),
    K.UNIT: (PlaceKind.COMMUNITY, frozenset({None})),
}


def _check_tree(kind: str, place, parent: PartyOrg | None) -> None:
    if kind not in TREE_RULES:
        raise Invalid(
            _("Unknown kind of organisation."), fields={"kind": [_("Unknown kind of organisation.")]}
        )
    place_kind, parent_kinds = TREE_RULES[kind]
    if place.kind != place_kind:
        raise Invalid(
            _("This kind of organisation belongs on a place of kind “%(kind)s”.")
            % {"kind": PlaceKind(place_kind).label},
            fields={"place": [_("Wrong kind of place.")]},
        )
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in parent_kinds:
        raise Invalid(
            _("This organisation cannot sit under that parent."), fields={"parent": [_("Wrong parent.")]}
        )
    if parent is not None:
        if not parent.active:
            raise Refused(_("The parent organisation is closed."), code="refused_transition")
        if not place.path.startswith(parent.place_path):
            raise Invalid(
                _("The place must lie within the parent organisation's place."),
                fields={"place": [_("Outside the parent.")]},
            )


def _secretary_ok(user: Any) -> None:
    if user is not None and not getattr(user, "is_active", True):
        raise Invalid(_("That account is disabled."), fields={"secretary": [_("That account is disabled.")]})


def org_create(
    *, kind: str, name: str, place: Any, parent: PartyOrg | None = None, secretary: Any = None, actor: Any
) -> PartyOrg:
    name = required_text(name, field="name", limit=120)
    where = place_of(place)
    require_manage(actor, where.path)
    _check_tree(kind, where, parent)
    _secretary_ok(secretary)
    with transaction.atomic():
        org = PartyOrg.objects.create(
            name=name, kind=kind, place=where, place_path=where.path, parent=parent, secretary=secretary
        )
        audit_record(
            action="party.org_create",
            actor=actor,
            target=org,
            detail={"kind": kind, "place_path": org.place_path, "parent": getattr(parent, "pk", None)},
        )
    return org


def _lock(org: PartyOrg | int) -> PartyOrg:
    pk: Any = getattr(org, "pk", org)
    return PartyOrg.objects.select_for_update().select_related("place").get(pk=pk)


def org_move(*, org: PartyOrg | int, parent: PartyOrg, actor: Any) -> PartyOrg:
    """Hang ``org`` under another parent (same kind of parent, a place within the new parent's)."""
    with transaction.atomic():
        locked = _lock(org)
        require_manage(actor, locked.place_path)
        require_manage(actor, parent.place_path)
        if not locked.active:
            raise Refused(_("The organisation is closed."), code="refused_transition")
        node: PartyOrg | None = parent
        while node is not None:
            if node.pk == locked.pk:
                raise Invalid(
                    _("An organisation cannot sit under itself."), fields={"parent": [_("Wrong parent.")]}
                )
            node = node.parent
        _check_tree(locked.kind, locked.place, parent)
        before = locked.parent_id
        locked.parent = parent
        locked.save(update_fields=["parent"])
        audit_record(
            action="party.org_move", actor=actor, target=locked, detail={"from": before, "to": parent.pk}
        )
    return locked


def org_close(*, org: PartyOrg | int, actor: Any) -> PartyOrg:
    """Close an organisation that has no open organisations and no active members under it."""
    with transaction.atomic():
        locked = _lock(org)
        require_manage(actor, locked.place_path)
        if not locked.active:
            raise Refused(_("The organisation is already closed."), code="refused_transition")
        if PartyOrg.objects.filter(parent=locked, active=True).exists():
            raise Refused(_("Close or move the organisations under it first."), code="refused_transition")
        if PartyMember.objects.filter(org=locked, active=True).exists():
            raise Refused(_("Move its members to another organisation first."), code="refused_transition")
        locked.active = False
        locked.closed_at = timezone.now()
        locked.save(update_fields=["active", "closed_at"])
        audit_record(action="party.org_close", actor=actor, target=locked)
    return locked


def org_set_secretary(*, org: PartyOrg | int, secretary: Any, actor: Any) -> PartyOrg:
    """Set (or, with ``None``, clear) the account that runs the organisation (the branch secretary
    dispatches its orders)."""
    _secretary_ok(secretary)
    with transaction.atomic():
        locked = _lock(org)
        require_manage(actor, locked.place_path)
        if not locked.active:
            raise Refused(_("The organisation is closed."), code="refused_transition")
        before = locked.secretary_id
        locked.secretary = secretary
        locked.save(update_fields=["secretary"])
        audit_record(
            action="party.org_set_secretary",
            actor=actor,
            target=locked,
            detail={"from": before, "to": getattr(secretary, "pk", None)},
        )
    return locked
