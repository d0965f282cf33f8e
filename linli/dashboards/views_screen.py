"""The big screens (数据大屏) of a street and of each community: a 1920×1080 page that refreshes itself
(every 30 s from ``data.json``), ECharts around the one map. Figures from ``dashboards/screen.py``
(selectors and rollups only). For holders of ``reports.view`` over the place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from linli.core.access import scope_of
from linli.dashboards.screen import screen_figures, shared_figures
from linli.places.kinds import PlaceKind
from linli.places.selectors import place_get, places_by_paths, places_of_kind

if TYPE_CHECKING:
    from linli.places.models import Place

SCREEN_KINDS = (PlaceKind.STREET, PlaceKind.COMMUNITY)


def reports_viewer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if "reports.view" not in getattr(request.user, "perms", frozenset()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def screen_places(user: Any) -> list[Place]:
    """The streets and communities the user's scope covers, the widest first."""
    scope = scope_of(user)
    tops = list(places_by_paths(scope.place_paths))
    out: list[Place] = []
    for top in tops:
        if top.kind in SCREEN_KINDS:
            out.append(top)
        out += list(places_of_kind(*SCREEN_KINDS, under=top.path).exclude(pk=top.pk)
                    .order_by("path")[:200])
    return out


def access_screen_place(user: Any, pk: int) -> Place:
    place = place_get(pk, kinds=SCREEN_KINDS)
    # The whole place must be in the user's scope (seeing a community's name is not seeing its map).
    if place is None or not scope_of(user).covers_path(place.path):
        raise Http404("not found")
    return place


@reports_viewer_required
@require_GET
def screen_picker(request: HttpRequest) -> HttpResponse:
    places = screen_places(request.user)
    if not places:
        raise Http404("not found")
    return redirect("dashboards:screen", pk=places[0].pk)


def _map_data(user: Any, place: Place) -> dict[str, Any]:
    from django.conf import settings

    from linli.dashboards.views_map import live_layers
    from linli.iot.selectors import facilities_geojson
    from linli.places.selectors import place_geojson

    return {
        "places": place_geojson(user, place, kinds=(PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND)),
        "facilities": facilities_geojson(user, place_path=place.path),
        "rings": [], "ringMinutes": [],
        "live": live_layers(user, place),
        "liveUrl": reverse("dashboards:map_layers", args=[place.pk]) if "iot.view" in user.perms else "",
        "tileUrl": getattr(settings, "LINLI_MAP_TILE_URL", "") or "",
        "tileAttribution": getattr(settings, "LINLI_MAP_TILE_ATTRIBUTION", "") or "",
        "center": list(getattr(settings, "LINLI_MAP_CENTER", (30.26, 120.17))),
        "urls": {
            "place": reverse("places:node", args=[0]).replace("/0/", "/{id}/"),
            "case": reverse("cases:case", args=[0]).replace("/0/", "/{id}/"),
            "device": reverse("iot:device_detail", args=[0]).replace("/0/", "/{id}/"),
            "alarm": reverse("iot:alarm_detail", args=[0]).replace("/0/", "/{id}/"),
        },
        "labels": {"grids": _("Grids"), "compounds": _("Compounds"), "buildings": _("Buildings"),
                   "facilities": _("Facilities (15-minute circle)"), "cases": _("Open cases"), "devices": _("Devices"),
                   "alarms": _("Live alarms"), "minutes": _("min walk"), "online": _("online"), "offline": _("offline"),
                   "hours": _("Opening hours"), "case": _("Case")},
    }


@reports_viewer_required
@require_GET
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_screen_place(request.user, pk)
    labels = {
        "response_rate": _("Response rate"), "solved_rate": _("Solved rate"), "satisfaction_rate": _("Satisfaction rate"),
        "reported": _("Cases received"), "open": _("Open cases"), "overdue": _("Overdue"),
        "facts": [
            {"label": _("Cases closed"), "path": "cases.month_closed"},
            {"label": _("Volunteer activities"), "path": "volunteers.activities"},
            {"label": _("Service hours"), "path": "points.hours"},
            {"label": _("Devices"), "path": "devices_total"},
            {"label": _("Door-knocking visits"), "path": "visits.visits"},
            {"label": _("Disputes"), "path": "disputes.open"},
        ],
    }
    others = [p for p in screen_places(request.user) if p.pk != place.pk][:12]
    return render(request, "dashboards/screen.html", {
        "place": place, "figures": screen_figures_cached(request.user, place), "map_data": _map_data(request.user, place),
        "labels": labels, "data_url": reverse("dashboards:screen_data", args=[place.pk]), "others": others,
    })


def screen_figures_cached(user: Any, place: Place) -> dict[str, Any]:
    return shared_figures("screen", user, place, lambda: screen_figures(user, place))


@reports_viewer_required
@require_GET
def screen_data(request: HttpRequest, pk: int) -> JsonResponse:
    place = access_screen_place(request.user, pk)
    return JsonResponse(screen_figures_cached(request.user, place))
