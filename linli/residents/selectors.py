"""Reads of the registry: search, lists, the tags a user may see, masked rows for pages and the API.

Index design (1,000,000 persons): every search is "scope AND one selective key":
- scope: ``place_path`` prefix (B-tree, ``varchar_pattern_ops`` on PostgreSQL);
- pinyin: ``name_initials`` / ``name_pinyin`` prefix (same opclass);
- tails: ``phone_tail_hash`` / ``id_tail_hash`` equality (keyed hashes of the last four characters);
- full ID number or phone: the keyed hash columns (equality);
- tag: ``PersonTag (tag, person)``; 60+: ``birth_month``;
- name and address "contains": the trigram index of ``search_index`` (pg_trgm / FTS5) for two
  characters or more; one character is a scan bounded by the scope (it matches many: a page fills fast).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from linli.core.access import scope_of
from linli.core.batches import keyset_batches
from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP, SEX
from linli.core.crypto import lookup_hashes
from linli.core.errors import Invalid
from linli.core.idnumber import parse_id_number
from linli.core.masking import mask_id_number, mask_phone
from linli.places.kinds import PlaceKind
from linli.places.selectors import places_by_ids, places_visible_to
from linli.residents import search_index
from linli.residents.access import can_unmask
from linli.residents.builtin import ELDERLY_60, ELDERLY_AGE
from linli.residents.models import (
    Household,
    HouseholdMember,
    Occupancy,
    Person,
    PersonStatus,
    PersonTag,
    Tag,
)
from linli.residents.text import MOBILE_RE, normalise_phone

if TYPE_CHECKING:
    from linli.places.models import Place

PAGE_SIZE = 50
STATUS_ALL = "all"
_ID_RE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_TAIL_RE = re.compile(r"^\d{3}[\dX]$")
_ASCII_LETTERS_RE = re.compile(r"^[a-z]+$")


@dataclass
class PersonFilters:
    tag: str = ""  # a tag code
    place: int | None = None  # any place node: grid, compound, building ...
    status: str = PersonStatus.ACTIVE  # or "all"
    compound_kind: str = ""  # living in a compound of this kind (三区)

    @classmethod
    def from_params(cls, params: Any) -> PersonFilters:
        from linli.places.kinds import CompoundKind

        place = str(params.get("place") or "").strip()
        status = str(params.get("status") or PersonStatus.ACTIVE).strip()
        if status not in (*PersonStatus.values, STATUS_ALL):
            status = PersonStatus.ACTIVE
        compound_kind = str(params.get("compound_kind") or "").strip()
        return cls(
            tag=str(params.get("tag") or "").strip()[:32],
            place=int(place) if place.isdigit() and len(place) < 12 else None,
            status=status,
            compound_kind=compound_kind if compound_kind in CompoundKind.values else "",
        )

    def as_params(self) -> dict[str, str]:
        out = {"status": self.status}
        if self.tag:
            out["tag"] = self.tag
        if self.place:
            out["place"] = str(self.place)
        if self.compound_kind:
            out["compound_kind"] = self.compound_kind
        return out


def elderly_cutoff(today: datetime.date | None = None) -> datetime.date:
    """People whose ``birth_month`` is on or before this date count as 60 or older today: the registry
    keeps the month of birth, not the day, so a person counts from the first day of the month of their
    60th birthday."""
    today = today or timezone.localdate()
    return today.replace(year=today.year - ELDERLY_AGE, day=1)


def current_tag_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": today})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})
    )


# --- tags -------------------------------------------------------------------------------------------------


def visible_tags(user) -> QuerySet[Tag]:
    """The tags this user may see (sensitive ones only with registry.view_sensitive)."""
    return Tag.objects.visible_to(user).filter(active=True)


def tags_of_persons(user, persons: Iterable[Person], today: datetime.date | None = None) -> dict[int, list[Tag]]:
    """Each person's current tags that the user may see, including the computed 60+ tag."""
    today = today or timezone.localdate()
    persons = list(persons)
    out: dict[int, list[Tag]] = {p.pk: [] for p in persons}
    if not persons:
        return out
    tags = {t.pk: t for t in visible_tags(user)}
    elderly = next((t for t in tags.values() if t.code == ELDERLY_60 and t.computed), None)
    cutoff = elderly_cutoff(today)
    if elderly is not None:
        for p in persons:
            if p.birth_month and p.birth_month <= cutoff and p.status == PersonStatus.ACTIVE:
                out[p.pk].append(elderly)
    rows = (
        PersonTag.objects.filter(person_id__in=list(out), tag_id__in=list(tags))
        .filter(current_tag_q(today=today))
        .values_list("person_id", "tag_id")
        .order_by("tag_id")
    )
    for person_id, tag_id in rows:
        if tags[tag_id] not in out[person_id]:
            out[person_id].append(tags[tag_id])
    return out


def person_tag_history(user, person: Person) -> list[PersonTag]:
    """All tag rows of a person (current and ended) whose tag the user may see."""
    return list(
        PersonTag.objects.filter(person=person, tag__in=visible_tags(user))
        .select_related("tag", "created_by")
        .order_by("-valid_from", "-id")
    )


# --- search -----------------------------------------------------------------------------------------------


def _normalise_query(q: str) -> str:
    return "".join(unicodedata.normalize("NFKC", q or "").split())[:64]


# What kind of number a search text is: a full ID number, a full phone number, or four digits (the last
# four of a phone, and of an ID number for users who may unmask). Full numbers are probes: they answer
# "is this the number of someone here?", so they are rate-limited and audited (actions.number_search).
SEARCH_ID = "id_number"
SEARCH_PHONE = "phone"
SEARCH_TAIL = "tail"


def search_kind(q: str) -> str:
    """``SEARCH_ID``, ``SEARCH_PHONE``, ``SEARCH_TAIL`` or "" (a name, pinyin or address)."""
    text = _normalise_query(q)
    if not text:
        return ""
    upper = text.upper()
    if _ID_RE.match(upper):
        return SEARCH_ID
    if MOBILE_RE.match(text):
        return SEARCH_PHONE
    if _TAIL_RE.match(upper):
        return SEARCH_TAIL
    if text[0] == "0" and text.replace("-", "").isdigit():
        try:
            normalise_phone(text)
            return SEARCH_PHONE
        except Invalid:
            pass
    return ""


def search_q(q: str, *, id_tail: bool = True) -> Q | None:
    """The condition for one search text (None: no condition). ``id_tail=False``: four digits match
    phone tails only (users who see only the last two characters of an ID number must not learn the
    other two by searching)."""
    text = _normalise_query(q)
    if not text:
        return None
    upper = text.upper()
    kind = search_kind(text)
    if kind == SEARCH_ID:
        try:
            number = parse_id_number(upper).number
        except Invalid:
            number = upper
        return Q(id_number_hash__in=lookup_hashes(number))
    if kind == SEARCH_PHONE:
        return Q(phone_hash__in=lookup_hashes(text if MOBILE_RE.match(text) else normalise_phone(text)))
    if kind == SEARCH_TAIL:
        id_q = Q(id_tail_hash__in=lookup_hashes(upper)) if id_tail else Q(pk__in=[])
        if upper.endswith("X"):
            return id_q
        return Q(phone_tail_hash__in=lookup_hashes(text)) | id_q
    lower = text.lower()
    if _ASCII_LETTERS_RE.match(lower):
        return Q(name_initials__startswith=lower) | Q(name_pinyin__startswith=lower)
    # Names and addresses: every space-separated term must appear (an address is stored with spaces
    # between its parts, "米市公寓 1幢 1单元 101", so the whole text with its spaces removed would miss).
    terms = [unicodedata.normalize("NFKC", t) for t in (q or "").split()] or [text]
    long = [t for t in terms if search_index.indexed(t)]
    cond = search_index.terms_q(long, connection.vendor) if long else Q()
    for term in terms:
        if term not in long:
            cond &= Q(name__contains=term) | Q(current_address__contains=term) | Q(registered_address__contains=term)
    return cond


def _may_unmask(user) -> bool:
    return can_unmask(user)


def person_search(user, q: str = "", filters: PersonFilters | None = None) -> QuerySet[Person]:
    """Persons the user may see that match the search text and filters, by id.

    The text may be a name (contains), pinyin initials or full pinyin (prefix), 4 digits (phone or ID
    tail), a full ID number or phone (through the hash), or part of an address."""
    filters = filters or PersonFilters()
    qs = Person.objects.visible_to(user)
    cond = search_q(q, id_tail=_may_unmask(user))
    if cond is not None:
        qs = qs.filter(cond)
    if filters.status and filters.status != STATUS_ALL:
        qs = qs.filter(status=filters.status)
    if filters.place:
        place = places_visible_to(user).filter(pk=filters.place).values_list("path", flat=True).first()
        if place is None:
            return qs.none()
        qs = qs.filter(place_path__prefix=place)
    if filters.compound_kind:
        from linli.residents.selectors_orgs import compound_paths_of_kind, paths_q

        qs = qs.filter(paths_q("place_path", compound_paths_of_kind(user, filters.compound_kind)))
    if filters.tag:
        tags = list(visible_tags(user).filter(code=filters.tag))
        if not tags:
            return qs.none()  # unknown, or not visible to this user: the same answer
        computed = [t for t in tags if t.computed]
        stored = [t for t in tags if not t.computed]
        tag_q = Q(pk__in=[])
        if any(t.code == ELDERLY_60 for t in computed):
            tag_q |= Q(birth_month__lte=elderly_cutoff())
        if stored:
            tag_q |= Q(
                Exists(
                    PersonTag.objects.filter(person=OuterRef("pk"), tag__in=stored).filter(current_tag_q())
                )
            )
        qs = qs.filter(tag_q)
    # Below the street (a community, a grid, a place filter), order by "id + 0": the same order, but
    # not one the primary key can deliver, so PostgreSQL reads the scope through the path index and
    # sorts its few thousand rows. With ORDER BY id it walks the primary key hoping to meet the
    # scope's rows early; a community's persons sit in one block of ids (they are imported community
    # by community), so it reads hundreds of thousands of rows first (bench/README.md, EXPLAIN).
    narrow = filters.place is not None or bool(filters.compound_kind) or all(p.count("/") > 2 for p in scope_of(user).place_paths)
    return qs.order_by(F("id") + 0 if narrow else "id")


def person_page(user, q: str = "", filters: PersonFilters | None = None, *, after: int | None = None,
                size: int = PAGE_SIZE) -> tuple[list[Person], int | None]:
    """One page of search results (keyset on id) and the cursor of the next page."""
    qs = person_search(user, q, filters)
    if after:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.select_related("place")[: size + 1])
    next_after = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], next_after


# --- display ----------------------------------------------------------------------------------------------


SEX_SHORT = {"1": "男", "2": "女"}  # how the registry and the template write the GB/T 2261.1 codes


def sex_name(code: str) -> str:
    return SEX_SHORT.get(code) or code_name(SEX, code)


def code_name(table, code: str) -> str:
    if not code:
        return ""
    try:
        return table.name_of(code)
    except Invalid:
        return code


def place_chain(places: Iterable[Place | None]) -> dict[int, list[Place]]:
    """For each place, its ancestors and itself from the community down (two queries in all)."""
    present = [p for p in places if p is not None]
    ids = {int(i) for p in present for i in p.path.split("/") if i}
    by_id = {p.pk: p for p in places_by_ids(ids).only("id", "kind", "name", "path", "parent_id", "compound_kind")}
    out: dict[int, list[Place]] = {}
    for p in present:
        chain = [by_id[int(i)] for i in p.path.split("/") if i and int(i) in by_id]
        out[p.pk] = [c for c in chain if c.kind not in (PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.STREET)]
    return out


ADDRESS_KINDS = (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.ENTRANCE, PlaceKind.HOUSE)


def address_of(chain: list[Place]) -> str:
    """A house's address from its compound down: 阳光小区 3栋 2单元 101."""
    return " ".join(p.name for p in chain if p.kind in ADDRESS_KINDS)


def grid_of(chain: list[Place]) -> Place | None:
    return next((p for p in chain if p.kind == PlaceKind.GRID), None)


@dataclass
class PersonRow:
    """A person as pages, the API and exports show them: masked unless revealed on purpose."""

    id: int
    name: str
    sex: str
    age: int | None
    birth_date: datetime.date | None
    id_number: str
    phone: str
    ethnicity: str
    political_status: str
    address: str
    registered_address: str
    grid: str
    status: str
    status_label: str
    tags: list[str] = field(default_factory=list)


def person_rows(user, persons: list[Person], today: datetime.date | None = None) -> list[PersonRow]:
    """Masked rows. The date of birth only for users who may unmask: beside a masked ID number the
    others see the age, never the date (the date is eight of its eighteen digits)."""
    today = today or timezone.localdate()
    full = _may_unmask(user)
    tags = tags_of_persons(user, persons, today)
    chains = place_chain(p.place for p in persons if p.place_id)
    rows = []
    for p in persons:
        chain = chains.get(p.place_id or 0, [])
        grid = grid_of(chain)
        rows.append(
            PersonRow(
                id=p.pk,
                name=p.name,
                sex=sex_name(p.sex),
                age=p.age_on(today),
                birth_date=p.birth_date if full else None,
                id_number=mask_id_number(p.id_number),
                phone=mask_phone(p.phone),
                ethnicity=code_name(ETHNICITY, p.ethnicity),
                political_status=code_name(POLITICAL_STATUS, p.political_status),
                address=p.current_address or address_of(chain),
                registered_address=p.registered_address,
                grid=grid.name if grid else "",
                status=p.status,
                status_label=str(PersonStatus(p.status).label),
                tags=[t.name for t in tags.get(p.pk, [])],
            )
        )
    return rows


@dataclass
class PersonDetail:
    person: Person
    row: PersonRow
    place_chain: list[Place]
    memberships: list[HouseholdMember]
    occupancies: list[Occupancy]
    occupancy_addresses: dict[int, str]
    tags: list[PersonTag]
    current_tags: list[Tag]


def person_detail(user, person: Person) -> PersonDetail:
    today = timezone.localdate()
    row = person_rows(user, [person], today)[0]
    memberships = list(
        HouseholdMember.objects.filter(person=person).select_related("household", "household__head")
        .order_by("-start_date", "-id")
    )
    occupancies = list(Occupancy.objects.filter(person=person).select_related("house").order_by("-id"))
    chains = place_chain([person.place, *[o.house for o in occupancies]])
    return PersonDetail(
        person=person,
        row=row,
        place_chain=chains.get(person.place_id or 0, []),
        memberships=memberships,
        occupancies=occupancies,
        occupancy_addresses={o.pk: address_of(chains.get(o.house_id, [])) for o in occupancies},
        tags=person_tag_history(user, person),
        current_tags=tags_of_persons(user, [person], today)[person.pk],
    )


def relationship_name(code: str) -> str:
    return code_name(RELATIONSHIP, code)


@dataclass
class HouseholdDetail:
    household: Household
    address: str
    current: list[tuple[HouseholdMember, PersonRow]]
    former: list[tuple[HouseholdMember, PersonRow]]


def household_detail(user, household: Household) -> HouseholdDetail:
    """The household's members; members the user may not see (other grid) are left out."""
    members = list(
        HouseholdMember.objects.filter(household=household, person__in=Person.objects.visible_to(user))
        .select_related("person", "person__place")
        .order_by("relationship", "id")
    )
    rows = {r.id: r for r in person_rows(user, [m.person for m in members])}
    chain = place_chain([household.house]).get(household.house_id or 0, []) if household.house_id else []
    return HouseholdDetail(
        household=household,
        address=address_of(chain),
        current=[(m, rows[m.person_id]) for m in members if m.end_date is None],
        former=[(m, rows[m.person_id]) for m in members if m.end_date is not None],
    )


def household_list(user, q: str = "") -> QuerySet[Household]:
    qs = Household.objects.visible_to(user).select_related("head", "house")
    text = _normalise_query(q)
    if text:
        qs = qs.filter(Q(number=text) | Q(head__in=person_search(user, text, PersonFilters(status=STATUS_ALL))))
    return qs.order_by("id")


def iter_person_chunks(qs: QuerySet[Person], chunk: int = 2000) -> Iterator[list[Person]]:
    """Walk a (large) queryset in id order, one chunk at a time: constant memory for exports."""
    yield from keyset_batches(qs.select_related("place"), chunk)


def grids_for_filter(user) -> list[Place]:
    return list(places_visible_to(user).filter(kind=PlaceKind.GRID).filter(user.scope.place_q("path"))
                .order_by("path")) if getattr(user, "is_authenticated", False) else []


def tag_counts(user, place_path: str) -> dict[str, int]:
    """How many active persons under a place carry each visible tag (for the list page's chips)."""
    counts: dict[str, int] = defaultdict(int)
    base = Person.objects.visible_to(user).filter(status=PersonStatus.ACTIVE, place_path__prefix=place_path)
    for tag in visible_tags(user):
        if tag.computed and tag.code == ELDERLY_60:
            counts[tag.code] = base.filter(birth_month__lte=elderly_cutoff()).count()
        elif not tag.computed:
            counts[tag.code] += base.filter(
                Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag=tag).filter(current_tag_q()))
            ).count()
    return dict(counts)


def person_for_user(user) -> Person | None:
    """The registry person behind a login: the living, present person with the account's phone number
    (the newest record if several share it). None for anonymous users and accounts without a match.
    Points, hours and service orders are kept against persons; this is how a login finds its own."""
    phone = getattr(user, "phone", "") if user is not None and getattr(user, "is_authenticated", False) else ""
    if not phone:
        return None
    return (
        Person.objects.filter(phone_hash__in=lookup_hashes(phone), status=PersonStatus.ACTIVE).order_by("-id").first()
    )


# --- electorates and beneficiaries (deliberation, issue 13) --------------------------------------------------


def household_id_of(person: Person | None) -> int | None:
    """The household the person belongs to now (None when in none)."""
    if person is None:
        return None
    return (
        HouseholdMember.objects.filter(person=person, end_date__isnull=True, household__status="active")
        .values_list("household_id", flat=True)
        .first()
    )


def _adult_cutoff(on: datetime.date) -> datetime.date:
    try:
        return on.replace(year=on.year - 18)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 18, day=28)


def electorate_residents(path: str, on: datetime.date) -> list[tuple[int, str]]:
    """(person id, name) of the residents living under ``path`` who are 18 or older on ``on``."""
    return list(
        Person.objects.filter(place_path__startswith=path, status=PersonStatus.ACTIVE,
                              birth_month__lt=_adult_cutoff(on).replace(day=1))
        .order_by("id")
        .values_list("id", "name")
    )


def electorate_households(path: str, on: datetime.date) -> list[tuple[int, str, list[int]]]:
    """(household id, number, adult member person ids) of the active households under ``path``."""
    rows = list(
        HouseholdMember.objects.filter(
            household__place_path__startswith=path,
            household__status="active",
            end_date__isnull=True,
            person__status=PersonStatus.ACTIVE,
        )
        .order_by("household_id", "id")
        .values_list("household_id", "household__number", "person_id", "person__birth_month")
    )
    cutoff = _adult_cutoff(on).replace(day=1)  # the registry keeps the month of birth (docs/privacy.md)
    found: dict[int, tuple[str, list[int]]] = {}
    for hid, number, pid, born in rows:
        number_members = found.setdefault(hid, (number or f"#{hid}", []))
        if born is None or born < cutoff:
            number_members[1].append(pid)
    return [(hid, number, members) for hid, (number, members) in found.items() if members]


def electorate_owners(path: str) -> list[tuple[int, str, Any, int]]:
    """(house id, house name, floor area in m², owner person id) of the current owners of the houses under
    ``path`` (one row per owner and house; a house without a recorded area has area None)."""
    return list(
        Occupancy.objects.filter(
            house__path__startswith=path, house__kind=PlaceKind.HOUSE, kind="owner", end_date__isnull=True
        )
        .order_by("house_id", "person_id")
        .values_list("house_id", "house__name", "house__area_m2", "person_id")
    )


def persons_aged_at_least(path: str, age: int, year: int) -> list[tuple[int, str, datetime.date | None]]:
    """(person id, name, birth date) of the residents living under ``path`` who reach ``age`` in ``year``
    or are older (born in ``year - age`` or before)."""
    return list(
        Person.objects.filter(
            place_path__startswith=path,
            status=PersonStatus.ACTIVE,
            birth_month__lte=datetime.date(year - age, 12, 1),
        )
        .order_by("id")
        .values_list("id", "name", "birth_month")
    )


def household_sample(place_path: str, size: int, *, seed: int) -> list[tuple[int, str]]:
    """A reproducible random sample of the active households under ``place_path`` (a community), as (id,
    the house as an address reads: compound, building, house), without personal data. Bounded: at most
    500 households, drawn from at most 200,000."""
    import random

    ids = list(
        Household.objects.filter(place_path__startswith=place_path, status="active").order_by("id")
        .values_list("id", flat=True)[:200_000]
    )
    chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids), 500)))
    rows = Household.objects.filter(pk__in=chosen).select_related("house__parent__parent")
    out = []
    for h in rows:
        house = h.house
        parts = [p.name for p in (getattr(getattr(house, "parent", None), "parent", None), getattr(house, "parent", None), house) if p]
        out.append((h.pk, "".join(parts)[:120] or (h.number or str(h.pk))))
    return out


def household_id_of_user(user) -> int | None:
    """The household the logged-in resident belongs to now, or None."""
    person = person_for_user(user)
    if person is None:
        return None
    return (
        HouseholdMember.objects.filter(person=person, end_date__isnull=True).values_list("household_id", flat=True).first()
    )


def household_place_path(household_id: int | None) -> str:
    """Where a household lives (its path), for checks made by other apps (a rating from the building)."""
    if not household_id:
        return ""
    return Household.objects.filter(pk=household_id).values_list("place_path", flat=True).first() or ""


def household_phones(household_ids: Iterable[int]) -> dict[int, str]:
    """For sending a household a message (never shown, never logged): the phone of its head, else of any
    current member who has one. Bounded by the ids given."""
    ids = list(household_ids)[:5000]
    out: dict[int, str] = {}
    heads = dict(Household.objects.filter(pk__in=ids).values_list("pk", "head_id"))
    rows = (HouseholdMember.objects.filter(household_id__in=ids, end_date__isnull=True)
            .select_related("person").order_by("household_id", "id"))
    for hm in rows:
        phone = hm.person.phone
        if not phone:
            continue
        if hm.person_id == heads.get(hm.household_id) or hm.household_id not in out:
            out[hm.household_id] = phone
    for hid, head_id in heads.items():  # a head not listed among the members
        if hid not in out and head_id is not None:
            head_phone = Person.objects.filter(pk=head_id).values_list("phone", flat=True).first()
            if head_phone:
                out[hid] = head_phone
    return out


# The reads other apps make of the registry (never through its models' managers: docs/architecture.md).


def person_get(value: Any, *, under: str = "", user: Any = None) -> Person | None:
    """The person with this id (a person's id is read from it); None when missing or not an id. ``under``:
    only a person whose place lies below that path; ``user``: only a person that user may see."""
    if isinstance(value, Person) and not under and user is None:
        return value
    pk = getattr(value, "pk", value)
    if not str(pk if pk is not None else "").strip().isdigit():
        return None
    qs = Person.objects.visible_to(user) if user is not None else Person.objects.all()
    qs = qs.filter(pk=int(str(pk).strip()))
    return (qs.filter(place_path__startswith=under) if under else qs).first()


def persons_by_ids(ids: Iterable[Any]) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=ids)


def person_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Person.objects.filter(pk__in=list(ids)).values_list("id", "name"))


def person_by_phone_hash(phone_hash: str) -> Person | None:
    """The newest active person with this phone (its lookup hash), or None."""
    if not phone_hash:
        return None
    return Person.objects.filter(phone_hash=phone_hash, status=PersonStatus.ACTIVE).order_by("-id").first()


def active_persons_named(name: str, under: str, *, limit: int = 20) -> list[Person]:
    """Active persons of exactly this name below the path, with their place and its parent (by id)."""
    return list(
        Person.objects.filter(name=name, status=PersonStatus.ACTIVE, place_path__startswith=under)
        .select_related("place", "place__parent")
        .order_by("id")[:limit]
    )


def household_get(pk: Any) -> Household | None:
    if not str(pk if pk is not None else "").strip().isdigit():
        return None
    return Household.objects.filter(pk=int(str(pk).strip())).first()


def household_ids_by_phone(phone: str, *, limit: int = 2) -> set[int]:
    """The current households of the members with this phone (at most ``limit`` looked at)."""
    from linli.residents.models import HouseholdMember

    if not phone:
        return set()
    return set(
        HouseholdMember.objects.filter(person__phone_hash__in=lookup_hashes(phone), end_date__isnull=True)
        .values_list("household_id", flat=True)[:limit]
    )


def person_ids_tagged(tag_code: str, *, under: str = "", today: datetime.date | None = None) -> set[int]:
    """Active persons carrying the street-wide tag ``tag_code`` now, below the path ``under`` when given."""
    from linli.residents.models import PersonTag

    tagged = PersonTag.objects.filter(
        current_tag_q(today=today), tag__code=tag_code, tag__community__isnull=True,
        person__status=PersonStatus.ACTIVE,
    )
    if under:
        tagged = tagged.filter(person__place_path__startswith=under)
    return set(tagged.values_list("person_id", flat=True))


def organisation_exists(pk: Any) -> bool:
    from linli.residents.models import Organisation

    return str(pk if pk is not None else "").strip().isdigit() and Organisation.objects.filter(pk=int(pk)).exists()
