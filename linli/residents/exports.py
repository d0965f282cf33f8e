"""Export of a filtered person list to .xlsx, streamed in chunks (constant memory).

Masked unless the user holds ``registry.unmask`` and asks for full data; a masked export leaves the date
of birth empty (the age stays). Audited as
``registry.export`` either way (with the filters, the row count and whether it was full). Sensitive
tags appear only for holders of ``registry.view_sensitive``: the tags come from ``tags_of_persons``,
which only knows the tags the user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from linli.core.audit import audit_record
from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP
from linli.core.errors import PermissionDenied
from linli.core.excel import Sheet as SheetWriter
from linli.core.excel import Workbook
from linli.core.masking import mask_id_number, mask_phone
from linli.places.kinds import PlaceKind
from linli.residents.access import can_export_registry, can_unmask
from linli.residents.excel import export_sheet
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


def export_persons(*, user, q: str, filters: PersonFilters, full: bool, book: Workbook,
                   progress: Callable[[int], None] | None = None) -> int:
    """Write the persons ``person_search(user, q, filters)`` finds into ``book`` (streamed); returns the row
    count. ``progress(rows so far)`` after each chunk (the worker's progress bar)."""
    from django.utils.translation import gettext as _

    if not can_export_registry(user):
        raise PermissionDenied(_("You may not export the registry."))
    if full and not can_unmask(user):
        raise PermissionDenied(_("You may not export unmasked personal data."))
    show_id = (lambda v: v or "") if full else mask_id_number
    show_phone = (lambda v: v or "") if full else mask_phone
    today = timezone.localdate()
    sheet = export_sheet(book)
    count = 0
    for chunk in iter_person_chunks(person_search(user, q, filters)):
        count += len(chunk)
        _write_chunk(sheet, user, chunk, show_id, show_phone, today, full=full)
        if progress is not None:
            progress(count)
    audit_record(action="registry.export", actor=user, detail={
        "q": q, "filters": filters.as_params(), "rows": count, "full": full,
    })
    return count


# --- the export as a job kind (linli.core.export_jobs): large lists are written by the worker ------------------


def _registry_allowed(user, params: dict[str, Any]) -> bool:
    return can_export_registry(user) and (not params.get("full") or can_unmask(user))


def _persons_count(user, params: dict[str, Any]) -> int:
    return person_search(user, params.get("q", ""), PersonFilters.from_params(params.get("filters", {}))).count()


def _persons_write(user, params: dict[str, Any], book: Workbook, progress: Callable[[int], None]) -> int:
    return export_persons(user=user, q=params.get("q", ""), filters=PersonFilters.from_params(params.get("filters", {})),
                          full=bool(params.get("full")), book=book, progress=progress)


def _persons_filename(params: dict[str, Any]) -> str:
    return f"registry-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def export_kinds_register() -> None:
    from linli.core.export_jobs import ExportKind, export_kind_register

    export_kind_register(ExportKind(name="residents.persons", allowed=_registry_allowed, count=_persons_count,
                                    write=_persons_write, filename=_persons_filename))
    export_kind_register(ExportKind(name="residents.organisations", allowed=_registry_allowed,
                                    count=_organisations_count, write=_organisations_write,
                                    filename=_organisations_filename))


def _organisations_count(user, params: dict[str, Any]) -> int:
    from linli.residents.selectors_orgs import OrganisationFilters, organisation_search

    return organisation_search(user, OrganisationFilters.from_params(params.get("filters", {}))).order_by().count()


def _organisations_write(user, params: dict[str, Any], book: Workbook, progress: Callable[[int], None]) -> int:
    from linli.residents.selectors_orgs import OrganisationFilters

    return export_organisations(user=user, filters=OrganisationFilters.from_params(params.get("filters", {})),
                                full=bool(params.get("full")), book=book, progress=progress)


def _organisations_filename(params: dict[str, Any]) -> str:
    return f"organisations-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def _write_chunk(sheet: SheetWriter, user, chunk: list[Person], show_id, show_phone, today, *, full: bool) -> None:
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
        sheet.row(row)


# --- organisations ------------------------------------------------------------------------------------------

ORG_KIND_LABELS = {
    "shop": "沿街商铺", "company": "企业", "school": "学校", "unit": "机关事业单位", "owners_committee": "业委会",
    "property_company": "物业公司", "other": "其他",
}


def export_organisations(*, user, filters, full: bool, book: Workbook,
                         progress: Callable[[int], None] | None = None) -> int:
    """Write the organisations ``organisation_search(user, filters)`` finds into ``book`` in the import
    sheet's columns (so it can be edited and imported again with "update"), plus grid and status; the
    contact phone masked unless ``full`` (``registry.unmask``). Audited as ``registry.export``."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    from linli.core.batches import keyset_batches
    from linli.residents.excel import ORG_EXPORT_HEADERS, ORGANISATIONS
    from linli.residents.models import CompoundService
    from linli.residents.selectors_orgs import organisation_search

    if not can_export_registry(user):
        raise PermissionDenied(_("You may not export the registry."))
    if full and not can_unmask(user):
        raise PermissionDenied(_("You may not export unmasked personal data."))
    show_phone = (lambda v: v or "") if full else mask_phone
    sheet = export_sheet(book, ORGANISATIONS, ORG_EXPORT_HEADERS)
    count = 0
    for chunk in keyset_batches(organisation_search(user, filters).select_related("place"), 500):
        count += len(chunk)
        chains = place_chain(o.place for o in chunk)
        serves: dict[int, list[Any]] = {}
        for service in (CompoundService.objects.filter(organisation__in=chunk, end_date__isnull=True)
                        .select_related("compound").order_by("compound__path")):
            serves.setdefault(service.organisation_id, []).append(service)
        for o in chunk:
            chain = chains.get(o.place_id, [])
            parts: dict[str, str] = {k: "" for k in ("compound", "building", "entrance", "house")}
            for node in chain:
                if node.kind in parts:
                    parts[node.kind] = node.name
            current = serves.get(o.pk, [])
            starts = sorted({s.start_date for s in current if s.start_date})
            grid = grid_of(chain)
            sheet.row([
                o.name, ORG_KIND_LABELS.get(o.kind, o.kind), parts["compound"], parts["building"],
                parts["entrance"], parts["house"], o.contact_name, show_phone(o.contact_phone), o.credit_code,
                "、".join(s.compound.name for s in current), starts[0].isoformat() if len(starts) == 1 else "",
                o.notes, grid.name if grid else "", pgettext("organisation", "Open" if o.active else "Closed"),
            ])
        if progress is not None:
            progress(count)
    audit_record(action="registry.export", actor=user, detail={
        "what": "organisations", "filters": filters.as_params(), "rows": count, "full": full,
    })
    return count
