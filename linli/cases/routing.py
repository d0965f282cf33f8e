"""Routing that explains itself: location or building → grid → the grid's worker; category → its
default department. The suggested owner is the category's department
when it has one, else the grid's worker, else the community desk.

``route_case`` returns where a case belongs and the steps that got there. The steps are stored on the
case as ``[{"msg": msgid, "params": {...}}]`` (English msgids marked for translation) and translated
when shown (``routing_steps``), so a Chinese reader sees Chinese and an English reader English.

Several grid workers on one grid: the one with the fewest open cases is suggested (ties: the lowest
user id), so the choice is deterministic; the desk may dispatch to anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.accounts.selectors import users_by_role_place
from linli.cases.workflow import OPEN_STATUSES, OwnerKind
from linli.core.errors import Invalid
from linli.core.refdata import refdata_get
from linli.places.kinds import PlaceKind
from linli.places.selectors import compound_at, grid_at, places_by_ids, places_of_kind

MSG_PLACE = gettext_noop("The report names %(place)s.")
MSG_PLACE_IN_GRID = gettext_noop("%(place)s lies in %(grid)s.")
MSG_PLACE_NO_GRID = gettext_noop("%(place)s lies in no grid; it goes to %(community)s.")
MSG_POINT_IN_GRID = gettext_noop("The location (%(lon).5f, %(lat).5f) lies in %(grid)s.")
MSG_POINT_NO_GRID = gettext_noop("The location (%(lon).5f, %(lat).5f) lies in no grid.")
MSG_GRID_IN_COMMUNITY = gettext_noop("%(grid)s belongs to %(community)s.")
MSG_ONE_WORKER = gettext_noop("The grid worker of %(grid)s is %(worker)s.")
MSG_MANY_WORKERS = gettext_noop("%(grid)s has %(n)d grid workers; %(worker)s has the fewest open cases.")
MSG_NO_WORKER = gettext_noop("%(grid)s has no grid worker; the community desk decides.")
MSG_DEPARTMENT = gettext_noop("Category %(category)s goes to %(department)s by default.")
MSG_NO_DEPARTMENT = gettext_noop("Category %(category)s has no default department.")
MSG_SUGGEST_WORKER = gettext_noop("Suggested owner: the grid worker %(worker)s.")
MSG_SUGGEST_DEPARTMENT = gettext_noop("Suggested owner: %(department)s.")
MSG_SUGGEST_COMMUNITY = gettext_noop("Suggested owner: the desk of %(community)s.")


@dataclass
class Route:
    place_id: int | None = None  # the precise place (a house, building, compound), None for a grid/community
    grid_id: int | None = None
    community_id: int | None = None
    place_path: str = ""
    compound_kind: str = ""  # the kind of the compound the place lies in (三区), "" when none
    district_code: str = ""  # the GB/T 2260 county code of the case number
    worker_id: int | None = None
    department_id: int | None = None
    owner_kind: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)

    def step(self, msg: str, **params: Any) -> None:
        self.steps.append({"msg": msg, "params": params})


@dataclass(frozen=True)
class PlaceFacts:
    """What routing needs to know of a place and the nodes above it (plain data, cached)."""

    id: int
    kind: str
    name: str
    path: str
    grid: tuple[int, str, str] | None  # (id, name, path): the node itself for a grid
    community: tuple[int, str, str] | None
    compound_kind: str
    district_code: str


_FACT_FIELDS = ("id", "kind", "name", "path", "compound_kind", "code", "district_code")
# The kinds from the city down to the grids: every case is routed through them, so their facts are read
# at once, one query for all (a change of the places recomputes them together, not one grid at a time).
TREE_KINDS = (PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.AREA,
              PlaceKind.RESIDENTS_GROUP, PlaceKind.GRID)


def _facts_of(row: dict[str, Any], chain: list[dict[str, Any]]) -> PlaceFacts:
    """The facts of the place ``row``, ``chain`` its rows from the root down to itself."""

    def nearest(kind: str) -> dict[str, Any] | None:
        return next((r for r in reversed(chain) if r["kind"] == kind), None)

    grid, community, compound = nearest(PlaceKind.GRID), nearest(PlaceKind.COMMUNITY), nearest(PlaceKind.COMPOUND)
    district, street = nearest(PlaceKind.DISTRICT), nearest(PlaceKind.STREET)
    return PlaceFacts(
        id=row["id"], kind=row["kind"], name=row["name"], path=row["path"],
        grid=(grid["id"], grid["name"], grid["path"]) if grid else None,
        community=(community["id"], community["name"], community["path"]) if community else None,
        compound_kind=(compound["compound_kind"] or "") if compound else "",
        district_code=(district["code"] if district else "") or (street["district_code"] if street else "") or "",
    )


def _ids_of(path: str) -> list[int]:
    return [int(p) for p in path.split("/") if p.isdigit()]


def _tree() -> tuple[dict[int, dict[str, Any]], dict[int, PlaceFacts]]:
    rows = {r["id"]: r for r in places_of_kind(*TREE_KINDS).values(*_FACT_FIELDS)}
    facts = {pk: _facts_of(row, [rows[i] for i in _ids_of(row["path"]) if i in rows]) for pk, row in rows.items()}
    return rows, facts


def tree_facts() -> dict[int, PlaceFacts]:
    """The routing facts of every place from the city down to the grids (cached with the places)."""
    return refdata_get(("places",), ("tree",), _tree)[1]


def _place_facts(place_id: int) -> PlaceFacts | None:
    """A place below the grids (compound, building, house): its row and those between it and its grid; the
    rest of its chain comes from the cached tree."""
    tree = refdata_get(("places",), ("tree",), _tree)[0]
    row = places_by_ids([place_id]).values(*_FACT_FIELDS).first()
    if row is None:
        return None
    ids = _ids_of(row["path"])
    below = [i for i in ids if i not in tree and i != place_id]
    found = {r["id"]: r for r in places_by_ids(below).values(*_FACT_FIELDS)} if below else {}
    found.update({i: tree[i] for i in ids if i in tree})
    found[place_id] = row
    return _facts_of(row, [found[i] for i in ids if i in found])


def place_facts(place_id: int) -> PlaceFacts | None:
    """The routing facts of a place, from the process cache (dropped by the place actions)."""
    facts = tree_facts().get(place_id)
    if facts is not None:
        return facts
    return refdata_get(("places",), ("facts", place_id), lambda: _place_facts(place_id))


def place_name(place_id: int | None) -> str | None:
    """The name of a place from the routing's cache (None without one)."""
    facts = place_facts(place_id) if place_id is not None else None
    return facts.name if facts is not None else None


def areas_of_path(path: str) -> tuple[int, int]:
    """(the street, the district) a place path lies in, 0 for none, from the cached tree (as
    ``kpi_areas.areas_of`` reads them)."""
    tree = tree_facts()
    street = district = 0
    for pk in _ids_of(path):
        facts = tree.get(pk)
        if facts is not None and facts.kind == PlaceKind.STREET:
            street = pk
        elif facts is not None and facts.kind == PlaceKind.DISTRICT:
            district = pk
    return street, district


def _all_grid_workers() -> dict[int, list[tuple[int, str]]]:
    from linli.accounts.roles import Role

    return {place: [(u.pk, str(u)) for u in users] for place, users in users_by_role_place(Role.GRID_WORKER).items()}


def grid_workers(grid_id: int) -> list[tuple[int, str]]:
    """(id, name) of the grid workers assigned to exactly this grid, fewest open cases first, then by id.

    Who works where comes from the process cache (every grid's workers read at once; dropped by the role
    and place actions); with several workers, one count of their open cases, read from the open-cases
    index (cases_case_owner_open): its cost follows their open cases, not every case they ever owned."""
    from linli.cases.models import Case

    workers = refdata_get(("places", "roles"), ("grid_workers",), _all_grid_workers).get(grid_id, [])
    if len(workers) < 2:
        return list(workers)
    counts = dict(
        Case.objects.filter(status_in_open(), owner_user_id__in=[pk for pk, _name in workers])
        .values_list("owner_user_id")
        .annotate(n=Count("id"))
        .values_list("owner_user_id", "n")
    )
    return sorted(workers, key=lambda w: (counts.get(w[0], 0), w[0]))


def status_in_open() -> Q:
    from linli.cases.selectors import status_in

    return status_in(sorted(OPEN_STATUSES))


def point_facts(lon: float, lat: float) -> PlaceFacts | None:
    """Where a point lies, as routing sees it: the grid holding it, else the compound holding it (a
    compound outside every grid still belongs to a community); None when a case there could not be
    routed (the reporter must choose the building or the community)."""
    grid_id = grid_at(lon, lat)
    grid_facts = place_facts(grid_id) if grid_id else None
    if grid_facts is not None and grid_facts.grid is not None:
        return grid_facts
    compound_id = compound_at(lon, lat)
    compound = place_facts(compound_id) if compound_id else None
    return compound if compound is not None and compound.community is not None else None


def route_case(*, category: Any, lon: float | None = None, lat: float | None = None, place: Any = None) -> Route:
    """Where a case belongs. ``place`` (a Place or its id) may be a house, building, compound, grid or
    community. Reads only cached reference data, except for the boundary lookup of a location and the
    open-case count when a grid has several workers."""
    route = Route()
    facts: PlaceFacts | None = None
    grid: tuple[int, str, str] | None = None
    community: tuple[int, str, str] | None = None
    if place is not None:
        facts = place_facts(getattr(place, "pk", place))
        if facts is None:
            raise Invalid(_("Unknown place."), fields={"place": [_("Not found.")]})
        route.place_id = facts.id if facts.kind not in (PlaceKind.GRID, PlaceKind.COMMUNITY) else None
        route.step(MSG_PLACE, place=facts.name)
        grid = facts.grid
        if grid is not None:
            if grid[0] != facts.id:
                route.step(MSG_PLACE_IN_GRID, place=facts.name, grid=grid[1])
        else:
            community = facts.community
            if community is not None and community[0] != facts.id:
                route.step(MSG_PLACE_NO_GRID, place=facts.name, community=community[1])
    elif lon is not None and lat is not None:
        found = point_facts(lon, lat)
        if found is not None and found.kind == PlaceKind.GRID:
            grid = found.grid
            facts = found
            route.step(MSG_POINT_IN_GRID, lon=lon, lat=lat, grid=found.name)
        else:
            route.step(MSG_POINT_NO_GRID, lon=lon, lat=lat)
            if found is not None:
                facts = found
                route.place_id = found.id
                community = found.community
    if grid is not None:
        grid_facts = place_facts(grid[0])
        community = grid_facts.community if grid_facts is not None else None
        if community is not None:
            route.step(MSG_GRID_IN_COMMUNITY, grid=grid[1], community=community[1])
    if grid is None and community is None:
        raise Invalid(
            _("The location lies outside every grid: choose the building or the community."),
            code="unroutable",
            fields={"location": [_("No grid or community found here.")]},
        )
    route.grid_id = grid[0] if grid else None
    route.community_id = community[0] if community else None
    if route.place_id is not None and facts is not None:
        route.place_path = facts.path
        route.compound_kind = facts.compound_kind
    else:
        route.place_path = grid[2] if grid else community[2] if community else ""
    precise = facts if facts is not None else None
    route.district_code = precise.district_code if precise is not None else ""

    if grid is not None:
        workers = grid_workers(grid[0])
        if len(workers) == 1:
            route.worker_id = workers[0][0]
            route.step(MSG_ONE_WORKER, grid=grid[1], worker=workers[0][1])
        elif workers:
            route.worker_id = workers[0][0]
            route.step(MSG_MANY_WORKERS, grid=grid[1], n=len(workers), worker=workers[0][1])
        else:
            route.step(MSG_NO_WORKER, grid=grid[1])
    department = getattr(category, "default_department", None)
    if department is not None:
        route.department_id = department.pk
        route.step(MSG_DEPARTMENT, category=category.name, department=department.name)
    else:
        route.step(MSG_NO_DEPARTMENT, category=category.name)

    # A category with a department of its own goes there; otherwise the grid's worker takes it.
    if department is not None:
        route.owner_kind = OwnerKind.DEPARTMENT
        route.step(MSG_SUGGEST_DEPARTMENT, department=department.name)
    elif route.worker_id is not None:
        route.owner_kind = OwnerKind.GRID_WORKER
        route.step(MSG_SUGGEST_WORKER, worker=next(name for pk, name in workers if pk == route.worker_id))
    else:
        route.owner_kind = OwnerKind.COMMUNITY
        route.step(MSG_SUGGEST_COMMUNITY, community=community[1] if community is not None else "—")
    return route


def routing_steps(steps: list[dict[str, Any]]) -> list[str]:
    """The stored steps in the reader's language."""
    out = []
    for step in steps or []:
        try:
            out.append(_(step["msg"]) % step.get("params", {}))
        except (KeyError, TypeError, ValueError):
            out.append(str(step.get("msg", "")))
    return out
