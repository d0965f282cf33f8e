"""Organisations: shops along the street (沿街商铺), companies, schools, units, owners' committees (业委会)
and property companies (物业公司) at a house, building or compound; and the compounds a committee or a
property company serves (``CompoundService``, with dates: a property company may serve several compounds,
a compound has one current committee and one current property company)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, Refused
from linli.places.kinds import PlaceKind
from linli.places.selectors import is_place
from linli.residents.actions._common import _require_change, _require_path, _require_place, _today
from linli.residents.models import (
    SERVING_KINDS,
    CompoundService,
    Organisation,
    OrganisationKind,
)
from linli.residents.text import clean_text, normalise_phone

if TYPE_CHECKING:
    from linli.places.models import Place

ORGANISATION_PLACE_KINDS = (PlaceKind.HOUSE, PlaceKind.BUILDING, PlaceKind.COMPOUND)
EDITABLE_ORGANISATION_FIELDS = frozenset({"name", "kind", "place", "contact_name", "contact_phone", "credit_code", "notes"})


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The organisation's fields checked and normalised; Invalid names the field."""
    out: dict[str, Any] = {}
    if "kind" in data:
        if data["kind"] not in OrganisationKind.values:
            raise Invalid(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
        out["kind"] = data["kind"]
    if "name" in data:
        name = clean_text(data["name"], 120)
        if not name:
            raise Invalid(_("A name is required."), fields={"name": [_("A name is required.")]})
        out["name"] = name
    if "place" in data:
        place = data["place"]
        if not is_place(place) or place.kind not in ORGANISATION_PLACE_KINDS:
            message = _("An organisation sits at a house, a building or a compound.")
            raise Invalid(message, fields={"place": [message]})
        out["place"] = place
    if "contact_name" in data:
        out["contact_name"] = clean_text(data["contact_name"], 64)
    if "contact_phone" in data:
        phone = ""
        if data["contact_phone"]:
            try:
                phone = normalise_phone(data["contact_phone"])
            except Invalid as exc:
                raise Invalid(exc.message, fields={"contact_phone": [str(exc.message)]}) from None
        out["contact_phone"] = phone
    if "credit_code" in data:
        code = clean_text(data["credit_code"], 18).upper()
        if code and len(code) != 18:
            message = _("A unified social credit code has 18 characters.")
            raise Invalid(message, fields={"credit_code": [message]})
        out["credit_code"] = code
    if "notes" in data:
        out["notes"] = (data["notes"] or "").strip()[:2000]
    return out


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
    serves: list[Place] | None = None,
    serves_from: datetime.date | None = None,
) -> Organisation:
    """A shop, company, school, unit, owners' committee or property company at a house (a shop unit), a
    building or a compound. A committee or a property company serves ``serves`` (compounds) from
    ``serves_from``; a committee placed at a compound serves that compound when ``serves`` is not given."""
    _require_change(actor)
    fields = _clean_fields({"name": name, "kind": kind, "place": place, "contact_name": contact_name,
                            "contact_phone": contact_phone, "credit_code": credit_code, "notes": notes})
    _require_place(actor, place)
    org = Organisation.objects.create(place_path=place.path, **fields)
    audit_record(action="residents.organisation_create", actor=actor, target=org, detail={"kind": kind})
    if serves is None and kind == OrganisationKind.OWNERS_COMMITTEE and place.kind == PlaceKind.COMPOUND:
        serves = [place]
    for compound in serves or []:
        organisation_serve(organisation=org, compound=compound, actor=actor, start=serves_from)
    return org


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor, **changes: Any) -> Organisation:
    """Correct an organisation's details (name, kind, place, contact, credit code, notes). A committee or
    a property company that still serves compounds keeps its kind."""
    _require_change(actor)
    _require_path(actor, organisation.place_path)
    unknown = set(changes) - EDITABLE_ORGANISATION_FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    fields = _clean_fields(changes)
    if "place" in fields:
        _require_place(actor, fields["place"])
    new_kind = fields.get("kind", organisation.kind)
    if new_kind != organisation.kind and organisation.services.filter(end_date__isnull=True).exists():
        message = _("It still serves compounds: end those services before changing its kind.")
        raise Refused(message, code="serving", fields={"kind": [message]})
    changed = sorted(k for k, v in fields.items() if getattr(organisation, k) != v)
    for key, value in fields.items():
        setattr(organisation, key, value)
    if "place" in fields:
        organisation.place_path = fields["place"].path
    organisation.save()
    if changed:
        audit_record(action="residents.organisation_update", actor=actor, target=organisation,
                     detail={"fields": changed})
    return organisation


@transaction.atomic
def organisation_serve(
    *, organisation: Organisation, compound: Place, actor, start: datetime.date | None = None
) -> CompoundService:
    """The committee or property company serves this compound from ``start`` (today when not given). A
    compound has one current committee and one current property company: the one serving until now stops
    serving on ``start`` (a new property company takes over)."""
    _require_change(actor)
    if organisation.kind not in SERVING_KINDS:
        message = _("Only an owners' committee or a property company serves compounds.")
        raise Invalid(message, fields={"kind": [message]})
    if not is_place(compound) or compound.kind != PlaceKind.COMPOUND:
        message = _("Choose a compound.")
        raise Invalid(message, fields={"serves": [message]})
    _require_place(actor, compound)
    start = _today(start)
    current = list(
        CompoundService.objects.select_for_update().filter(compound=compound, kind=organisation.kind, end_date__isnull=True)
    )
    for service in current:
        if service.organisation_id == organisation.pk:
            raise Refused(_("It already serves this compound."), code="already_serving")
        if service.start_date and service.start_date > start:
            message = _("The one serving now started after that date.")
            raise Invalid(message, fields={"start": [message]})
        service.end_date = start
        service.save(update_fields=["end_date"])
        audit_record(action="residents.organisation_serve_end", actor=actor, target=service.organisation,
                     detail={"compound": compound.pk, "on": start.isoformat(), "replaced_by": organisation.pk})
    try:
        with transaction.atomic():
            service = CompoundService.objects.create(
                organisation=organisation, compound=compound, kind=organisation.kind, place_path=compound.path,
                start_date=start,
            )
    except IntegrityError:  # another request started a service meanwhile
        raise Refused(_("Someone else changed who serves this compound; look again."), code="conflict") from None
    audit_record(action="residents.organisation_serve", actor=actor, target=organisation,
                 detail={"compound": compound.pk, "from": start.isoformat()})
    return service


@transaction.atomic
def organisation_serve_end(*, service: CompoundService, actor, on: datetime.date | None = None) -> CompoundService:
    """The committee or property company stops serving the compound on ``on`` (today)."""
    _require_change(actor)
    _require_path(actor, service.place_path)
    service = CompoundService.objects.select_for_update().get(pk=service.pk)
    if service.end_date is not None:
        raise Refused(_("This service has already ended."), code="ended")
    on = _today(on)
    if service.start_date and on < service.start_date:
        message = _("The end cannot come before the start.")
        raise Invalid(message, fields={"on": [message]})
    service.end_date = on
    service.save(update_fields=["end_date"])
    audit_record(action="residents.organisation_serve_end", actor=actor, target=service.organisation,
                 detail={"compound": service.compound_id, "on": on.isoformat()})
    return service


@transaction.atomic
def organisation_close(*, organisation: Organisation, actor, on: datetime.date | None = None) -> Organisation:
    """The organisation closed (a shop shut, a committee dissolved): it stops serving its compounds."""
    _require_change(actor)
    _require_path(actor, organisation.place_path)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.active:
        raise Refused(_("This organisation is already closed."), code="closed")
    organisation.active = False
    organisation.closed_on = _today(on)
    organisation.save(update_fields=["active", "closed_on"])
    organisation.services.filter(end_date__isnull=True).update(end_date=organisation.closed_on)
    audit_record(action="residents.organisation_close", actor=actor, target=organisation)
    return organisation
