"""Registry import from the communities' Excel workbook.

Two passes over the file, read through ``core.uploads.xlsx_sheet`` (python-calamine, its unpacked size checked
first), so that Python never holds the rows:

1. **Check** every row on its own (name, ID check character, codes as names or codes, phone format,
   house, tags) and across rows (the same ID twice, an ID already registered, household consistency),
   keeping only the keys the cross-row checks need (an ID number packed into one integer per row,
   the heads declared in the file, the houses to create).
2. **Write**, only when no row has a problem: one transaction; houses first (when asked), then the
   rows in batches with ``core.inserts.insert_many`` (the rows ``bulk_create`` writes, leaner).

On problems nothing is written and an error report is produced: the file again with a 错误 column,
the bad cells highlighted, and a sheet listing each problem (row, column, message).

Decisions (documented in the UI and the template's instructions):
- An ID number already in the registry is a problem ("already registered") unless the import is run
  with ``update_existing``: then that person's details are updated from the row (empty cells keep the
  stored value), they move to the row's house if it differs, join the row's household, and gain the
  row's tags. A person who had moved out (anywhere) moves in again. A person living in an area the
  user cannot see is always a problem, and so is a deceased person.
- A household is identified by its head. The head's row has 与户主关系 = 户主 (02; 本人 01 is read as
  户主) and an empty or own 户主身份证号; every other member names the head's ID, who must be a head
  in the file or the head of a household in the registry that the user can see.
- Houses are looked up as 小区 → 楼栋 → 单元 → 房号 inside the community ("3栋", "3号楼" and "3" are the
  same building). With ``create_houses`` missing buildings, entrances and houses are created under an
  existing compound (a compound belongs to a grid: it is created in the place tree first). Creating
  needs the ``places.change`` permission.
"""

from __future__ import annotations

import datetime
import logging
import pickle
import re
import tempfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import reset_queries, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.access import scope_of
from linli.core.audit import audit_record
from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP, SEX
from linli.core.crypto import lookup_hashes
from linli.core.errors import Invalid
from linli.core.idnumber import parse_id_number
from linli.core.inserts import insert_many, new_instance
from linli.places.kinds import PlaceKind
from linli.places.selectors import places_by_ids, places_by_paths, places_of_kind
from linli.residents import excel
from linli.residents.access import can_change_registry, has_perm
from linli.residents.houses import HouseIndex, Node, canon
from linli.residents.models import (
    HEAD_RELATIONSHIP,
    Household,
    HouseholdMember,
    Occupancy,
    OccupancyKind,
    Person,
    PersonStatus,
    PersonTag,
)
from linli.residents.text import clean_text, name_keys, normalise_phone

if TYPE_CHECKING:
    from linli.places.models import Place

log = logging.getLogger(__name__)

BATCH = 1000
LOOKUP_BATCH = 500
MAX_PROBLEMS = 20000
OCCUPANCY_WORDS = {
    "业主": OccupancyKind.OWNER, "产权人": OccupancyKind.OWNER, "房主": OccupancyKind.OWNER, "owner": OccupancyKind.OWNER,
    "租户": OccupancyKind.TENANT, "租客": OccupancyKind.TENANT, "承租人": OccupancyKind.TENANT, "tenant": OccupancyKind.TENANT,
    "居住人": OccupancyKind.RESIDENT, "住户": OccupancyKind.RESIDENT, "居住": OccupancyKind.RESIDENT,
    "同住": OccupancyKind.RESIDENT, "家属": OccupancyKind.RESIDENT, "resident": OccupancyKind.RESIDENT,
}
TAG_SPLIT = re.compile(r"[、,，;；/\s]+")
SELF_RELATIONSHIP = "01"  # 本人: read as the head


def id_key(number: str) -> int:
    """An 18-character ID number packed exactly into one integer (< 2**63): 17 digits and the check."""
    last = number[17]
    return int(number[:17]) * 11 + (10 if last == "X" else int(last))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return clean_text(value, 500)


@dataclass
class Address:
    """Where a row puts the person: an existing node, or the parts that must be created."""

    node: Node | None = None  # the deepest existing node (the house when it exists)
    missing: tuple[str, ...] = ()  # kinds still to create under ``node``: building, entrance, house
    names: tuple[str, ...] = ()  # their names


# --- rows -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    number: int
    name: str = ""
    initials: str = ""
    pinyin: str = ""
    sex: str = ""
    ethnicity: str = ""
    id_number: str = ""
    key: int = 0
    birth_date: datetime.date | None = None
    phone: str = ""
    political_status: str = ""
    relationship: str = ""
    head_key: int = 0
    registered_address: str = ""
    compound: str = ""
    building: str = ""
    entrance: str = ""
    house: str = ""
    occupancy: str = ""
    tags: list[int] = field(default_factory=list)
    notes: str = ""
    address: Address | None = None

    @property
    def is_head(self) -> bool:
        return self.relationship == HEAD_RELATIONSHIP


@dataclass
class Problem:
    row: int  # Excel row number; 0 for the file as a whole
    column: str  # the column's header, or ""
    message: str

    def as_list(self) -> list[Any]:
        return [self.row, self.column, self.message]


@dataclass
class ImportResult:
    ok: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None


ProgressFn = Callable[[str, int, int | None], None]


class KeyColumn:
    """(ID key, row) pairs kept in two compact arrays (12 bytes a row, not a Python object each), then
    sorted once with numpy for the cross-row checks: duplicates, membership, the first row of a key."""

    def __init__(self) -> None:
        self.keys = array("q")
        self.rows = array("i")
        self.sorted_keys = np.empty(0, dtype=np.int64)
        self.sorted_rows = np.empty(0, dtype=np.int32)

    def add(self, key: int, row: int) -> None:
        self.keys.append(key)
        self.rows.append(row)

    def freeze(self) -> KeyColumn:
        keys = np.frombuffer(self.keys, dtype=np.int64) if len(self.keys) else np.empty(0, dtype=np.int64)
        rows = np.frombuffer(self.rows, dtype=np.int32) if len(self.rows) else np.empty(0, dtype=np.int32)
        order = np.argsort(keys, kind="stable")  # equal keys keep the file's order
        self.sorted_keys, self.sorted_rows = keys[order], rows[order]
        self.keys, self.rows = array("q"), array("i")
        return self

    def duplicates(self) -> list[tuple[int, int]]:
        """(row, first row with the same key) for every row whose key came earlier in the file."""
        k = self.sorted_keys
        if len(k) < 2:
            return []
        repeated = np.nonzero(k[1:] == k[:-1])[0] + 1
        firsts = np.searchsorted(k, k[repeated], side="left")
        return sorted((int(self.sorted_rows[i]), int(self.sorted_rows[f])) for i, f in zip(repeated, firsts, strict=True))

    def contains(self, keys: np.ndarray) -> np.ndarray:
        return np.isin(keys, self.sorted_keys)

    def first_rows(self, keys: np.ndarray) -> np.ndarray:
        """The first row holding each key, or -1."""
        if not len(self.sorted_keys):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.searchsorted(self.sorted_keys, keys, side="left")
        at_clipped = np.minimum(at, len(self.sorted_keys) - 1)
        found = self.sorted_keys[at_clipped] == keys
        return np.where(found, self.sorted_rows[at_clipped], -1)


class Importer:
    """One import run. ``run()`` checks, then writes (or writes the error report). This class reads the
    persons' workbook; ``linli.residents.importer_orgs.OrganisationImporter`` the organisations' one, with
    the same job, limits, problems, report and progress (its ``layout`` names the sheet and columns)."""

    layout: excel.Layout = excel.PERSONS

    def __init__(
        self,
        *,
        path: str,
        community: Place,
        actor=None,
        create_houses: bool = False,
        update_existing: bool = False,
        filename: str = "",
        report_path: str | None = None,
        progress: ProgressFn | None = None,
        claim: Callable[[], None] | None = None,
    ):
        # ``claim`` runs first inside the write transaction: the job runner holds its job there (a row
        # lock on PostgreSQL; SQLite's write lock does it anyway) and raises to write nothing when the
        # job was ended meanwhile (linli.core.jobs).
        self.claim = claim
        self.path = path
        self.community = community
        self.actor = actor
        self.create_houses = create_houses
        self.update_existing = update_existing
        self.filename = filename or path.rsplit("/", 1)[-1]
        self.report_path = report_path
        self.progress = progress or (lambda phase, done, total: None)
        self.scope = scope_of(actor) if actor is not None else None
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.rows_by_problem: dict[int, list[Problem]] = {}
        self.today = timezone.localdate()

    # -- problems --

    def problem(self, row: int, column_key: str, message: Any) -> None:
        self.problem_count += 1
        if len(self.problems) >= MAX_PROBLEMS:
            return
        header = self.layout.by_key[column_key].header if column_key else ""
        p = Problem(row, header, str(message))
        self.problems.append(p)
        self.rows_by_problem.setdefault(row, []).append(p)

    # -- set-up --

    def _covers(self, path: str) -> bool:
        return self.scope is None or self.scope.covers_path(path)

    def _prepare(self) -> bool:
        from linli.residents.selectors import visible_tags

        if not self._prepare_place():
            return False
        try:
            self.sheet = excel.open_sheet(self.path)
        except excel.WorkbookError as exc:
            self.problem(0, "", str(exc))
            return False
        self.houses = HouseIndex(self.community)
        return self._prepare_tags(visible_tags)

    def _prepare_place(self) -> bool:
        """The community, the permissions and where rows without a house go (``default_node``)."""
        if self.community.kind != PlaceKind.COMMUNITY:
            self.problem(0, "", _("Choose a community."))
            return False
        if self.actor is not None and not can_change_registry(self.actor):
            self.problem(0, "", _("You may not change the registry."))
            return False
        if self.create_houses and self.actor is not None and not has_perm(self.actor, "places.change"):
            self.problem(0, "", _("You may not create houses: ask the community staff, or import without "
                                  "creating houses."))
            return False
        # Where people without a house are registered: the community, or the user's own node in it.
        if self._covers(self.community.path):
            self.default_node = Node(self.community.pk, self.community.path, self.community.kind, self.community.name)
        else:
            inside = [p for p in self.scope.place_paths if p.startswith(self.community.path)] if self.scope else []
            if not inside:
                self.problem(0, "", _("This community is outside your area."))
                return False
            place = places_by_paths([inside[0]]).get()
            self.default_node = Node(place.pk, place.path, place.kind, place.name)
        return True

    def _prepare_tags(self, visible_tags) -> bool:
        if self.actor is not None:
            tags = visible_tags(self.actor)
        else:
            from linli.residents.models import Tag

            tags = Tag.objects.filter(active=True).filter(Q(community__isnull=True) | Q(community=self.community))
        self.tag_lookup: dict[str, int] = {}
        self.computed_tags: set[str] = set()
        for tag in tags:
            if tag.community_id not in (None, self.community.pk):
                continue
            names = {tag.name.lower(), tag.code.lower()}
            if tag.computed:
                self.computed_tags |= names
            else:
                for n in names:
                    self.tag_lookup[n] = tag.pk
        return True

    # -- one row --

    def parse(self, number: int, values: tuple[Any, ...]) -> Row:
        """A row's values checked on their own; problems are recorded against the row."""
        idx = self.sheet.index

        def raw(key: str) -> Any:
            i = idx.get(key)
            return values[i] if i is not None and i < len(values) else None

        def get(key: str) -> str:
            return _cell(raw(key))

        row = Row(number)
        row.name = clean_text(get("name"), 64)
        if not row.name:
            self.problem(number, "name", _("Required."))
        else:
            row.initials, row.pinyin = name_keys(row.name)
        id_raw = raw("id_number")
        id_text = get("id_number")
        if not id_text:
            self.problem(number, "id_number", _("Required."))
        elif isinstance(id_raw, int | float) and abs(id_raw) >= 1e15:
            # A spreadsheet keeps a number to 15 significant digits: an 18-digit ID number stored as a number has lost
            # digits, and one that still passes the check digit would be somebody else's number. Never guess.
            self.problem(number, "id_number", _("The cell holds a number: Excel may have dropped digits; format the "
                                                "column as text and type the number again."))
        else:
            try:
                parsed = parse_id_number(id_text, today=self.today)
            except Invalid as exc:
                message = str(exc.message)
                if isinstance(id_raw, int | float):
                    message += " " + _("(the cell holds a number: Excel may have dropped digits; format the "
                                       "column as text)")
                self.problem(number, "id_number", message)
            else:
                row.id_number, row.birth_date, row.key = parsed.number, parsed.birth_date, id_key(parsed.number)
                row.sex = parsed.sex_code
        sex = get("sex")
        if sex:
            try:
                code = SEX.code_of(sex)
            except Invalid as exc:
                self.problem(number, "sex", exc.message)
            else:
                if row.sex and code in ("1", "2") and code != row.sex:
                    self.problem(number, "sex", _("The sex does not match the ID number."))
                elif not row.sex:
                    row.sex = code
        for key, table in (("ethnicity", ETHNICITY), ("political_status", POLITICAL_STATUS)):
            text = get(key)
            if text:
                try:
                    setattr(row, key, table.code_of(text))
                except Invalid as exc:
                    self.problem(number, key, exc.message)
        phone = get("phone")
        if phone:
            try:
                row.phone = normalise_phone(phone)
            except Invalid as exc:
                self.problem(number, "phone", exc.message)
        # household
        relationship = get("relationship")
        if relationship:
            try:
                row.relationship = RELATIONSHIP.code_of(relationship)
            except Invalid as exc:
                self.problem(number, "relationship", exc.message)
            if row.relationship == SELF_RELATIONSHIP:
                row.relationship = HEAD_RELATIONSHIP
        head_text = get("head_id_number")
        if head_text:
            try:
                head = parse_id_number(head_text, today=self.today).number
            except Invalid as exc:
                self.problem(number, "head_id_number", exc.message)
            else:
                row.head_key = id_key(head)
        if row.is_head:
            if row.head_key and row.key and row.head_key != row.key:
                self.problem(number, "head_id_number", _("A head of household leaves this empty (or gives their "
                                                         "own ID): one household cannot have two heads."))
            row.head_key = 0
        elif row.relationship and not head_text:
            self.problem(number, "head_id_number", _("Required for a member: the ID number of the head."))
        elif head_text and not relationship:
            self.problem(number, "relationship", _("Required when the head's ID number is given."))
        elif row.head_key and row.head_key == row.key:
            self.problem(number, "relationship", _("A person who is their own head has the relationship 户主."))
        row.registered_address = clean_text(get("registered_address"), 200)
        row.notes = get("notes")[:2000]
        # house
        row.compound, row.building = get("compound"), get("building")
        row.entrance, row.house = get("entrance"), get("house")
        row.address = self._address(row)
        occupancy = get("occupancy")
        if occupancy:
            kind = OCCUPANCY_WORDS.get(occupancy.lower())
            if kind is None:
                self.problem(number, "occupancy", _("Write 业主, 租户 or 居住人."))
            else:
                row.occupancy = kind
        # tags
        for word in TAG_SPLIT.split(get("tags")):
            if not word:
                continue
            lowered = word.lower()
            if lowered in self.computed_tags:
                continue  # derived from the date of birth
            tag_id = self.tag_lookup.get(lowered)
            if tag_id is None:
                self.problem(number, "tags", _("Unknown tag “%(tag)s”.") % {"tag": word})
            elif tag_id not in row.tags:
                row.tags.append(tag_id)
        return row

    def _address(self, row: Row) -> Address | None:
        n = row.number
        if not any((row.compound, row.building, row.entrance, row.house)):
            return Address(node=self.default_node)
        if row.house and not row.building:
            self.problem(n, "building", _("Required when a house number is given."))
            return None
        if row.entrance and not row.building:
            self.problem(n, "building", _("Required when an entrance is given."))
            return None
        if row.compound:
            node, message = self.houses.compound(row.compound)
            if node is None:
                self.problem(n, "compound", message)
                return None
        else:
            found = self.houses.grid_buildings.get(canon(PlaceKind.BUILDING, row.building), [])
            if len(found) != 1:
                self.problem(n, "compound", _("Required: the building is not found without its compound."))
                return None
            node = None
        if not self._covers((node or found[0]).path):
            self.problem(n, "compound" if row.compound else "building", _("Outside your area."))
            return None
        wanted = [(PlaceKind.BUILDING, row.building), (PlaceKind.ENTRANCE, row.entrance), (PlaceKind.HOUSE, row.house)]
        wanted = [(k, name) for k, name in wanted if name]
        if node is None:  # building directly under a grid
            node, wanted = found[0], wanted[1:]
        for i, (kind, name) in enumerate(wanted):
            child = self.houses.child(node, kind, name)
            if child is None:
                if not self.create_houses:
                    column = {PlaceKind.BUILDING: "building", PlaceKind.ENTRANCE: "entrance"}.get(kind, "house")
                    self.problem(n, column, _("Not found in the place tree (tick “create missing houses” to "
                                              "create it)."))
                    return None
                rest = wanted[i:]
                return Address(node=node, missing=tuple(k for k, _n in rest), names=tuple(nm for _k, nm in rest))
            node = child
        if not self._covers(node.path):
            self.problem(n, "house", _("Outside your area."))
            return None
        return Address(node=node)

    # -- pass 1 --

    def check(self) -> None:
        ids = KeyColumn()  # every row's ID: duplicates are found after the pass
        heads = KeyColumn()  # the heads declared in the file
        refs = KeyColumn()  # (head's ID, row) of every member row
        pending: list[Row] = []
        self.to_create: set[tuple[int, tuple[str, ...], tuple[str, ...]]] = set()
        self.updates = 0
        total = self.sheet.total_rows
        done = 0
        # The checked rows go to a spool file, so that the write pass neither reads the workbook again
        # nor parses the rows again (memory stays flat: rows live on disk, ``BATCH`` at a time in a list,
        # pickled together so that the rows of one house share its place once).
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by run()
        spooled: list[Row] = []
        for number, values in self.sheet.rows():
            row = self.parse(number, values)
            done += 1
            if not self.problem_count:
                spooled.append(row)
                if len(spooled) >= BATCH:
                    pickle.dump(spooled, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
                    spooled = []
            if row.key:
                ids.add(row.key, number)
                pending.append(row)
                if row.is_head:
                    heads.add(row.key, number)
            if row.head_key:
                refs.add(row.head_key, number)
            if row.address is not None and row.address.missing:
                self.to_create.add((row.address.node.id, row.address.missing, row.address.names))  # type: ignore[union-attr]
            if len(pending) >= LOOKUP_BATCH:
                self._check_registered(pending)
                pending = []
            if done % BATCH == 0:
                self.progress("check", done, total)
                reset_queries()  # DEBUG's query log would otherwise grow with the file
        self._check_registered(pending)
        if spooled and not self.problem_count:
            pickle.dump(spooled, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.rows = done
        if done == 0:
            self.problem(0, "", _("The file has no rows to import."))
        ids.freeze()
        heads.freeze()
        for number, first in ids.duplicates():
            self.problem(number, "id_number", _("The same ID number as row %(row)d.") % {"row": first})
        self._check_heads(ids, heads, refs.freeze())
        self.progress("check", done, done)

    def _registry_persons(self, keys_to_numbers: dict[int, str]) -> dict[int, Person]:
        """Registry persons by ID key, for ID numbers (one query per batch through the hashes)."""
        by_hash: dict[str, int] = {}
        for key, number in keys_to_numbers.items():
            for h in lookup_hashes(number):
                by_hash[h] = key
        found: dict[int, Person] = {}
        hashes = list(by_hash)
        for start in range(0, len(hashes), LOOKUP_BATCH * 2):
            chunk = hashes[start: start + LOOKUP_BATCH * 2]
            for person in Person.objects.filter(id_number_hash__in=chunk).only(
                "id", "id_number_hash", "status", "place_path", "name"
            ):
                found[by_hash[person.id_number_hash]] = person
        return found

    def _check_registered(self, rows: list[Row]) -> None:
        if not rows:
            return
        found = self._registry_persons({r.key: r.id_number for r in rows})
        for row in rows:
            person = found.get(row.key)
            if person is None:
                continue
            visible = self._covers(person.place_path)
            if person.status == PersonStatus.DECEASED:
                self.problem(row.number, "id_number", _("Registered as deceased."))
            elif person.status == PersonStatus.ACTIVE and not visible:
                self.problem(row.number, "id_number", _("Registered in another area: that area must record the "
                                                        "move-out first."))
            elif not self.update_existing:
                self.problem(row.number, "id_number", _("Already registered (tick “update registered persons” to "
                                                        "update them from this file)."))
            else:
                self.updates += 1

    def _check_heads(self, ids: KeyColumn, heads: KeyColumn, refs: KeyColumn) -> None:
        """Every member row names a head: a head of this file, or of a household in the registry."""
        keys, rows = refs.sorted_keys, refs.sorted_rows
        if not len(keys):
            return
        missing = ~heads.contains(keys)
        first_rows = ids.first_rows(keys)
        unknown: dict[int, list[int]] = {}
        for i in np.nonzero(missing)[0]:
            key, number = int(keys[i]), int(rows[i])
            if first_rows[i] >= 0:
                self.problem(number, "head_id_number", _("Row %(row)d has this ID number but is not a head of "
                                                         "household (与户主关系 is not 户主).") % {"row": int(first_rows[i])})
            else:
                unknown.setdefault(key, []).append(number)
        if not unknown:
            return
        numbers = {key: _key_to_number(key) for key in unknown}
        found = self._registry_persons(numbers)
        head_person_ids = set(
            HouseholdMember.objects.filter(
                person_id__in=[p.pk for p in found.values()], relationship=HEAD_RELATIONSHIP, end_date__isnull=True,
                household__status="active",
            ).values_list("person_id", flat=True)
        )
        for key, numbers_of_key in unknown.items():
            person = found.get(key)
            ok = (
                person is not None and person.pk in head_person_ids and person.status == PersonStatus.ACTIVE
                and self._covers(person.place_path)
            )
            if not ok:
                for number in numbers_of_key:
                    self.problem(number, "head_id_number", _("No such head of household: the head must be in this "
                                                             "file (as 户主) or registered as the head of a household."))

    # -- pass 2 --

    @transaction.atomic
    def write(self) -> dict[str, int]:
        counts = {"rows": self.rows, "persons_created": 0, "persons_updated": 0, "households_created": 0,
                  "members_added": 0, "occupancies_created": 0, "houses_created": 0, "tags_added": 0}
        if self.claim is not None:
            self.claim()
        counts["houses_created"] = self._create_houses()
        self.household_of_head: dict[int, int] = {}
        self.pending_members: list[tuple[int, int, str, bool]] = []  # person id, head key, relationship, update
        done = 0
        self.spool.seek(0)
        while True:
            try:
                batch: list[Row] = pickle.load(self.spool)  # noqa: S301 - our own spool, written above in this process
            except EOFError:
                break
            reset_queries()
            self._write_batch(batch, counts)
            done += len(batch)
            self.progress("write", done, self.rows)
        self._resolve_pending(counts)
        audit_record(action="residents.import", actor=self.actor, actor_name="" if self.actor else "console",
                     target=self.community, detail={"file": self.filename, "create_houses": self.create_houses,
                                                    "update_existing": self.update_existing, **counts})
        return counts

    def _create_houses(self) -> int:
        from linli.places.actions import place_create

        created = 0
        for parent_id, kinds, names in sorted(self.to_create):
            node = places_by_ids([parent_id]).get()
            current = Node(node.pk, node.path, node.kind, node.name)
            for kind, name in zip(kinds, names, strict=True):
                existing = self.houses.child(current, kind, name)
                if existing is not None:
                    current = existing
                    continue
                parent = places_by_ids([current.id]).get()
                attrs: dict[str, Any] = {"usage": "residential"} if kind == PlaceKind.HOUSE else {}
                place = place_create(kind=kind, name=name, parent=parent, actor=self.actor, **attrs)
                new = Node(place.pk, place.path, place.kind, place.name)
                self.houses.add(current.id, new)
                current = new
                created += 1
        return created

    def _node_of(self, row: Row) -> Node:
        address = row.address
        assert address is not None and address.node is not None
        node = address.node
        for kind, name in zip(address.missing, address.names, strict=True):
            child = self.houses.child(node, kind, name)
            assert child is not None, "houses are created before the rows"
            node = child
        return node

    def _address_text(self, row: Row, node: Node) -> str:
        if node.kind != PlaceKind.HOUSE:
            return ""
        parts = [row.compound, row.building, row.entrance, row.house]
        return " ".join(p for p in parts if p)[:200]

    def _write_batch(self, rows: list[Row], counts: dict[str, int]) -> None:
        rows = [r for r in rows if r.key]
        existing = self._registry_persons({r.key: r.id_number for r in rows})
        new_rows = [r for r in rows if r.key not in existing]
        persons = []
        for r in new_rows:
            node = self._node_of(r)
            persons.append(new_instance(
                Person, name=r.name, name_initials=r.initials, name_pinyin=r.pinyin, sex=r.sex, ethnicity=r.ethnicity,
                political_status=r.political_status, id_number=r.id_number,
                phone=r.phone, birth_month=r.birth_date.replace(day=1) if r.birth_date else None,
                registered_address=r.registered_address, current_address=self._address_text(r, node),
                notes=r.notes, place_id=node.id, place_path=node.path, status=PersonStatus.ACTIVE,
            ))
        insert_many(persons, batch_size=500)
        if persons and persons[0].pk is None:  # a backend that does not return ids
            by_hash = {p.id_number_hash: p for p in persons}
            for pk, h in Person.objects.filter(id_number_hash__in=list(by_hash)).values_list("id", "id_number_hash"):
                by_hash[h].pk = pk
        counts["persons_created"] += len(persons)
        occupancies, tags, heads, members = [], [], [], []
        source = clean_text(_("Import: %(file)s") % {"file": self.filename}, 200)
        actor_id = self.actor.pk if self.actor is not None else None
        for r, p in zip(new_rows, persons, strict=True):
            if p.place_path and self._node_of(r).kind == PlaceKind.HOUSE:
                occupancies.append(new_instance(Occupancy, person_id=p.pk, house_id=p.place_id or 0,
                                                kind=r.occupancy or OccupancyKind.RESIDENT))
            tags += [new_instance(PersonTag, person_id=p.pk, tag_id=t, valid_from=self.today, source=source,
                                  created_by_id=actor_id) for t in r.tags]
            if r.is_head:
                heads.append((r, p))
            elif r.head_key:
                members.append((p.pk, r.head_key, r.relationship, False))
        insert_many(occupancies, batch_size=500)
        insert_many(tags, batch_size=500)
        counts["occupancies_created"] += len(occupancies)
        counts["tags_added"] += len(tags)
        if heads:
            households = [new_instance(Household, head_id=p.pk, place_path=p.place_path,
                                       house_id=p.place_id if self._node_of(r).kind == PlaceKind.HOUSE else None)
                          for r, p in heads]
            insert_many(households, batch_size=500)
            insert_many(
                [new_instance(HouseholdMember, household_id=h.pk, person_id=p.pk, relationship=HEAD_RELATIONSHIP)
                 for h, (_r, p) in zip(households, heads, strict=True)], batch_size=500)
            for h, (r, _p) in zip(households, heads, strict=True):
                self.household_of_head[r.key] = h.pk
            counts["households_created"] += len(households)
        for r in rows:
            if r.key in existing:
                self._update_existing(r, existing[r.key], counts)
        self._add_members(members, counts)

    def _add_members(self, members: list[tuple[int, int, str, bool]], counts: dict[str, int], *, final: bool = False
                     ) -> None:
        unknown = {key for _pid, key, _rel, _u in members if key not in self.household_of_head}
        if unknown:
            found = self._registry_persons({k: _key_to_number(k) for k in unknown})
            for key, found_id in self._households_headed_by({k: p.pk for k, p in found.items()}).items():
                self.household_of_head[key] = found_id
        rows = []
        for person_id, key, relationship, update in members:
            household_id = self.household_of_head.get(key)
            if household_id is None:
                if final:
                    raise _Aborted()
                self.pending_members.append((person_id, key, relationship, update))
                continue
            if update:
                current = HouseholdMember.objects.filter(person_id=person_id, end_date__isnull=True).first()
                if current is not None and current.household_id == household_id and current.relationship == relationship:
                    continue
                if current is not None:
                    from linli.residents.actions import _leave_household

                    _leave_household(Person(pk=person_id), self.today)
            rows.append(new_instance(HouseholdMember, household_id=household_id, person_id=person_id,
                                     relationship=relationship, start_date=self.today if update else None))
        insert_many(rows, batch_size=500)
        counts["members_added"] += len(rows)

    def _households_headed_by(self, person_ids_by_key: dict[int, int]) -> dict[int, int]:
        key_of = {pid: key for key, pid in person_ids_by_key.items()}
        return {
            key_of[pid]: hid
            for pid, hid in HouseholdMember.objects.filter(
                person_id__in=list(key_of), relationship=HEAD_RELATIONSHIP, end_date__isnull=True
            ).values_list("person_id", "household_id")
        }

    def _resolve_pending(self, counts: dict[str, int]) -> None:
        pending, self.pending_members = self.pending_members, []
        self._add_members(pending, counts, final=True)

    def _update_existing(self, row: Row, person: Person, counts: dict[str, int]) -> None:
        from linli.residents import actions

        node = self._node_of(row)
        place = places_by_ids([node.id]).get()
        person = Person.objects.get(pk=person.pk)
        at_house = node.kind == PlaceKind.HOUSE and Occupancy.objects.filter(
            person=person, house_id=node.id, end_date__isnull=True
        ).exists()
        if person.status == PersonStatus.MOVED_OUT or (node.kind == PlaceKind.HOUSE and not at_house):
            person = actions.person_move_in(person=person, place=place, actor=self.actor,
                                            kind=row.occupancy or OccupancyKind.RESIDENT, on=self.today)
            counts["occupancies_created"] += int(node.kind == PlaceKind.HOUSE)
        changes: dict[str, Any] = {"name": row.name, "id_number": row.id_number}
        for key in ("phone", "ethnicity", "political_status", "registered_address", "notes"):
            value = getattr(row, key)
            if value:
                changes[key] = value
        actions.person_update(person=person, actor=self.actor, **changes)
        counts["persons_updated"] += 1
        current_tags = set(PersonTag.objects.filter(person=person, valid_to__isnull=True).values_list("tag_id",
                                                                                                       flat=True))
        for tag_id in row.tags:
            if tag_id not in current_tags:
                PersonTag.objects.create(person=person, tag_id=tag_id, valid_from=self.today,
                                         source=clean_text(_("Import: %(file)s") % {"file": self.filename}, 200),
                                         created_by=self.actor)
                counts["tags_added"] += 1
        if row.is_head:
            current = HouseholdMember.objects.filter(person=person, end_date__isnull=True).first()
            if current is not None and current.relationship == HEAD_RELATIONSHIP:
                self.household_of_head[row.key] = current.household_id
            else:
                if current is not None:
                    actions._leave_household(person, self.today)
                household = actions.household_create(
                    head=person, actor=self.actor, house=place if node.kind == PlaceKind.HOUSE else None, on=self.today
                )
                self.household_of_head[row.key] = household.pk
                counts["households_created"] += 1
        elif row.head_key:
            self.pending_members.append((person.pk, row.head_key, row.relationship, True))

    # -- report --

    def write_report(self) -> str | None:
        if self.report_path is None or not hasattr(self, "sheet"):
            return None
        report = excel.ReportWriter(self.report_path, self.sheet.headers, self.layout.sheet)
        positions = {c.header: self.sheet.index[c.key] for c in self.layout.columns if c.key in self.sheet.index}
        for p in sorted((p for p in self.problems if p.row == 0), key=lambda p: p.message):
            report.add_problem(0, p.column, p.message)
        for number, values in self.sheet.rows():
            problems = self.rows_by_problem.get(number, [])
            report.write_row(number, values, [(p.column, p.message) for p in problems],
                             {positions[p.column] for p in problems if p.column in positions})
            for p in problems:
                report.add_problem(number, p.column, p.message)
        report.close()
        return self.report_path

    # -- run --

    def run(self) -> ImportResult:
        try:
            return self._run()
        finally:
            spool = getattr(self, "spool", None)
            if spool is not None:
                spool.close()

    def _run(self) -> ImportResult:
        if not self._prepare():
            return self._result(ok=False)
        self.check()
        if self.problem_count:
            report = self.write_report()
            return self._result(ok=False, report=report)
        self.progress("write", 0, self.rows)
        try:
            counts = self.write()
        except _Aborted:
            report = self.write_report()
            return self._result(ok=False, report=report)
        return self._result(ok=True, counts=counts)

    def _result(self, *, ok: bool, counts: dict[str, int] | None = None, report: str | None = None) -> ImportResult:
        order = {c.header: i for i, c in enumerate(self.layout.columns)}
        self.problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
        return ImportResult(ok=ok, rows=getattr(self, "rows", 0), problems=self.problems,
                            problem_count=self.problem_count, counts=counts or {}, report_path=report)


class _Aborted(Exception):
    """Raised inside the write transaction to roll it back."""


def _key_to_number(key: int) -> str:
    body, check = divmod(key, 11)
    return f"{body:017d}" + ("X" if check == 10 else str(check))


def find_community(value: str) -> Place:
    """A community by its code or its (unique) name."""
    value = clean_text(value, 100)
    qs = places_of_kind(PlaceKind.COMMUNITY)
    found = list(qs.filter(code=value)) or list(qs.filter(name=value))
    if len(found) != 1:
        raise Invalid(_("No single community has the code or name “%(value)s”.") % {"value": value})
    return found[0]
