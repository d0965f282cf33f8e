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

from linli.cases.workflow import OPEN_STATUSES, OwnerKind
from linli.core.errors import Invalid
from linli.places import geo
from linli.places.models import Place, PlaceKind
from linli.places.selectors import community_of_place, compound_kind_of, grid_of_place

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
    place: Place | None = None
    grid: Place | None = None
    community: Place | None = None
    place_path: str = ""
    compound_kind: str = ""  # the kind of the compound the place lies in (三区), "" when none
    worker: Any = None
    department: Any = None
    owner_kind: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)

    def step(self, msg: str, **params: Any) -> None:
        self.steps.append({"msg": msg, "params": params})


def grid_workers(grid: Place) -> list[Any]:
    """The grid workers assigned to exactly this grid, fewest open cases first, then by id."""
    from linli.accounts.models import User
    from linli.accounts.roles import Role

    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.GRID_WORKER, role_assignments__place=grid)
        .annotate(open_cases=Count("owned_cases", filter=Q(owned_cases__status__in=sorted(OPEN_STATUSES))))
        .order_by("open_cases", "id")
        .distinct()
    )


def route_case(*, category: Any, lon: float | None = None, lat: float | None = None, place: Place | None = None) -> Route:
    """Where a case belongs. ``place`` may be a house, building, compound, grid or community."""
    route = Route()
    grid: Place | None = None
    community: Place | None = None
    if place is not None:
        route.place = place if place.kind not in (PlaceKind.GRID, PlaceKind.COMMUNITY) else None
        route.step(MSG_PLACE, place=place.name)
        grid = grid_of_place(place)
        if grid is not None:
            if grid.pk != place.pk:
                route.step(MSG_PLACE_IN_GRID, place=place.name, grid=grid.name)
        else:
            community = community_of_place(place)
            if community is not None and community.pk != place.pk:
                route.step(MSG_PLACE_NO_GRID, place=place.name, community=community.name)
    elif lon is not None and lat is not None:
        grid_id = geo.grid_at(lon, lat)
        grid = Place.objects.filter(pk=grid_id).first() if grid_id else None
        if grid is not None:
            route.step(MSG_POINT_IN_GRID, lon=lon, lat=lat, grid=grid.name)
        else:
            route.step(MSG_POINT_NO_GRID, lon=lon, lat=lat)
            compound_id = geo.compound_at(lon, lat)
            compound = Place.objects.filter(pk=compound_id).first() if compound_id else None
            if compound is not None:
                route.place = compound
                community = community_of_place(compound)
    if grid is not None:
        community = community_of_place(grid)
        if community is not None:
            route.step(MSG_GRID_IN_COMMUNITY, grid=grid.name, community=community.name)
    if grid is None and community is None:
        raise Invalid(
            _("The location lies outside every grid: choose the building or the community."),
            code="unroutable",
            fields={"location": [_("No grid or community found here.")]},
        )
    route.grid, route.community = grid, community
    precise = route.place or grid or community
    route.place_path = precise.path if precise is not None else ""
    route.compound_kind = compound_kind_of(route.place)

    if grid is not None:
        workers = grid_workers(grid)
        if len(workers) == 1:
            route.worker = workers[0]
            route.step(MSG_ONE_WORKER, grid=grid.name, worker=str(workers[0]))
        elif workers:
            route.worker = workers[0]
            route.step(MSG_MANY_WORKERS, grid=grid.name, n=len(workers), worker=str(workers[0]))
        else:
            route.step(MSG_NO_WORKER, grid=grid.name)
    department = getattr(category, "default_department", None)
    if department is not None:
        route.department = department
        route.step(MSG_DEPARTMENT, category=category.name, department=department.name)
    else:
        route.step(MSG_NO_DEPARTMENT, category=category.name)

    # A category with a department of its own goes there; otherwise the grid's worker takes it.
    if route.department is not None:
        route.owner_kind = OwnerKind.DEPARTMENT
        route.step(MSG_SUGGEST_DEPARTMENT, department=route.department.name)
    elif route.worker is not None:
        route.owner_kind = OwnerKind.GRID_WORKER
        route.step(MSG_SUGGEST_WORKER, worker=str(route.worker))
    else:
        route.owner_kind = OwnerKind.COMMUNITY
        route.step(MSG_SUGGEST_COMMUNITY, community=community.name if community is not None else "—")
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
