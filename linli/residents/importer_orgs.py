"""Organisations from the communities' Excel sheet (单位信息: shops along the street, companies, schools,
units, owners' committees, property companies), through the registry's import machinery: the same job
(``ImportJob`` with ``kind="organisations"``), the same limits at the door and worker for large files,
the same problems in Chinese and error report, the same progress and claim (``importer.Importer``).

Check every row, then write only when no row has a problem, in one transaction, each row through the
organisation actions (``organisation_create`` / ``organisation_update`` / ``organisation_serve``), so
the import writes what the pages write, audit rows included.

Decisions: an organisation is identified by its name and its place (house, building or compound); one
already registered there is a problem ("already registered") unless the import runs with
``update_existing``: then its details are updated from the row (empty cells keep the stored value) and
the compounds it serves are added. Houses are not created by this import (a shop can be placed at its
building).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import reset_queries, transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import DomainError, Invalid
from linli.places.kinds import PlaceKind
from linli.places.selectors import places_by_ids
from linli.residents import excel
from linli.residents.importer import BATCH, TAG_SPLIT, Importer, _Aborted, _cell
from linli.residents.models import SERVING_KINDS, CompoundService, Organisation, OrganisationKind
from linli.residents.text import clean_text, normalise_phone

KIND_WORDS: dict[str, str] = {
    "沿街商铺": OrganisationKind.SHOP, "商铺": OrganisationKind.SHOP, "店铺": OrganisationKind.SHOP,
    "门店": OrganisationKind.SHOP, "个体工商户": OrganisationKind.SHOP,
    "企业": OrganisationKind.COMPANY, "公司": OrganisationKind.COMPANY,
    "学校": OrganisationKind.SCHOOL, "幼儿园": OrganisationKind.SCHOOL,
    "机关事业单位": OrganisationKind.UNIT, "单位": OrganisationKind.UNIT, "事业单位": OrganisationKind.UNIT,
    "业委会": OrganisationKind.OWNERS_COMMITTEE, "业主委员会": OrganisationKind.OWNERS_COMMITTEE,
    "物业公司": OrganisationKind.PROPERTY_COMPANY, "物业": OrganisationKind.PROPERTY_COMPANY,
    "物业服务企业": OrganisationKind.PROPERTY_COMPANY,
    "其他": OrganisationKind.OTHER,
}
KIND_WORDS.update({k: k for k in OrganisationKind.values})
PLACE_KINDS = (PlaceKind.HOUSE, PlaceKind.BUILDING, PlaceKind.COMPOUND)


@dataclass(slots=True)
class OrgRow:
    number: int
    name: str = ""
    kind: str = ""
    compound: str = ""
    building: str = ""
    entrance: str = ""
    house: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    credit_code: str = ""
    serves: list[int] = field(default_factory=list)  # compound ids
    serves_from: datetime.date | None = None
    notes: str = ""
    place_id: int = 0
    existing_id: int = 0  # the registered organisation this row updates


class OrganisationImporter(Importer):
    layout = excel.ORGANISATIONS

    def _prepare(self) -> bool:
        from linli.residents.houses import HouseIndex

        self.create_houses = False  # a shop without a house number sits at its building
        if not self._prepare_place():
            return False
        try:
            self.sheet = excel.open_sheet(self.path, self.layout)
        except excel.WorkbookError as exc:
            self.problem(0, "", str(exc))
            return False
        self.houses = HouseIndex(self.community)
        # What is registered in the community already: (name, place) → id. A community has hundreds.
        self.registered: dict[tuple[str, int], int] = {
            (name, place_id): pk
            for pk, name, place_id in Organisation.objects.filter(place_path__startswith=self.community.path, active=True)
            .values_list("pk", "name", "place_id")
            .order_by("pk")
        }
        return True

    def parse(self, number: int, values: tuple[Any, ...]) -> OrgRow:  # type: ignore[override]
        idx = self.sheet.index

        def get(key: str) -> str:
            i = idx.get(key)
            return _cell(values[i] if i is not None and i < len(values) else None)

        row = OrgRow(number)
        row.name = clean_text(get("name"), 120)
        if not row.name:
            self.problem(number, "name", _("Required."))
        kind_text = get("kind")
        row.kind = KIND_WORDS.get(kind_text.lower() if kind_text.isascii() else kind_text, "")
        if not kind_text:
            self.problem(number, "kind", _("Required."))
        elif not row.kind:
            self.problem(number, "kind", _("Write one of: %(kinds)s.") % {"kinds": "、".join(excel.ORG_KIND_NAMES)})
        row.compound, row.building = get("compound"), get("building")
        row.entrance, row.house = get("entrance"), get("house")
        row.contact_name = clean_text(get("contact_name"), 64)
        phone = get("contact_phone")
        if phone:
            try:
                row.contact_phone = normalise_phone(phone)
            except Invalid as exc:
                self.problem(number, "contact_phone", exc.message)
        code = clean_text(get("credit_code"), 40).upper()
        if code and len(code) != 18:
            self.problem(number, "credit_code", _("A unified social credit code has 18 characters."))
        row.credit_code = code[:18]
        row.notes = get("notes")[:2000]
        # where it sits
        if not row.compound and not row.building:
            self.problem(number, "compound", _("Required: the compound, or the building, where it sits."))
        elif row.entrance and not row.house:
            self.problem(number, "house", _("Required when an entrance is given."))
        else:
            address = self._address(row)  # type: ignore[arg-type]
            if address is not None:
                node = address.node
                if node is None or node.kind not in PLACE_KINDS:
                    self.problem(number, "compound", _("An organisation sits at a house, a building or a compound."))
                else:
                    row.place_id = node.id
        # the compounds it serves
        names = [w for w in TAG_SPLIT.split(get("serves")) if w]
        if names and row.kind and row.kind not in SERVING_KINDS:
            self.problem(number, "serves", _("Only an owners' committee or a property company serves compounds."))
        elif names:
            for word in names:
                compound, message = self.houses.compound(word)
                if compound is None:
                    self.problem(number, "serves", f"{word}：{message}")
                elif not self._covers(compound.path):
                    self.problem(number, "serves", f"{word}：{_('Outside your area.')}")
                elif compound.id not in row.serves:
                    row.serves.append(compound.id)
        elif row.kind == OrganisationKind.OWNERS_COMMITTEE and row.compound and not row.building and row.place_id:
            row.serves.append(row.place_id)  # a committee placed at its compound serves it
        start = get("serves_from")
        if start:
            try:
                row.serves_from = datetime.date.fromisoformat(start[:10])
            except ValueError:
                self.problem(number, "serves_from", _("Write a date such as 2024-01-01."))
        # registered already?
        if row.name and row.place_id:
            row.existing_id = self.registered.get((row.name, row.place_id), 0)
            if row.existing_id and not self.update_existing:
                self.problem(number, "name", _("Already registered at this place (tick “update registered ones” to "
                                               "update it)."))
        return row

    def check(self) -> None:
        self.org_rows: list[OrgRow] = []
        seen: dict[tuple[str, int], int] = {}
        total = self.sheet.total_rows
        done = 0
        for number, values in self.sheet.rows():
            row = self.parse(number, values)
            done += 1
            key = (row.name, row.place_id)
            if row.name and row.place_id:
                if key in seen:
                    self.problem(number, "name", _("The same organisation at the same place as row %(row)d.")
                                 % {"row": seen[key]})
                else:
                    seen[key] = number
            self.org_rows.append(row)
            if done % BATCH == 0:
                self.progress("check", done, total)
                reset_queries()
        self.rows = done
        if done == 0:
            self.problem(0, "", _("The file has no rows to import."))
        self.progress("check", done, done)

    @transaction.atomic
    def write(self) -> dict[str, int]:
        from linli.residents.actions.organisations import (
            organisation_create,
            organisation_serve,
            organisation_update,
        )

        counts = {"rows": self.rows, "organisations_created": 0, "organisations_updated": 0, "services_added": 0}
        if self.claim is not None:
            self.claim()
        done = 0
        for start in range(0, len(self.org_rows), BATCH):
            batch = self.org_rows[start:start + BATCH]
            ids = {r.place_id for r in batch} | {c for r in batch for c in r.serves}
            places = places_by_ids(list(ids)).in_bulk()
            existing = Organisation.objects.in_bulk([r.existing_id for r in batch if r.existing_id])
            serving = set(
                CompoundService.objects.filter(organisation_id__in=list(existing), end_date__isnull=True)
                .values_list("organisation_id", "compound_id")
            )
            for row in batch:
                try:
                    if row.existing_id:
                        org = existing[row.existing_id]
                        changes: dict[str, Any] = {"kind": row.kind}
                        for key in ("contact_name", "contact_phone", "credit_code", "notes"):
                            if getattr(row, key):
                                changes[key] = getattr(row, key)
                        org = organisation_update(organisation=org, actor=self.actor, **changes)
                        counts["organisations_updated"] += 1
                    else:
                        org = organisation_create(
                            name=row.name, kind=row.kind, place=places[row.place_id], actor=self.actor,
                            contact_name=row.contact_name, contact_phone=row.contact_phone,
                            credit_code=row.credit_code, notes=row.notes, serves=[],
                        )
                        counts["organisations_created"] += 1
                    for compound_id in row.serves:
                        if (org.pk, compound_id) in serving:
                            continue
                        organisation_serve(organisation=org, compound=places[compound_id], actor=self.actor,
                                           start=row.serves_from)
                        serving.add((org.pk, compound_id))
                        counts["services_added"] += 1
                except DomainError as exc:  # a row the check could not foresee: nothing is written
                    self.problem(row.number, "name", exc.message)
            done += len(batch)
            self.progress("write", done, self.rows)
            reset_queries()
        if self.problem_count:
            raise _Aborted
        audit_record(action="residents.import", actor=self.actor, actor_name="" if self.actor else "console",
                     target=self.community, detail={"file": self.filename, "kind": "organisations", **counts})
        return counts
