"""The service catalog: staff add and edit services (``service_item_save``)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied
from linli.core.text import pinyin_initials
from linli.hall.actions._common import clean_text, place_by_id
from linli.hall.workflow import ServiceCategory

MAX_MATERIALS = 30


def initials_of(name: str) -> str:
    """拼音首字母: "居住证明" → "jzzm"."""
    return pinyin_initials(name)[:80]


def materials_parse(value: Any) -> list[str]:
    """A list of strings, or text with one item a line (or separated by 、；;)."""
    if isinstance(value, str):
        for sep in ("、", "；", ";"):
            value = value.replace(sep, "\n")
        value = value.splitlines()
    items = [clean_text(v, limit=120) for v in (value or [])]
    items = [v for v in items if v]
    if len(items) > MAX_MATERIALS:
        raise Invalid(_("At most %(n)s materials.") % {"n": MAX_MATERIALS}, fields={"materials": [_("Too many.")]})
    return list(dict.fromkeys(items))


def service_item_save(*, actor: Any, service: Any = None, **data: Any):
    """Create (``service=None``) or edit a service. Staff with ``hall.manage``; a community's own service
    must lie in their scope; the default catalog is edited by staff of any scope (it is everyone's)."""
    from linli.hall.access import can_manage_catalog
    from linli.hall.models import ServiceItem

    if actor is not None and not can_manage_catalog(actor, service):
        raise PermissionDenied(_("You may not edit the service catalog."))
    errors: dict[str, list[str]] = {}
    name = clean_text(data.get("name", getattr(service, "name", "")), limit=80)
    if not name:
        errors["name"] = [_("This field is required.")]
    category = data.get("category", getattr(service, "category", ""))
    if category not in ServiceCategory.values:
        errors["category"] = [_("Choose one.")]
    try:
        days = int(data.get("promised_days", getattr(service, "promised_days", 1)))
        if not 0 <= days <= 120:
            raise ValueError
    except (TypeError, ValueError):
        errors["promised_days"] = [_("Between 0 and 120 working days.")]
        days = 1
    materials = materials_parse(data.get("materials", getattr(service, "materials", [])))
    place = None
    if service is None and data.get("place") not in (None, ""):
        place = place_by_id(data.get("place"))
        if actor is not None and not actor.scope.covers_path(place.path):
            errors["place"] = [_("This place is outside your area.")]
    if errors:
        raise Invalid(_("Please check the service."), fields=errors)
    with transaction.atomic():
        if service is None:
            code = clean_text(data.get("code"), limit=48) or f"{initials_of(name)[:30]}-{secrets.token_hex(3)}"
            service = ServiceItem(place=place, place_path=place.path if place else "", code=code)
        service.name = name
        service.initials = initials_of(name)
        service.category = category
        service.promised_days = days
        service.materials = materials
        for key, limit in (("description", 4000), ("window", 80), ("agency_office", 80), ("certificate_text", 4000)):
            if key in data:
                setattr(service, key, clean_text(data[key], limit=limit))
        for key in ("agency", "certificate", "active"):
            if key in data:
                setattr(service, key, bool(data[key]))
        if service.certificate and not service.certificate_text:
            from linli.hall.catalog import DEFAULT_CERTIFICATE_TEXT

            service.certificate_text = DEFAULT_CERTIFICATE_TEXT
        service.save()
        audit_record(action="hall.service_save", actor=actor, actor_name="" if actor else "system", target=service,
                     detail={"name": name})
    return service
