"""Custom tags and the tags of persons (with validity; ended, never deleted)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.places.kinds import PlaceKind
from linli.residents.access import can_view_sensitive
from linli.residents.actions._common import _require_change, _require_person, _require_place, _today
from linli.residents.builtin import BUILTIN_CODES
from linli.residents.models import (
    Person,
    PersonStatus,
    PersonTag,
    Tag,
    TagSensitivity,
)
from linli.residents.text import clean_text

if TYPE_CHECKING:
    from linli.places.models import Place

# --- tags ------------------------------------------------------------------------------------------------


@transaction.atomic
def tag_create(
    *, community: Place, code: str, name: str, actor, sensitivity: str = TagSensitivity.INTERNAL,
    description: str = "",
) -> Tag:
    """A custom tag of one community."""
    _require_change(actor)
    _require_place(actor, community)
    if community.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("A custom tag belongs to a community."))
    if sensitivity not in TagSensitivity.values:
        raise Invalid(_("Unknown sensitivity."), fields={"sensitivity": [_("Unknown sensitivity.")]})
    if sensitivity == TagSensitivity.SENSITIVE and actor is not None and not can_view_sensitive(actor):
        raise PermissionDenied(_("You may not manage sensitive tags."))
    code = clean_text(code, 32).lower()
    name = clean_text(name, 32)
    if not code or not name:
        raise Invalid(_("A tag needs a code and a name."))
    if code in BUILTIN_CODES or Tag.objects.filter(Q(community=community) | Q(community__isnull=True), code=code).exists():
        raise Refused(_("A tag with this code already exists."), code="exists", fields={"code": [_("Taken.")]})
    tag = Tag.objects.create(community=community, code=code, name=name, sensitivity=sensitivity,
                             description=clean_text(description, 200))
    audit_record(action="residents.tag_create", actor=actor, target=tag, detail={"sensitivity": sensitivity})
    return tag


@transaction.atomic
def person_tag_add(
    *,
    person: Person,
    tag: Tag,
    actor,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    source: str = "",
) -> PersonTag:
    _require_change(actor)
    _require_person(actor, person)
    if actor is not None and not Tag.objects.visible_to(actor).filter(pk=tag.pk).exists():
        raise NotFound(_("Not found."))
    if tag.computed:
        raise Refused(_("This tag is computed from the date of birth."), code="computed")
    if person.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can be tagged."), code="not_active")
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        message = _("The end of validity is before its start.")
        raise Invalid(message, fields={"valid_to": [message]})
    overlapping = PersonTag.objects.filter(person=person, tag=tag).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if overlapping.exists():
        raise Refused(_("The person already has this tag for that period."), code="exists")
    row = PersonTag.objects.create(
        person=person, tag=tag, valid_from=valid_from, valid_to=valid_to, source=clean_text(source, 200),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(action="residents.person_tag_add", actor=actor, target=person,
                 detail={"tag": tag.code, "sensitive": tag.is_sensitive})
    return row


@transaction.atomic
def person_tag_end(*, person_tag: PersonTag, actor, on: datetime.date | None = None) -> PersonTag:
    _require_change(actor)
    _require_person(actor, person_tag.person)
    if actor is not None and not Tag.objects.visible_to(actor).filter(pk=person_tag.tag_id).exists():
        raise NotFound(_("Not found."))
    on = _today(on)
    if person_tag.valid_to is not None and person_tag.valid_to <= on:
        raise Refused(_("This tag has already ended."), code="ended")
    person_tag.valid_to = max(on, person_tag.valid_from) if person_tag.valid_from else on
    person_tag.save(update_fields=["valid_to"])
    audit_record(action="residents.person_tag_end", actor=actor, target=person_tag.person,
                 detail={"tag": person_tag.tag.code})
    return person_tag


