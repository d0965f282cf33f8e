"""12345 hotline import: tickets (工单编号, 来电时间, 诉求内容, 诉求地址, 分类, 办理时限) from CSV, Excel or
JSON become cases through ``case_create`` (channel ``hotline``, ``external_id`` = the ticket number).

- Every row is checked first; rows with problems are reported as (row, column, message) and nothing of
  that row is written. Good rows are filed one by one (each in its own transaction), so a bad row never
  leaves a half-written case behind.
- Importing the same ticket again changes nothing (the ticket number is unique per channel).
- The address is matched to a building where it can be (``address_match``): the longest compound name
  of the community found in the address, then a building number (3幢, 3栋, 3号楼, 3座) in that compound.
- 分类 is a category code or name (subcategory names first); 办理时限 (a date or datetime) is kept in
  the description when it is earlier than the category's own deadline would give (a note for the desk).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import DomainError

COLUMNS = {
    "external_id": ("工单编号", "ticket_no", "number"),
    "reported_at": ("来电时间", "call_time", "reported_at"),
    "description": ("诉求内容", "content", "description"),
    "address": ("诉求地址", "address"),
    "category": ("分类", "category"),
    "due": ("办理时限", "deadline", "due"),
}
REQUIRED = ("external_id", "description", "category")
BUILDING_RE = re.compile(r"(\d+)\s*(?:幢|栋|号楼|座|号楼栋)")
MAX_ROWS = 20000


# --- address → place -----------------------------------------------------------------------------------


class AddressIndex:
    """The compounds and buildings under ``root`` (a community or street path), loaded once."""

    def __init__(self, root_path: str = "") -> None:
        from linli.places.kinds import PlaceKind
        from linli.places.selectors import places_of_kind

        qs = places_of_kind(PlaceKind.COMPOUND, PlaceKind.BUILDING)
        if root_path:
            qs = qs.filter(path__startswith=root_path)
        rows = list(qs.values_list("pk", "kind", "name", "parent_id"))
        self.compounds = sorted(
            ((name, pk) for pk, kind, name, _parent in rows if kind == PlaceKind.COMPOUND and name),
            key=lambda t: -len(t[0]),
        )
        self.buildings: dict[tuple[int, str], int] = {}
        for pk, kind, name, parent in rows:
            if kind == PlaceKind.BUILDING:
                m = re.search(r"\d+", name or "")
                if m and parent is not None:
                    self.buildings.setdefault((parent, m.group()), pk)

    def match(self, address: str) -> int | None:
        """The id of the building (else the compound) named in ``address``, or None."""
        text = re.sub(r"\s+", "", address or "")
        for name, compound in self.compounds:
            pos = text.find(name)
            if pos < 0:
                continue
            m = BUILDING_RE.search(text, pos + len(name))
            if m:
                building = self.buildings.get((compound, str(int(m.group(1)))))
                if building is not None:
                    return building
            return compound
        return None


def address_match(address: str, *, root_path: str = "") -> Any:
    """The building (else the compound) named in ``address`` under ``root_path``, or None."""
    from linli.places.selectors import place_get

    pk = AddressIndex(root_path).match(address)
    return place_get(pk) if pk else None


# --- reading the file ----------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int  # 1-based data row (the header is row 0 in CSV/Excel terms: row 1 is the first ticket)
    column: str
    message: str


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # case numbers
    unchanged: list[str] = field(default_factory=list)  # ticket numbers already imported
    problems: list[Problem] = field(default_factory=list)
    matched: int = 0  # rows whose address found a building or compound

    @property
    def ok(self) -> bool:
        return not self.problems


def _records(content: bytes, filename: str) -> list[dict[str, Any]]:
    name = filename.lower()
    if name.endswith(".json"):
        data = json.loads(content.decode("utf-8-sig"))
        if isinstance(data, dict):
            data = data.get("tickets") or data.get("data") or []
        if not isinstance(data, list):
            raise ValueError("a JSON list of tickets")
        return [r if isinstance(r, dict) else {} for r in data]
    if name.endswith((".xlsx", ".xlsm")):
        from linli.core.uploads import xlsx_sheet

        rows = xlsx_sheet(content).rows()  # checked at the door (size, unpacked size) before it is read
        first = next(rows, None)
        header = [str(h or "").strip() for h in (first[1] if first else ())]
        return [dict(zip(header, r, strict=False)) for _number, r in rows]
    text = content.decode("utf-8-sig") if not content.startswith(b"\xff\xfe") else content.decode("utf-16")
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def _column(record: dict[str, Any], key: str) -> Any:
    for name in COLUMNS[key]:
        if name in record and record[name] not in (None, ""):
            return record[name]
    return None


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("/", "-")
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            dt = datetime.strptime(text, "%Y-%m-%d %H:%M")  # raises ValueError
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def _categories() -> dict[str, Any]:
    from linli.cases.models import Category

    out: dict[str, Any] = {}
    cats = list(Category.objects.filter(active=True).order_by("parent_id", "sort_order"))
    for c in cats:  # names of top-level categories first, so subcategories win on a clash
        out[c.name] = c
    for c in cats:
        out[c.code] = c
    return out


@dataclass
class Ticket:
    row: int
    external_id: str
    description: str
    address: str
    category: Any
    reported_at: datetime | None
    due: datetime | None


def _check(records: list[dict[str, Any]], categories: dict[str, Any]) -> tuple[list[Ticket], list[Problem]]:
    tickets, problems = [], []
    seen: dict[str, int] = {}
    for i, record in enumerate(records, start=1):
        row_problems = []
        values = {key: _column(record, key) for key in COLUMNS}
        for key in REQUIRED:
            if values[key] is None or not str(values[key]).strip():
                row_problems.append(Problem(i, COLUMNS[key][0], _("This field is required.")))
        ext = str(values["external_id"] or "").strip()
        if ext and len(ext) > 64:
            row_problems.append(Problem(i, COLUMNS["external_id"][0], _("At most 64 characters.")))
        if ext in seen:
            row_problems.append(Problem(i, COLUMNS["external_id"][0],
                                        _("The same ticket number is on row %(row)d.") % {"row": seen[ext]}))
        category = None
        if values["category"] is not None:
            category = categories.get(str(values["category"]).strip())
            if category is None:
                row_problems.append(Problem(i, COLUMNS["category"][0], _("Unknown category.")))
            elif category.is_emergency:
                row_problems.append(Problem(i, COLUMNS["category"][0], _("An emergency category cannot be filed.")))
        times = {}
        for key in ("reported_at", "due"):
            try:
                times[key] = _parse_time(values[key])
            except (ValueError, TypeError):
                times[key] = None
                row_problems.append(Problem(i, COLUMNS[key][0], _("Not a date and time (2026-03-01 09:30).")))
        if row_problems:
            problems.extend(row_problems)
            continue
        seen[ext] = i
        tickets.append(Ticket(i, ext, str(values["description"]).strip(), str(values["address"] or "").strip(),
                              category, times["reported_at"], times["due"]))
    return tickets, problems


def hotline_import(*, content: bytes, filename: str, community: Any = None, actor: Any = None) -> ImportResult:
    """Import 12345 tickets. ``community`` (a Place) narrows the address matching and is where tickets
    without a matched address are filed. ``actor`` is the staff member uploading (audited); the cases
    are filed by the system door (``case_create(actor=None, channel="hotline")``)."""
    from linli.cases.actions import case_create
    from linli.cases.models import Case
    from linli.core.audit import audit_record

    if actor is not None and "cases.dispatch" not in getattr(actor, "perms", ()):
        from linli.core.errors import PermissionDenied

        raise PermissionDenied(_("You may not import hotline tickets."))
    result = ImportResult()
    try:
        records = _records(content, filename)
    except DomainError as exc:  # a workbook beyond the limits at the door (linli.core.uploads)
        result.problems.append(Problem(0, "", " ".join([str(exc.message), *[str(m) for v in exc.fields.values() for m in v]])))
        return result
    except (ValueError, KeyError, UnicodeDecodeError, json.JSONDecodeError, OSError) as exc:
        result.problems.append(Problem(0, "", _("The file cannot be read: %(error)s") % {"error": str(exc)[:200]}))
        return result
    if len(records) > MAX_ROWS:
        result.problems.append(Problem(0, "", _("At most %(max)d tickets per file.") % {"max": MAX_ROWS}))
        return result
    tickets, result.problems = _check(records, _categories())
    existing = set(
        Case.objects.filter(channel="hotline", external_id__in=[t.external_id for t in tickets])
        .values_list("external_id", flat=True)
    )
    index = AddressIndex(community.path if community is not None else "")
    for t in tickets:
        if t.external_id in existing:
            result.unchanged.append(t.external_id)
            continue
        place_id = index.match(t.address) if t.address else None
        if place_id:
            result.matched += 1
        description = t.description
        if t.due is not None:
            description += "\n" + _("12345 deadline: %(due)s") % {"due": timezone.localtime(t.due).strftime("%Y-%m-%d %H:%M")}
        try:
            case = case_create(
                actor=None, channel="hotline", external_id=t.external_id, category=t.category,
                description=description, address=t.address, place=place_id or community,
                reported_at=t.reported_at,
            )
        except DomainError as exc:
            column = next(iter(exc.fields), "")
            result.problems.append(Problem(t.row, column, str(exc.message)))
            continue
        result.created.append(case.number)
    audit_record(
        action="cases.hotline_import", actor=actor, actor_name="" if actor else "system", target=community,
        detail={"file": filename[:100], "created": len(result.created), "unchanged": len(result.unchanged),
                "problems": len(result.problems), "matched": result.matched},
    )
    return result
