"""Partner units (共建单位; ``big_committee``: member units of the 大党委), their agreements (共建协议), shared
resources (资源共享) and joint activities."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, Refused
from linli.party.actions._common import clean_text, place_of, require_manage, required_text
from linli.party.models import (
    JointActivity,
    Partner,
    PartnerAgreement,
    PartnerResource,
    PartyOrg,
    ResourceKind,
)
from linli.places.kinds import PlaceKind


def _community(value: Any):
    place = place_of(value, field="community")
    if place.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Not a community.")]})
    return place


def partner_create(
    *,
    community: Any,
    name: str,
    actor: Any,
    big_committee: bool = False,
    org: PartyOrg | None = None,
    contact_name: str = "",
    rotation_order: int = 0,
) -> Partner:
    where = _community(community)
    name = required_text(name, field="name", limit=120)
    require_manage(actor, where.path)
    if Partner.objects.filter(community=where, name=name, active=True).exists():
        raise Invalid(
            _("This unit is already a partner of the community."), fields={"name": [_("Already a partner.")]}
        )
    with transaction.atomic():
        partner = Partner.objects.create(
            community=where,
            place_path=where.path,
            name=name,
            big_committee=bool(big_committee),
            org=org,
            contact_name=clean_text(contact_name, limit=64),
            rotation_order=max(int(rotation_order or 0), 0),
        )
        audit_record(
            action="party.partner_create",
            actor=actor,
            target=partner,
            detail={"big_committee": partner.big_committee, "community": where.pk},
        )
    return partner


def partner_update(
    *,
    partner: Partner,
    actor: Any,
    big_committee: bool | None = None,
    rotation_order: int | None = None,
    contact_name: str | None = None,
) -> Partner:
    require_manage(actor, partner.place_path)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if big_committee is not None:
            locked.big_committee = bool(big_committee)
        if rotation_order is not None:
            locked.rotation_order = max(int(rotation_order), 0)
        if contact_name is not None:
            locked.contact_name = clean_text(contact_name, limit=64)
        locked.save()
        audit_record(
            action="party.partner_update",
            actor=actor,
            target=locked,
            detail={"big_committee": locked.big_committee, "rotation_order": locked.rotation_order},
        )
    return locked


def partner_set_active(*, partner: Partner, active: bool, actor: Any) -> Partner:
    """Suspend a unit (it leaves the chair's rotation) or take it back."""
    require_manage(actor, partner.place_path)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.active == active:
            raise Refused(_("Nothing to change."), code="refused_transition")
        locked.active = active
        locked.save(update_fields=["active"])
        audit_record(
            action="party.partner_activate" if active else "party.partner_deactivate",
            actor=actor,
            target=locked,
        )
    return locked


def agreement_create(
    *,
    partner: Partner,
    title: str,
    signed_on: datetime.date,
    actor: Any,
    valid_until: datetime.date | None = None,
    content: str = "",
) -> PartnerAgreement:
    require_manage(actor, partner.place_path)
    title = required_text(title, field="title", limit=120)
    if signed_on is None:
        raise Invalid(
            _("Some required fields are missing."), fields={"signed_on": [_("This field is required.")]}
        )
    if valid_until is not None and valid_until < signed_on:
        raise Invalid(
            _("The end cannot come before the start."), fields={"valid_until": [_("Before the start.")]}
        )
    with transaction.atomic():
        agreement = PartnerAgreement.objects.create(
            partner=partner,
            place_path=partner.place_path,
            title=title,
            signed_on=signed_on,
            valid_until=valid_until,
            content=clean_text(content, limit=10000),
        )
        audit_record(
            action="party.agreement_create", actor=actor, target=agreement, detail={"partner": partner.pk}
        )
    return agreement


def resource_create(
    *, partner: Partner, kind: str, name: str, actor: Any, description: str = ""
) -> PartnerResource:
    require_manage(actor, partner.place_path)
    if kind not in ResourceKind.values:
        raise Invalid(_("Unknown kind of resource."), fields={"kind": [_("Unknown kind of resource.")]})
    name = required_text(name, field="name", limit=120)
    with transaction.atomic():
        resource = PartnerResource.objects.create(
            partner=partner,
            place_path=partner.place_path,
            kind=kind,
            name=name,
            description=clean_text(description, limit=2000),
        )
        audit_record(
            action="party.resource_create", actor=actor, target=resource, detail={"partner": partner.pk}
        )
    return resource


def activity_create(
    *,
    community: Any,
    held_on: datetime.date,
    title: str,
    actor: Any,
    partners: list[Partner] | None = None,
    participants: int = 0,
    note: str = "",
) -> JointActivity:
    where = _community(community)
    require_manage(actor, where.path)
    title = required_text(title, field="title", limit=120)
    if held_on is None:
        raise Invalid(
            _("Some required fields are missing."), fields={"held_on": [_("This field is required.")]}
        )
    units = list(partners or [])
    if any(p.community_id != where.pk for p in units):
        raise Invalid(
            _("Every unit must be a partner of this community."),
            fields={"partners": [_("Not a partner here.")]},
        )
    if participants is not None and int(participants) < 0:
        raise Invalid(
            _("Enter a number of zero or more."),
            fields={"participants": [_("Enter a number of zero or more.")]},
        )
    with transaction.atomic():
        activity = JointActivity.objects.create(
            community=where,
            place_path=where.path,
            held_on=held_on,
            title=title,
            participants=int(participants or 0),
            note=clean_text(note, limit=4000),
        )
        activity.partners.set(units)
        audit_record(
            action="party.activity_create",
            actor=actor,
            target=activity,
            detail={"partners": [p.pk for p in units], "participants": activity.participants},
        )
    return activity
