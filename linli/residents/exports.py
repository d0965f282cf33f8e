"""Export of a filtered person list to .xlsx, streamed in chunks (constant memory).

Masked unless the user holds ``registry.unmask`` and asks for full data; a masked export leaves the date
of birth empty (the age stays). Audited as
``registry.export`` either way (with the filters, the row count and whether it was full). Sensitive
tags appear only for holders of ``registry.view_sensitive``: the tags come from ``tags_of_persons``,
which only knows the tags the user may see.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from linli.core.audit import audit_record
from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP
from linli.core.errors import PermissionDenied
from linli.core.masking import mask_id_number, mask_phone
from linli.places.models import PlaceKind
from linli.residents.access import can_export_registry, can_unmask
from linli.residents.excel import ExportWriter
from linli.residents.models import HouseholdMember, Occupancy, Person, PersonStatus
from linli.residents.selectors import (
    PersonFilters,
    code_name,
    grid_of,
    iter_person_chunks,
    person_search,
    place_chain,
    sex_name,
    tags_of_persons,
)

OCCUPANCY_LABELS = {"owner": "业主", "tenant": "租户", "resident": "居住人"}


def export_persons(*, user, q: str, filters: PersonFilters, full: bool, path: str) -> int:
    """Write the persons ``person_search(user, q, filters)`` finds to ``path``; returns the row count."""
    from django.utils.translation import gettext as _

    if not can_export_registry(user):
        raise PermissionDenied(_("You may not export the registry."))
    if full and not can_unmask(user):
        raise PermissionDenied(_("You may not export unmasked personal data."))
    show_id = (lambda v: v or "") if full else mask_id_number
    show_phone = (lambda v: v or "") if full else mask_phone
    today = timezone.localdate()
    writer = ExportWriter(path)
    count = 0
    try:
        for chunk in iter_person_chunks(person_search(user, q, filters)):
            count += len(chunk)
            _write_chunk(writer, user, chunk, show_id, show_phone, today, full=full)
    finally:
        writer.close()
    audit_record(action="registry.export", actor=user, detail={
        "q": q, "filters": filters.as_params(), "rows": count, "full": full,
    })
    return count


def _write_chunk(writer: ExportWriter, user, chunk: list[Person], show_id, show_phone, today, *, full: bool) -> None:
    ids = [p.pk for p in chunk]
    tags = tags_of_persons(user, chunk, today)
    chains = place_chain(p.place for p in chunk if p.place_id)
    members = {
        m.person_id: m
        for m in HouseholdMember.objects.filter(person_id__in=ids, end_date__isnull=True).select_related(
            "household__head"
        ).only("person_id", "relationship", "household__head__id_number", "household__head_id")
    }
    kinds: dict[tuple[int, int], str] = {
        (o.person_id, o.house_id): o.kind
        for o in Occupancy.objects.filter(person_id__in=ids, end_date__isnull=True).only("person_id", "house_id", "kind")
    }
    for p in chunk:
        chain = chains.get(p.place_id or 0, [])
        parts: dict[str, str] = {k: "" for k in ("compound", "building", "entrance", "house")}
        for node in chain:
            if node.kind in parts:
                parts[node.kind] = node.name
        member = members.get(p.pk)
        head = member.household.head if member is not None and member.household.head_id else None
        relationship = code_name(RELATIONSHIP, member.relationship) if member else ""
        head_id = "" if head is None or head.pk == p.pk else show_id(head.id_number)
        grid = grid_of(chain)
        row: list[Any] = [
            p.name,
            sex_name(p.sex),
            code_name(ETHNICITY, p.ethnicity),
            show_id(p.id_number),
            show_phone(p.phone),
            code_name(POLITICAL_STATUS, p.political_status),
            relationship,
            head_id,
            p.registered_address,
            parts["compound"],
            parts["building"],
            parts["entrance"],
            parts["house"],
            OCCUPANCY_LABELS.get(kinds.get((p.pk, p.place_id or 0), ""), "") if p.place and p.place.kind == PlaceKind.HOUSE
            else "",
            "、".join(t.name for t in tags.get(p.pk, [])),
            p.notes,
            # The date of birth only in a full export: beside a masked ID number it would give the number away.
            p.birth_date.isoformat() if full and p.birth_date else "",
            p.age_on(today) if p.birth_month else "",
            grid.name if grid else "",
            str(PersonStatus(p.status).label),
        ]
        writer.write(row)
