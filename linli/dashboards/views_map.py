"""The one map (综合一张图) of a street, a community or a grid: grids, compounds and buildings with their
boundaries, the facilities of the 15-minute life circles with rings of 5, 10 and 15 minutes' walk, the open
cases, the devices and the live alarms. Layers switch on and off; clicking a thing opens it. It works
offline from local GeoJSON (a tile layer only when the operator sets ``LINLI_MAP_TILE_URL``). The live
layers (cases, devices, alarms) are re-read every 15 seconds from ``layers.json``.

Read-only: every layer comes from the owning app's selectors, scoped to the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linli.core.access import scope_of
from linli.places.kinds import PlaceKind
from linli.places.selectors import place_get, places_by_paths, places_visible_to

if TYPE_CHECKING:
    from linli.places.models import Place

MAP_KINDS = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID)
WALK_M_PER_MIN = 80  # an elderly person's pace: 5, 10 and 15 minutes are 400, 800 and 1,200 m
RINGS_MIN = (5, 10, 15)


def map_viewer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if "iot.view" not in getattr(request.user, "perms", frozenset()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def map_places(user: Any) -> list[Place]:
    """The streets, communities and grids at the top of the user's scope (the map's starting points)."""
    paths = scope_of(user).place_paths
    return list(places_by_paths(paths, kinds=MAP_KINDS).order_by("path"))


def access_map_place(user: Any, pk: int) -> Place:
    place = place_get(pk, kinds=MAP_KINDS)
    # The whole place must be in the user's scope (seeing a community's name is not seeing its map).
    if place is None or not scope_of(user).covers_path(place.path):
        raise Http404("not found")
    return place


@map_viewer_required
@require_GET
def map_picker(request: HttpRequest) -> HttpResponse:
    places = map_places(request.user)
    if not places:
        raise Http404("not found")
    return redirect("dashboards:map", pk=places[0].pk)


def live_layers(user: Any, place: Place) -> dict[str, Any]:
    from linli.cases.selectors import open_cases_geojson
    from linli.iot.selectors import alarms_geojson, devices_geojson

    return {
        "cases": open_cases_geojson(user, place_path=place.path),
        "devices": devices_geojson(user, place_path=place.path),
        "alarms": alarms_geojson(user, place_path=place.path),
    }


@map_viewer_required
@require_GET
def one_map(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.iot.selectors import facilities_geojson
    from linli.places.selectors import place_ancestors, place_geojson

    place = access_map_place(request.user, pk)
    kinds = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
    data = {
        "places": place_geojson(request.user, place, kinds=kinds),
        "facilities": facilities_geojson(request.user, place_path=place.path),
        "rings": [m * WALK_M_PER_MIN for m in RINGS_MIN],
        "ringMinutes": list(RINGS_MIN),
        "live": live_layers(request.user, place),
        "liveUrl": reverse("dashboards:map_layers", args=[place.pk]),
        "tileUrl": getattr(settings, "LINLI_MAP_TILE_URL", "") or "",
        "tileAttribution": getattr(settings, "LINLI_MAP_TILE_ATTRIBUTION", "") or "",
        "center": list(getattr(settings, "LINLI_MAP_CENTER", (30.26, 120.17))),
        "urls": {
            "place": reverse("places:node", args=[0]).replace("/0/", "/{id}/"),
            "case": reverse("cases:case", args=[0]).replace("/0/", "/{id}/"),
            "device": reverse("iot:device_detail", args=[0]).replace("/0/", "/{id}/"),
            "alarm": reverse("iot:alarm_detail", args=[0]).replace("/0/", "/{id}/"),
        },
        "labels": {
            "grids": _("Grids"), "compounds": _("Compounds"), "buildings": _("Buildings"),
            "facilities": _("Facilities (15-minute circle)"), "cases": _("Open cases"), "devices": _("Devices"),
            "alarms": _("Live alarms"), "minutes": _("min walk"), "open": _("Open"), "online": _("online"),
            "offline": _("offline"), "hours": _("Opening hours"), "case": _("Case"),
        },
    }
    trail = [a for a in place_ancestors(place) if a.kind in MAP_KINDS and scope_of(request.user).covers_path(a.path)]
    children = [c for c in places_visible_to(request.user).filter(parent=place, kind__in=MAP_KINDS).order_by("path")]
    return render(request, "dashboards/map.html", {
        "place": place, "map_data": data, "trail": trail, "children": children,
        "screen_ok": "reports.view" in getattr(request.user, "perms", frozenset()) and place.kind in (PlaceKind.STREET, PlaceKind.COMMUNITY),
    })


@map_viewer_required
@require_GET
def map_layers(request: HttpRequest, pk: int) -> JsonResponse:
    from linli.dashboards.screen import shared_figures

    place = access_map_place(request.user, pk)
    return JsonResponse(shared_figures("map", request.user, place, lambda: live_layers(request.user, place)))
