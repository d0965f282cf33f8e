"""The community profile (社区概况), read-only: area, compounds, buildings, shops, households, residents,
the shares of residents aged 60+, of elderly living alone and of migrant workers away, the age pyramid,
the tags and a breakdown by grid, for a community, or for one grid (a grid worker's view, broken down
by compound and standalone building).

Every figure comes from a handful of aggregate queries whatever the number of residents (conditional
counts over the place's rows, selected by the ``place_path`` prefix index); nothing loops over persons
in Python. Counts are of the user's scope (``visible_to``); a tag the user may not see (sensitive tags
without ``registry.view_sensitive``) is left out of the tags and its card shows no figure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from linli.core.access import scope_of
from linli.places.kinds import CompoundKind, PlaceKind
from linli.places.selectors import place_get, places_in_scope, places_of_kind
from linli.residents.access import can_view_registry
from linli.residents.builtin import ELDERLY_60
from linli.residents.models import (
    CompoundService,
    Household,
    HouseholdStatus,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    PersonTag,
)
from linli.residents.selectors import current_tag_q, elderly_cutoff, visible_tags

if TYPE_CHECKING:
    from linli.places.models import Place

BAND_YEARS = 5
BANDS = 20  # 0-4 … 90-94 and 95+
LIVING_ALONE = "living_alone"
MIGRANT_AWAY = "migrant_away"
PROFILE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID)
MAX_COMPOUNDS = 300  # the compound rows a profile lists (a community has tens)


@dataclass(frozen=True)
class Share:
    count: int | None  # None: the user may not see this figure
    total: int

    @property
    def percent(self) -> float | None:
        if self.count is None or not self.total:
            return None
        return 100 * self.count / self.total


@dataclass(frozen=True)
class Unit:
    """One row of the breakdown: a grid of a community, or a compound or standalone building of a grid."""

    id: int
    name: str
    kind: str
    households: int
    residents: int
    elderly: int

    @property
    def elderly_percent(self) -> float | None:
        return 100 * self.elderly / self.residents if self.residents else None


@dataclass(frozen=True)
class KindRow:
    """One row of the breakdown by compound kind (三区: rented, relocation, commercial, old, work-unit;
    "" for compounds whose kind is not set). Residents and households of buildings outside any compound
    are in no row."""

    kind: str
    label: str
    compounds: int
    households: int
    residents: int
    shops: int


@dataclass
class CompoundRow:
    """A compound of the profile: its kind, who serves it now (property company, owners' committee) and
    its shops."""

    id: int
    name: str
    kind: str
    kind_label: str
    shops: int
    property_companies: list[str] = field(default_factory=list)
    committees: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TagCount:
    code: str
    name: str
    sensitive: bool
    count: int


@dataclass
class Profile:
    place: Place
    today: datetime.date
    area_km2: float | None
    compounds: int
    buildings: int
    standalone_buildings: int
    houses: int
    shops: int
    households: int
    residents: int
    elderly: Share
    living_alone: Share
    migrant_away: Share
    pyramid: dict[str, list[Any]]
    tags: list[TagCount] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    by_compound_kind: list[KindRow] = field(default_factory=list)
    compound_rows: list[CompoundRow] = field(default_factory=list)
    compounds_more: bool = False  # more compounds than MAX_COMPOUNDS: the rows are the first ones

    @property
    def with_property_company(self) -> int:
        return sum(1 for c in self.compound_rows if c.property_companies)

    @property
    def with_committee(self) -> int:
        return sum(1 for c in self.compound_rows if c.committees)

    def short_name(self, name: str) -> str:
        """A unit's name without its place's name in front (幸福社区第一网格 → 第一网格)."""
        prefix = self.place.name
        return name[len(prefix):] if name.startswith(prefix) and len(name) > len(prefix) else name

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (passed to the browser with ``json_script``)."""
        return {
            "pyramid": self.pyramid,
            "tags": [{"code": t.code, "name": t.name, "count": t.count, "sensitive": t.sensitive} for t in self.tags],
            "units": [
                {"id": u.id, "name": u.name, "label": self.short_name(u.name), "households": u.households,
                 "residents": u.residents, "elderly": u.elderly}
                for u in self.units
            ],
        }


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def band_labels() -> list[str]:
    return [f"{i * BAND_YEARS}-{i * BAND_YEARS + BAND_YEARS - 1}" for i in range(BANDS - 1)] + [
        f"{(BANDS - 1) * BAND_YEARS}+"
    ]


def _band_q(i: int, today: datetime.date) -> Q:
    """Aged 5i to 5i+4 on ``today`` (the last band: 95 and older), by month of birth (the registry keeps no
    day of birth in clear): a person moves up a band on the first day of the month of their birthday."""
    q = Q(birth_month__lte=years_before(today, i * BAND_YEARS).replace(day=1))
    if i < BANDS - 1:
        q &= Q(birth_month__gt=years_before(today, (i + 1) * BAND_YEARS).replace(day=1))
    return q


# --- which places have a profile, for whom --------------------------------------------------------------


def profile_places(user: Any) -> list[Place]:
    """The communities the user's scope covers, and the grids they work in below a community they do not
    cover (a grid worker's grid). Empty without ``registry.view``. One query."""
    if not can_view_registry(user):
        return []
    scope = scope_of(user)
    rows = list(
        places_in_scope(scope, *PROFILE_KINDS)
        .only("id", "name", "kind", "code", "path", "depth", "parent_id", "area_km2")
        .order_by("code", "name", "pk")
    )
    communities = [p.path for p in rows if p.kind == PlaceKind.COMMUNITY]
    return [p for p in rows if p.kind == PlaceKind.COMMUNITY or not any(p.path.startswith(c) for c in communities)]


def access_profile_place(user: Any, pk: Any, kind: str) -> Place:
    """The community or grid ``pk`` when the user's scope covers all of it and they may view the registry;
    Http404 otherwise (a grid worker asking for their community's page gets 404: they see their grid's)."""
    place = place_get(pk, kinds=[kind])
    if place is None:
        raise Http404("not found")
    if not can_view_registry(user) or not scope_of(user).covers_path(place.path):
        raise Http404("not found")
    return place


# --- the figures ----------------------------------------------------------------------------------------


def _units_of(place: Place) -> list[Place]:
    """The breakdown's rows: the grids of a community; the compounds and standalone buildings of a grid."""
    if place.kind == PlaceKind.GRID:
        qs = places_of_kind(PlaceKind.COMPOUND, PlaceKind.BUILDING).filter(parent_id=place.pk)
    else:
        qs = places_of_kind(PlaceKind.GRID, under=place.path)
    return list(qs.only("id", "name", "kind", "path").order_by("path"))


def _place_counts(place: Place) -> dict[str, Any]:
    """Compounds, buildings (and those standing alone under a grid), houses, and the grids' area. One query."""
    return places_of_kind(under=place.path).aggregate(
        compounds=Count("id", filter=Q(kind=PlaceKind.COMPOUND)),
        buildings=Count("id", filter=Q(kind=PlaceKind.BUILDING)),
        standalone=Count("id", filter=Q(kind=PlaceKind.BUILDING, parent__kind=PlaceKind.GRID)),
        houses=Count("id", filter=Q(kind=PlaceKind.HOUSE)),
        grid_area=Sum("area_km2", filter=Q(kind=PlaceKind.GRID)),
    )


def _compounds_of(place: Place) -> list[Place]:
    return list(
        places_of_kind(PlaceKind.COMPOUND, under=place.path)
        .only("id", "name", "kind", "path", "compound_kind")
        .order_by("path")[: MAX_COMPOUNDS + 1]
    )


def _paths_q(paths: list[str]) -> Q:
    """Rows under any of these paths (a non-empty list)."""
    q = Q(place_path__prefix=paths[0])
    for path in paths[1:]:
        q |= Q(place_path__prefix=path)
    return q


KIND_ORDER = (*CompoundKind.values, "")


def place_profile(user: Any, place: Place, *, today: datetime.date | None = None) -> Profile:
    """The profile of a community or grid the caller has checked the user may see
    (``access_profile_place``). Eleven queries."""
    today = today or timezone.localdate()
    cutoff = elderly_cutoff(today)
    elderly_q = Q(birth_month__lte=cutoff)
    units = _units_of(place)
    counts = _place_counts(place)
    compounds = _compounds_of(place)
    compounds_more = len(compounds) > MAX_COMPOUNDS
    compounds = compounds[:MAX_COMPOUNDS]
    kind_paths: dict[str, list[str]] = {}
    for c in compounds:
        kind_paths.setdefault(c.compound_kind or "", []).append(c.path)
    kinds = [k for k in KIND_ORDER if k in kind_paths]

    persons = Person.objects.visible_to(user).filter(status=PersonStatus.ACTIVE, place_path__prefix=place.path)
    aggregates: dict[str, Any] = {"residents": Count("id"), "elderly": Count("id", filter=elderly_q)}
    for i in range(BANDS):
        band = _band_q(i, today)
        aggregates[f"m{i}"] = Count("id", filter=band & Q(sex="1"))
        aggregates[f"f{i}"] = Count("id", filter=band & Q(sex="2"))
    for j, unit in enumerate(units):
        aggregates[f"r{j}"] = Count("id", filter=Q(place_path__prefix=unit.path))
        aggregates[f"e{j}"] = Count("id", filter=Q(place_path__prefix=unit.path) & elderly_q)
    for j, kind in enumerate(kinds):
        aggregates[f"k{j}"] = Count("id", filter=_paths_q(kind_paths[kind]))
    people = persons.aggregate(**aggregates)

    households_qs = Household.objects.visible_to(user).filter(
        status=HouseholdStatus.ACTIVE, place_path__prefix=place.path
    )
    household_aggregates: dict[str, Any] = {"total": Count("id")}
    for j, unit in enumerate(units):
        household_aggregates[f"h{j}"] = Count("id", filter=Q(place_path__prefix=unit.path))
    for j, kind in enumerate(kinds):
        household_aggregates[f"k{j}"] = Count("id", filter=_paths_q(kind_paths[kind]))
    households = households_qs.aggregate(**household_aggregates)

    shop_aggregates: dict[str, Any] = {"total": Count("id")}
    for j, kind in enumerate(kinds):
        shop_aggregates[f"k{j}"] = Count("id", filter=_paths_q(kind_paths[kind]))
    for j, c in enumerate(compounds):
        shop_aggregates[f"c{j}"] = Count("id", filter=Q(place_path__prefix=c.path))
    shop_counts = (
        Organisation.objects.visible_to(user)
        .filter(kind=OrganisationKind.SHOP, active=True, place_path__prefix=place.path)
        .aggregate(**shop_aggregates)
    )
    shops = shop_counts["total"]
    compound_rows = {
        c.pk: CompoundRow(id=c.pk, name=c.name, kind=c.compound_kind or "",
                          kind_label=str(CompoundKind(c.compound_kind).label) if c.compound_kind else "",
                          shops=shop_counts[f"c{j}"])
        for j, c in enumerate(compounds)
    }
    services = (
        CompoundService.objects.visible_to(user)
        .filter(place_path__prefix=place.path, end_date__isnull=True, compound_id__in=list(compound_rows))
        .values_list("compound_id", "kind", "organisation__name")
        .order_by("compound_id", "organisation__name")
    )
    for compound_id, kind, name in services:
        row = compound_rows[compound_id]
        (row.property_companies if kind == OrganisationKind.PROPERTY_COMPANY else row.committees).append(name)

    tags = list(visible_tags(user).filter(Q(community__isnull=True) | Q(community__path__in=_ancestor_paths(place))))
    tag_rows = dict(
        PersonTag.objects.filter(
            current_tag_q(today=today),
            tag_id__in=[t.pk for t in tags if not t.computed],
            person__in=persons.values("pk"),
        )
        .values_list("tag_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    residents = people["residents"]
    tag_counts = []
    for t in tags:
        if t.computed and t.code != ELDERLY_60:
            continue
        n = people["elderly"] if t.computed else tag_rows.get(t.pk, 0)
        tag_counts.append(TagCount(code=t.code, name=t.name, sensitive=t.is_sensitive, count=n))
    by_code = {t.code: t.count for t in tag_counts}

    return Profile(
        place=place,
        today=today,
        area_km2=place.area_km2 if place.area_km2 is not None else counts["grid_area"],
        compounds=counts["compounds"],
        buildings=counts["buildings"],
        standalone_buildings=counts["standalone"],
        houses=counts["houses"],
        shops=shops,
        households=households["total"],
        residents=residents,
        elderly=Share(people["elderly"], residents),
        living_alone=Share(by_code.get(LIVING_ALONE), residents),
        migrant_away=Share(by_code.get(MIGRANT_AWAY), residents),
        pyramid={
            "bands": band_labels(),
            "male": [people[f"m{i}"] for i in range(BANDS)],
            "female": [people[f"f{i}"] for i in range(BANDS)],
        },
        tags=sorted(tag_counts, key=lambda t: (-t.count, t.code)),
        units=[
            Unit(id=u.pk, name=u.name, kind=u.kind, households=households[f"h{j}"], residents=people[f"r{j}"],
                 elderly=people[f"e{j}"])
            for j, u in enumerate(units)
        ],
        by_compound_kind=[
            KindRow(kind=kind, label=str(CompoundKind(kind).label) if kind else "", compounds=len(kind_paths[kind]),
                    households=households[f"k{j}"], residents=people[f"k{j}"], shops=shop_counts[f"k{j}"])
            for j, kind in enumerate(kinds)
        ],
        compound_rows=list(compound_rows.values()),
        compounds_more=compounds_more,
    )


def _ancestor_paths(place: Place) -> list[str]:
    """The paths of the place and its ancestors: custom tags of its community apply to it."""
    return place.ancestors_and_self_paths()
