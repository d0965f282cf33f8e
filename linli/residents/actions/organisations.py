"""Organisations: shops, companies, schools and units at a house or building."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, Refused
from linli.places.models import Place, PlaceKind
from linli.residents.actions._common import _require_change, _require_path, _require_place, _today
from linli.residents.models import (
    Organisation,
    OrganisationKind,
)
from linli.residents.text import clean_text, normalise_phone

# --- organisations -------------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    name: str,
    place: Place,
    actor,
    kind: str = OrganisationKind.SHOP,
    contact_name: str = "",
    contact_phone: str = "",
    credit_code: str = "",
    notes: str = "",
) -> Organisation:
    """A shop, company, school or unit at a house (a shop unit) or a building."""
    _require_change(actor)
    _require_place(actor, place)
    if place.kind not in (PlaceKind.HOUSE, PlaceKind.BUILDING, PlaceKind.COMPOUND):
        raise Invalid(_("An organisation sits at a house or a building."))
    if kind not in OrganisationKind.values:
        raise Invalid(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
    name = clean_text(name, 120)
    if not name:
        raise Invalid(_("A name is required."), fields={"name": [_("A name is required.")]})
    phone = ""
    if contact_phone:
        try:
            phone = normalise_phone(contact_phone)
        except Invalid as exc:
            raise Invalid(exc.message, fields={"contact_phone": [str(exc.message)]}) from None
    credit_code = clean_text(credit_code, 18).upper()
    if credit_code and len(credit_code) != 18:
        message = _("A unified social credit code has 18 characters.")
        raise Invalid(message, fields={"credit_code": [message]})
    org = Organisation.objects.create(
        name=name, kind=kind, place=place, place_path=place.path, contact_name=clean_text(contact_name, 64),
        contact_phone=phone, credit_code=credit_code, notes=(notes or "").strip()[:2000],
    )
    audit_record(action="residents.organisation_create", actor=actor, target=org, detail={"kind": kind})
    return org


@transaction.atomic
def organisation_close(*, organisation: Organisation, actor, on: datetime.date | None = None) -> Organisation:
    _require_change(actor)
    _require_path(actor, organisation.place_path)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.active:
        raise Refused(_("This organisation is already closed."), code="closed")
    organisation.active = False
    organisation.closed_on = _today(on)
    organisation.save(update_fields=["active", "closed_on"])
    audit_record(action="residents.organisation_close", actor=actor, target=organisation)
    return organisation
