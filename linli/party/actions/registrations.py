"""双报到: a unit's party organisation registers with the community where it sits; a serving party member
registers with the community where they live. Staff of the community approve (placing a member into a
grid), reject (with a reason), or the submitter withdraws. Every step goes through the transition table
(``linli.party.workflow``): row lock + version compare-and-set, a ``RegistrationEvent`` and an audit row.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.workflow import Apply, Outcome, Spec, event_write, run, spec_register
from linli.party.access import can_manage_path
from linli.party.actions._common import clean_text, place_of, required_text
from linli.party.models import (
    Partner,
    PartyMember,
    PartyMemberKind,
    PartyOrg,
    PartyOrgKind,
    Registration,
    RegistrationEvent,
)
from linli.party.workflow import TRANSITIONS, RegistrationKind, RegistrationStatus
from linli.places.kinds import PlaceKind
from linli.places.selectors import places_by_ids

if TYPE_CHECKING:
    from linli.places.models import Place


def _community(value: Any) -> Place:
    place = place_of(value, field="community")
    if place.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Not a community.")]})
    return place


def registration_submit(
    *,
    kind: str,
    community: Any,
    actor: Any,
    unit_name: str = "",
    contact_name: str = "",
    person: Any = None,
    employer: PartyOrg | None = None,
    note: str = "",
) -> Registration:
    """Submit a registration. A unit gives its name; a member is the actor's own registry person
    (``person_for_user``) unless staff of the community enter it for somebody (``person``)."""
    from linli.residents.selectors import person_for_user, person_get

    if kind not in RegistrationKind.values:
        raise Invalid(
            _("Unknown kind of registration."), fields={"kind": [_("Unknown kind of registration.")]}
        )
    where = _community(community)
    staff = actor is None or can_manage_path(actor, where.path)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in first."))
    who = None
    if kind == RegistrationKind.UNIT:
        unit_name = required_text(unit_name, field="unit_name", limit=120)
        if not staff and "party.view" not in getattr(actor, "perms", ()):
            raise PermissionDenied(
                _("Only a party organisation's contact or community staff register a unit.")
            )
        duplicate = Registration.objects.filter(kind=kind, community=where, unit_name=unit_name)
    else:
        if person not in (None, "") and staff:
            who = person_get(getattr(person, "pk", person))
            if who is None:
                raise Invalid(_("Unknown person."), fields={"person": [_("Not found.")]})
        elif person not in (None, ""):
            raise PermissionDenied(_("Only community staff register somebody else."))
        else:
            who = person_for_user(actor)
            if who is None:
                raise Invalid(
                    _(
                        "Your account is not linked to a resident of the registry; ask the community to enter it."
                    ),
                    fields={"person": [_("Not found.")]},
                )
        if not who.place_path.startswith(where.path):
            raise Invalid(
                _("Register with the community where you live."),
                fields={"community": [_("Not where the person lives.")]},
            )
        if employer is not None and employer.kind != PartyOrgKind.UNIT:
            raise Invalid(
                _("The employer must be a unit organisation."), fields={"employer": [_("Not a unit.")]}
            )
        unit_name = clean_text(unit_name, limit=120) or (employer.name if employer is not None else "")
        if not unit_name:
            raise Invalid(
                _("Say which unit you work for."), fields={"unit_name": [_("This field is required.")]}
            )
        duplicate = Registration.objects.filter(kind=kind, community=where, person=who)
    if duplicate.filter(status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED]).exists():
        raise Refused(_("This registration has already been submitted."), code="duplicate")
    with transaction.atomic():
        reg = Registration.objects.create(
            kind=kind,
            community=where,
            place_path=where.path,
            unit_name=unit_name,
            contact_name=clean_text(contact_name, limit=64),
            person=who,
            employer=employer,
            note=clean_text(note, limit=2000),
            submitted_by=actor if actor is not None else None,
        )
        event_write(_spec(), reg, kind="submitted", actor=actor, at=timezone.now(), to_status=reg.status)
        audit_record(
            action="party.registration_submit",
            actor=actor,
            target=reg,
            detail={"kind": kind, "community": where.pk, "person": getattr(who, "pk", None)},
        )
    return reg


# --- transitions ------------------------------------------------------------------------------------------


def _grid_for(reg: Registration, grid: Any) -> Place:
    if grid in (None, ""):
        # The grid of the member's home, when the registry knows it.
        ids = [int(p) for p in (reg.person.place_path if reg.person else "").strip("/").split("/") if p]
        found = places_by_ids(ids, kinds=[PlaceKind.GRID]).first()
        if found is None:
            raise Invalid(
                _("Choose the grid to place the member in."), fields={"grid": [_("This field is required.")]}
            )
        return found
    place = place_of(grid, field="grid")
    if place.kind != PlaceKind.GRID or not place.path.startswith(reg.place_path):
        raise Invalid(
            _("Choose a grid of this community."), fields={"grid": [_("Not a grid of this community.")]}
        )
    return place


def unit_org_for(name: str, community: Place) -> PartyOrg:
    """The unit's party organisation by name (any community), made on ``community`` when new."""
    org = PartyOrg.objects.filter(kind=PartyOrgKind.UNIT, name=name, active=True).order_by("id").first()
    if org is None:
        org = PartyOrg.objects.create(
            kind=PartyOrgKind.UNIT, name=name, place=community, place_path=community.path
        )
    return org


def _own_account(reg: Registration) -> Any:
    """The submitter's account, when they registered themselves (not staff entering it for them)."""
    user = reg.submitted_by
    if user is None or can_manage_path(user, reg.place_path):
        return None
    return user


def _decided(reg: Registration, actor: Any, now: Any, kind: str, text: Any, data: dict[str, Any], note: str = "") -> Outcome:
    reg.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    reg.decided_at = now
    return Outcome(note=note, data=data, notify=[(kind, [reg.submitted_by_id], text)])


def _apply_approve(reg: Registration, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    return _decided(reg, actor, now, "approve", _("Your 双报到 registration was approved."), _approve(reg, data))


def _approve(reg: Registration, data: dict[str, Any]) -> dict[str, Any]:
    if reg.kind == RegistrationKind.UNIT:
        org = unit_org_for(reg.unit_name, reg.community)
        partner = Partner.objects.filter(community=reg.community, org=org).first()
        if partner is None:
            partner = Partner.objects.create(
                name=reg.unit_name,
                community=reg.community,
                place_path=reg.place_path,
                org=org,
                contact_name=reg.contact_name,
            )
        reg.org, reg.partner = org, partner
        return {"org": org.pk, "partner": partner.pk}
    grid = _grid_for(reg, data.get("grid"))
    employer = reg.employer or unit_org_for(reg.unit_name, reg.community)
    assert reg.person is not None  # a member registration always names its person
    member = PartyMember.objects.select_for_update().filter(person=reg.person, active=True).first()
    if member is None:
        member = PartyMember.objects.create(
            person=reg.person,
            kind=PartyMemberKind.REGISTERED,
            employer=employer,
            grid=grid,
            place_path=grid.path,
            joined_on=timezone.localdate(),
            user=_own_account(reg),
        )
    else:
        member.kind, member.employer, member.grid, member.place_path = (
            PartyMemberKind.REGISTERED,
            employer,
            grid,
            grid.path,
        )
        member.save(update_fields=["kind", "employer", "grid", "place_path"])
    reg.grid, reg.employer, reg.member = grid, employer, member
    return {"grid": grid.pk, "member": member.pk, "employer": employer.pk}


def _apply_reject(reg: Registration, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    reg.reason = clean_text(data.get("reason"), limit=2000)
    return _decided(reg, actor, now, "reject", _("Your 双报到 registration was rejected."), {}, note=reg.reason)


def _apply_withdraw(reg: Registration, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    return Outcome()


APPLY: dict[str, Apply] = {
    "approve": _apply_approve,
    "reject": _apply_reject,
    "withdraw": _apply_withdraw,
}


@functools.cache
def _spec() -> Spec:
    return spec_register(
        Spec(
            model=Registration,
            event_model=RegistrationEvent,
            event_fk="registration",
            table=TRANSITIONS,
            apply=APPLY,
            audit_prefix="party.registration",
            noun=_("registration"),
            related=("person", "community"),
            url=lambda reg: reverse("party:registration_detail", args=[reg.pk]),
        )
    )


def registration_transition(
    *, registration: Registration | int, name: str, actor: Any, data: dict[str, Any] | None = None
) -> Registration:
    """Run one transition of the table (approve, reject, withdraw) on the registration (the runner:
    scope, lock, table, guard, compare-and-set, event, audit, notice to the submitter)."""
    return run(_spec(), obj=registration, name=name, actor=actor, data=data)


def registration_approve(*, registration: Registration | int, actor: Any, grid: Any = None) -> Registration:
    return registration_transition(
        registration=registration, name="approve", actor=actor, data={"grid": grid}
    )


def registration_reject(*, registration: Registration | int, actor: Any, reason: str) -> Registration:
    return registration_transition(
        registration=registration, name="reject", actor=actor, data={"reason": reason}
    )


def registration_withdraw(*, registration: Registration | int, actor: Any) -> Registration:
    return registration_transition(registration=registration, name="withdraw", actor=actor)


_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
