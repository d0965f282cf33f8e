"""Dashboards (read-only; they read other apps' selectors only).

The community profile (社区概况): /dashboards/community/<id>/ for staff whose scope covers the whole
community (community staff, the street); /dashboards/grid/<id>/ for a grid, which is what a grid worker
sees (their community's page is 404 for them: a profile of a community must not be a partial count).
/dashboards/community/ picks among the user's communities (or grids), and goes straight to the only one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linli.accounts.selectors import user_has_perm
from linli.core.access import scope_of
from linli.places.kinds import PlaceKind
from linli.places.selectors import place_ancestors, place_geojson
from linli.residents.access import can_view_registry
from linli.residents.selectors_profile import access_profile_place, place_profile, profile_places

if TYPE_CHECKING:
    from linli.places.models import Place

PROFILE_URL: dict[str, str] = {
    PlaceKind.COMMUNITY: "dashboards:community_profile",
    PlaceKind.GRID: "dashboards:grid_profile",
}


def _profile_url(place: Place) -> str:
    return reverse(PROFILE_URL[place.kind], args=[place.pk])


def registry_viewer_required(view):
    """Logged in and allowed to view the registry (403 otherwise); places are scoped in the view (404)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_view_registry(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@registry_viewer_required
@require_GET
def profile_picker(request: HttpRequest) -> HttpResponse:
    """The communities (or grids) whose profile the user may see; the only one opens at once."""
    places = profile_places(request.user)
    if len(places) == 1 and not request.GET.get("all"):
        return redirect(_profile_url(places[0]))
    rows = [{"place": p, "url": _profile_url(p)} for p in places]
    return render(request, "dashboards/picker.html", {"rows": rows})


def _map_data(request: HttpRequest, place: Place) -> dict[str, Any]:
    kinds: tuple[str, ...] = (PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
    if place.kind == PlaceKind.GRID:
        kinds = (PlaceKind.COMPOUND, PlaceKind.BUILDING)
    return {
        "features": place_geojson(request.user, place, kinds=kinds),
        "tileUrl": getattr(settings, "LINLI_MAP_TILE_URL", "") or "",
        "tileAttribution": getattr(settings, "LINLI_MAP_TILE_ATTRIBUTION", "") or "",
        "center": list(getattr(settings, "LINLI_MAP_CENTER", (30.26, 120.17))),
        "gridUrl": reverse("dashboards:grid_profile", args=[0]).replace("/0/", "/{id}/"),
        "placeUrl": reverse("places:node", args=[0]).replace("/0/", "/{id}/"),
    }


def _chart_labels() -> dict[str, str]:
    return {
        "male": _("Male"),
        "female": _("Female"),
        "households": _("Households"),
        "residents": _("Residents"),
        "elderly": _("Aged 60+"),
        "persons": _("persons"),
        "sensitive": _("sensitive"),
        "grid": _("Grid"),
        "compound": _("Compound"),
        "building": _("Building"),
    }


def _trail(request: HttpRequest, place: Place) -> list[dict[str, Any]]:
    """The place's ancestors for the breadcrumb, linked to their profile where the user may see it."""
    scope = scope_of(request.user)
    return [
        {"name": a.name, "url": _profile_url(a) if a.kind in PROFILE_URL and scope.covers_path(a.path) else ""}
        for a in place_ancestors(place)
    ]


def _profile_page(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    place = access_profile_place(request.user, pk, kind)
    profile = place_profile(request.user, place)
    units = []
    for unit in profile.units:
        if unit.kind == PlaceKind.GRID:
            url = reverse("dashboards:grid_profile", args=[unit.id])
        else:
            url = reverse("places:node", args=[unit.id])
        units.append({"unit": unit, "url": url, "kind_label": PlaceKind(unit.kind).label})
    chart_data = {**profile.chart_data(), "labels": _chart_labels()}
    compound_rows = [{"c": c, "disputes": None, "disputes_url": ""} for c in profile.compound_rows]
    if compound_rows and user_has_perm(request.user, "mediation.view"):
        # 红色物业: the owner–property disputes of each compound this year (the mediation ledger's, in scope).
        from linli.mediation.selectors import compound_dispute_counts

        counts = compound_dispute_counts(request.user, [c.id for c in profile.compound_rows])
        ledger = reverse("mediation:disputes")
        for row in compound_rows:
            found = counts.get(row["c"].id)
            row["disputes"] = found or {"total": 0, "open": 0, "property": 0, "property_open": 0}
            row["disputes_url"] = f"{ledger}?status=&kind=property&compound={row['c'].id}"
    context = {
        "place": place,
        "profile": profile,
        "trail": _trail(request, place),
        "units": units,
        "compound_rows": compound_rows,
        "can_list_orgs": can_view_registry(request.user),
        "is_grid": place.kind == PlaceKind.GRID,
        "shares": [
            ("elderly", _("Aged 60+"), "person-walking", profile.elderly),
            ("living_alone", _("Elderly living alone"), "person-heart", profile.living_alone),
            ("migrant_away", _("Migrant workers away"), "briefcase", profile.migrant_away),
        ],
        "pyramid_rows": list(zip(*(profile.pyramid[k] for k in ("bands", "male", "female")), strict=True))[::-1],
        "chart_data": chart_data,
        "map_data": _map_data(request, place),
        "others": len(profile_places(request.user)) > 1,
    }
    return render(request, "dashboards/profile.html", context)


@registry_viewer_required
@require_GET
def community_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A community at a glance: figures, age pyramid, tags, grids, map."""
    return _profile_page(request, pk, PlaceKind.COMMUNITY)


@registry_viewer_required
@require_GET
def grid_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A grid at a glance: the same page, broken down by compound and standalone building."""
    return _profile_page(request, pk, PlaceKind.GRID)
