"""Place pages for staff: the tree (children loaded lazily with HTMX), a node's page with its forms,
the boundary editor, QR codes; and the public page a building's QR code opens. Every write goes
through linli.places.actions."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.core.errors import DomainError
from linli.core.ui import building_badges, building_panels, form_errors, perm_required, raise_http
from linli.places import actions, selectors
from linli.places.access import access_place, can_change_place
from linli.places.forms import BoundaryForm, PlaceChildForm, PlaceEditForm, PlaceMoveForm
from linli.places.models import KIND_FIELDS, POINT_KINDS, POLYGON_KINDS, Place, PlaceKind
from linli.places.qr import building_report_url, qr_data_uri, qr_png

VIEW_PERMS = frozenset({"registry.view", "places.change"})
# Logged in, and allowed to look at the registry (403 otherwise). Objects are scoped in the view.
staff_required = perm_required(*VIEW_PERMS)


def _map_settings() -> dict[str, Any]:
    return {
        "tileUrl": getattr(settings, "LINLI_MAP_TILE_URL", "") or "",
        "tileAttribution": getattr(settings, "LINLI_MAP_TILE_ATTRIBUTION", "") or "",
        "center": list(getattr(settings, "LINLI_MAP_CENTER", (30.25, 120.16))),
        "nodeUrl": reverse("places:node", args=[0]).replace("/0/", "/{id}/"),
    }


# --- the tree -------------------------------------------------------------------------------------------


@staff_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """The user's part of the tree: their scope nodes, each under its ancestors' names."""
    roots = selectors.place_roots(request.user)
    ancestor_ids = sorted({i for r in roots for i in r.ancestor_ids()})
    names = selectors.place_names(ancestor_ids)
    rows = [{"place": r, "trail": [names.get(i, "") for i in r.ancestor_ids()]} for r in roots]
    return render(request, "places/tree.html", {"rows": rows})


@staff_required
@require_GET
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of a node, as a list fragment for the tree (HTMX)."""
    parent, kids = selectors.place_children(request.user, pk)
    return render(
        request, "places/partials/tree_children.html",
        {"parent": parent, "children": kids, "truncated": len(kids) >= selectors.MAX_CHILDREN},
    )


def _node_context(request: HttpRequest, place: Place, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_change = can_change_place(user, place)
    kids = selectors.children_of(user, place)
    context: dict[str, Any] = {
        "place": place,
        "ancestors": selectors.place_ancestors(place),
        "children": kids,
        "counts": [
            (PlaceKind(k).label, n) for k, n in selectors.place_subtree_counts(place, user=user).items() if n
        ],
        "can_change": can_change,
        "has_geometry_kind": place.kind in POLYGON_KINDS or place.kind in POINT_KINDS,
        "attributes": [
            (getattr(Place._meta.get_field(f), "verbose_name", f), _display(place, f)) for f in sorted(KIND_FIELDS.get(place.kind, ()))
        ],
        "map_data": {**_map_settings(), "features": selectors.place_context_geojson(user, place)},
        "grid": selectors.grid_of_place(place) if place.kind not in (PlaceKind.STREET, PlaceKind.COMMUNITY) else None,
    }
    if place.kind == PlaceKind.BUILDING and place.public_code:
        context["report_url"] = building_report_url(place, request)
    if can_change:
        targets = selectors.move_targets(user, place) if place.parent_id else []
        context.update(
            edit_form=forms.get("edit_form") or PlaceEditForm(place=place),
            child_form=(forms.get("child_form") or PlaceChildForm(parent=place)) if actions.child_kinds(place.kind) else None,
            move_form=(forms.get("move_form") or PlaceMoveForm(targets=targets, initial={"new_parent": place.parent_id}))
            if targets else None,
        )
    return context


def _display(place: Place, field: str) -> Any:
    getter = getattr(place, f"get_{field}_display", None)
    value = getter() if getter and getattr(place, field) else getattr(place, field)
    return value if value not in (None, "") else "—"


@staff_required
@require_GET
def node(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_place(request.user, pk)
    return render(request, "places/node.html", _node_context(request, place))


def _node_error(request: HttpRequest, place: Place, exc: DomainError, **forms: Any) -> HttpResponse:
    raise_http(exc)
    return render(request, "places/node.html", _node_context(request, place, **forms), status=exc.status)


@staff_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_place(request.user, pk)
    form = PlaceEditForm(request.POST, place=place)
    if not form.is_valid():
        return render(request, "places/node.html", _node_context(request, place, edit_form=form), status=422)
    changes = {k: v for k, v in form.cleaned_data.items()}
    try:
        actions.place_update(place=place, actor=request.user, **changes)
    except DomainError as exc:
        form_errors(form, exc)
        return _node_error(request, place, exc, edit_form=form)
    messages.success(request, _("Saved."))
    return redirect("places:node", pk=place.pk)


@staff_required
@require_POST
def add_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = access_place(request.user, pk)
    form = PlaceChildForm(request.POST, parent=parent)
    if not form.is_valid():
        return render(request, "places/node.html", _node_context(request, parent, child_form=form), status=422)
    try:
        child = actions.place_create(
            kind=form.cleaned_data["kind"], name=form.cleaned_data["name"], code=form.cleaned_data["code"],
            parent=parent, actor=request.user, **form.attributes(),
        )
    except DomainError as exc:
        form_errors(form, exc)
        return _node_error(request, parent, exc, child_form=form)
    messages.success(request, _("Added %(name)s.") % {"name": child.name})
    return redirect("places:node", pk=child.pk)


@staff_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_place(request.user, pk)
    form = PlaceMoveForm(request.POST, targets=selectors.move_targets(request.user, place))
    if not form.is_valid():
        return render(request, "places/node.html", _node_context(request, place, move_form=form), status=422)
    try:
        new_parent = access_place(request.user, form.cleaned_data["new_parent"])
        actions.place_move(
            place=place, new_parent=new_parent, actor=request.user, code=form.cleaned_data["code"] or None
        )
    except DomainError as exc:
        form_errors(form, exc)
        return _node_error(request, place, exc, move_form=form)
    messages.success(request, _("Moved."))
    return redirect("places:node", pk=place.pk)


@staff_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_place(request.user, pk)
    parent_id = place.parent_id
    try:
        actions.place_delete(place=place, actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
        return redirect("places:node", pk=place.pk)
    messages.success(request, _("Deleted %(name)s.") % {"name": place.name})
    return redirect("places:node", pk=parent_id) if parent_id else redirect("places:tree")


@staff_required
@require_http_methods(["GET", "POST"])
def boundary(request: HttpRequest, pk: int) -> HttpResponse:
    """The boundary editor: draw on the map, paste GeoJSON or upload a file; or clear."""
    place = access_place(request.user, pk)
    if not (place.kind in POLYGON_KINDS or place.kind in POINT_KINDS):
        raise Http404("no boundary for this kind")
    if not can_change_place(request.user, place):
        raise DjangoPermissionDenied
    initial = {"geojson": json.dumps(place.geometry, ensure_ascii=False)} if place.geometry else {}
    form = BoundaryForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        clear = request.POST.get("clear") == "1"
        geometry = None if clear else form.geometry()
        if geometry is None and not clear:
            form.add_error(None, _("Draw a boundary, paste GeoJSON or choose a file."))
            status = 422
        else:
            try:
                actions.place_set_geometry(place=place, geometry=geometry, actor=request.user)
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Boundary cleared.") if clear else _("Boundary saved."))
                return redirect("places:node", pk=place.pk)
    elif request.method == "POST":
        status = 422
    map_data = {
        **_map_settings(),
        "features": selectors.place_context_geojson(request.user, place),
        "mode": "point" if place.kind in POINT_KINDS else "polygon",
    }
    return render(
        request, "places/boundary.html", {"place": place, "form": form, "map_data": map_data}, status=status
    )


# --- QR codes -------------------------------------------------------------------------------------------


@staff_required
@require_GET
def building_qr(request: HttpRequest, pk: int) -> HttpResponse:
    building = access_place(request.user, pk, kind=PlaceKind.BUILDING)
    if not building.public_code:
        raise Http404("no public code")
    response = HttpResponse(qr_png(building_report_url(building, request)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="building-{building.public_code}.png"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
@require_GET
def compound_qr_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """An A4 sheet of the QR codes of every building in a compound, to print and stick up."""
    compound = access_place(request.user, pk, kind=PlaceKind.COMPOUND)
    buildings = sorted(
        Place.objects.visible_to(request.user)
        .filter(path__startswith=compound.path, kind=PlaceKind.BUILDING)
        .exclude(public_code=None)
        .only("id", "name", "public_code", "path"),
        key=lambda b: selectors.natural_key(b.name),
    )
    cards = []
    for b in buildings:
        url = building_report_url(b, request)
        cards.append({"building": b, "url": url, "image": qr_data_uri(url)})
    community = selectors.community_of_place(compound)
    return render(
        request, "places/qr_sheet.html", {"compound": compound, "community": community, "cards": cards}
    )


# --- public ---------------------------------------------------------------------------------------------


@require_GET
def building_report(request: HttpRequest, code: str) -> HttpResponse:
    """What a resident sees after scanning a building's code (public; no personal data). The report
    form itself comes with the case module."""
    building = selectors.building_by_public_code(code)
    if building is None:
        raise Http404("unknown building code")
    trail = selectors.place_ancestors(building)
    compound = next((p for p in reversed(trail) if p.kind == PlaceKind.COMPOUND), None)
    community = next((p for p in trail if p.kind == PlaceKind.COMMUNITY), None)
    street = next((p for p in trail if p.kind == PlaceKind.STREET), None)
    return render(
        request, "places/building_report.html",
        {"building": building, "compound": compound, "community": community, "street": street,
         "badges": building_badges(building), "panels": building_panels(building)},
    )
