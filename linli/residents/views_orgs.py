"""Organisation pages: shops along the street (沿街商铺), companies, schools, units, owners' committees
(业委会) and property companies (物业公司) per compound; the compounds a committee or a property company
serves; the import template and the export. Every write goes through ``linli.residents.actions``; every
read is scoped (out of scope is 404). Cards on every screen size (they read on a phone)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.core.errors import DomainError, Invalid, PermissionDenied
from linli.core.excel import download
from linli.core.export_jobs import export_response
from linli.core.pii import pii_reveal
from linli.core.ui import after_cursor, form_errors, page_rows, raise_http
from linli.places.kinds import PlaceKind
from linli.residents import actions
from linli.residents.access import (
    access_organisation,
    can_change_registry,
    can_export_registry,
    can_unmask,
)
from linli.residents.excel import org_template_bytes
from linli.residents.forms_orgs import (
    OrganisationCreateForm,
    OrganisationForm,
    OrganisationSearchForm,
    ServeEndForm,
    ServeForm,
)
from linli.residents.houses import find_place
from linli.residents.models import SERVING_KINDS, CompoundService, Organisation
from linli.residents.selectors import place_chain
from linli.residents.selectors_orgs import (
    OrganisationFilters,
    compounds_for,
    organisation_rows,
    organisation_search,
    organisation_services,
)
from linli.residents.views import _is_htmx, registry_required

if TYPE_CHECKING:
    from linli.places.models import Place


@registry_required()
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Organisations in the user's area: filters (name, kind, compound, compound kind, status), cards,
    keyset "more"."""
    user = request.user
    compounds = compounds_for(user)
    filters = OrganisationFilters.from_params(request.GET)
    page = page_rows(request, organisation_search(user, filters).select_related("place"))
    context = {
        "form": OrganisationSearchForm(request.GET or None, compounds=compounds),
        "rows": organisation_rows(user, page["rows"]),
        "next_url": page["next_url"],
        "export_query": urlencode(filters.as_params()),
        "can_change": can_change_registry(user),
        "can_export": can_export_registry(user),
        "can_unmask": can_unmask(user),
        "is_more": bool(after_cursor(request)),
    }
    if _is_htmx(request) and context["is_more"]:
        return render(request, "residents/partials/organisation_cards.html", context)
    return render(request, "residents/organisation_list.html", context)


def _place_from(user, form, compounds: list[Place]) -> Place:
    """The house, building or compound the form names (Invalid on the field that is wrong)."""
    from linli.places.selectors import community_of_place

    data = form.cleaned_data
    compound = next((c for c in compounds if str(c.pk) == data["compound"]), None)
    if compound is None:
        raise Invalid(_("Choose a compound."), fields={"compound": [_("Choose a compound.")]})
    if not data.get("building"):
        if data.get("entrance") or data.get("house"):
            raise Invalid(_("Required when a house number is given."),
                          fields={"building": [_("Required when a house number is given.")]})
        return compound
    community = community_of_place(compound)
    place = find_place(community, compound.name, data["building"], data.get("entrance", ""), data.get("house", "")) \
        if community is not None else None
    if place is None or not place.path.startswith(compound.path):
        message = _("Not found in the place tree.")
        raise Invalid(message, fields={"house" if data.get("house") else "building": [message]})
    return place


@registry_required("registry.change")
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    compounds = compounds_for(user)
    initial = {"kind": request.GET.get("kind", "shop"), "compound": request.GET.get("compound", "")}
    form = OrganisationCreateForm(request.POST or None, compounds=compounds, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            by_id = {str(c.pk): c for c in compounds}
            try:
                place = _place_from(user, form, compounds)
                org = actions.organisation_create(
                    name=data["name"], kind=data["kind"], place=place, actor=user,
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    credit_code=data["credit_code"], notes=data["notes"],
                    serves=[by_id[i] for i in data["serves"] if i in by_id] or None,
                    serves_from=data.get("serves_from"),
                )
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("residents:organisation_detail", pk=org.pk)
    return render(request, "residents/organisation_form.html", {"form": form, "org": None}, status=status)


@registry_required("registry.change")
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = access_organisation(user, pk)
    compounds = compounds_for(user)
    chain = place_chain([org.place]).get(org.place_id, [])
    parts = {p.kind: p for p in chain}
    initial = {
        "name": org.name, "kind": org.kind, "contact_name": org.contact_name, "credit_code": org.credit_code,
        "notes": org.notes,
        "compound": str(parts[PlaceKind.COMPOUND].pk) if PlaceKind.COMPOUND in parts else "",
        "building": parts[PlaceKind.BUILDING].name if PlaceKind.BUILDING in parts else "",
        "entrance": parts[PlaceKind.ENTRANCE].name if PlaceKind.ENTRANCE in parts else "",
        "house": parts[PlaceKind.HOUSE].name if PlaceKind.HOUSE in parts else "",
    }
    form = OrganisationForm(request.POST or None, compounds=compounds, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            changes: dict[str, Any] = {k: data[k] for k in ("name", "kind", "contact_name", "credit_code", "notes")}
            if data["contact_phone"]:  # empty keeps the stored (masked, never shown in the form) number
                changes["contact_phone"] = data["contact_phone"]
            try:
                place = _place_from(user, form, compounds)
                if place.pk != org.place_id:
                    changes["place"] = place
                actions.organisation_update(organisation=org, actor=user, **changes)
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("residents:organisation_detail", pk=org.pk)
    return render(request, "residents/organisation_form.html", {"form": form, "org": org}, status=status)


@registry_required()
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = access_organisation(user, pk)
    row = organisation_rows(user, [org])[0]
    can_change = can_change_registry(user) and org.active
    return render(request, "residents/organisation_detail.html", {
        "org": org,
        "row": row,
        "services": organisation_services(org),
        "serving_kind": org.kind in SERVING_KINDS,
        "can_change": can_change,
        "can_unmask": can_unmask(user),
        "serve_form": ServeForm(compounds=compounds_for(user), prefix="serve") if can_change else None,
        "end_form": ServeEndForm(prefix="end"),
        "today": timezone.localdate(),
    })


def _done(request: HttpRequest, org: Organisation, run) -> HttpResponse:
    try:
        run()
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("residents:organisation_detail", pk=org.pk)


@registry_required("registry.change")
@require_POST
def organisation_serve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = access_organisation(user, pk)
    compounds = compounds_for(user)
    form = ServeForm(request.POST, compounds=compounds, prefix="serve")
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("residents:organisation_detail", pk=org.pk)
    compound = next(c for c in compounds if str(c.pk) == form.cleaned_data["compound"])
    return _done(request, org, lambda: actions.organisation_serve(
        organisation=org, compound=compound, actor=user, start=form.cleaned_data.get("start")))


@registry_required("registry.change")
@require_POST
def organisation_serve_end(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    user = request.user
    org = access_organisation(user, pk)
    service = CompoundService.objects.visible_to(user).filter(pk=service_pk, organisation=org).first()
    if service is None:
        raise Http404
    form = ServeEndForm(request.POST, prefix="end")
    on: datetime.date | None = form.cleaned_data.get("on") if form.is_valid() else None
    return _done(request, org, lambda: actions.organisation_serve_end(service=service, actor=user, on=on))


@registry_required("registry.change")
@require_POST
def organisation_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = access_organisation(user, pk)
    return _done(request, org, lambda: actions.organisation_close(organisation=org, actor=user))


@registry_required()
@require_POST
def organisation_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact phone unmasked (HTMX): registry.unmask; audited by pii_reveal (a refusal too)."""
    org = access_organisation(request.user, pk)
    try:
        value = pii_reveal(actor=request.user, obj=org, field="contact_phone", perm="registry.unmask",
                           reason=request.POST.get("reason", "")[:200])
    except PermissionDenied as exc:
        raise DjangoPermissionDenied from exc
    return render(request, "residents/partials/revealed.html", {"value": value, "field": "contact_phone"})


@registry_required()
@require_GET
def organisation_template(request: HttpRequest) -> HttpResponse:
    return download(org_template_bytes(), "单位信息导入模板.xlsx")


@registry_required("registry.export")
@require_GET
def organisation_export(request: HttpRequest) -> HttpResponseBase:
    """The list as filtered, as .xlsx in the import sheet's columns; full phones only with registry.unmask."""
    full = request.GET.get("full") == "1"
    if full and not can_unmask(request.user):
        raise DjangoPermissionDenied
    filters = OrganisationFilters.from_params(request.GET)
    # Up to a few thousand rows: the file now; more: written by the worker while a page shows its progress.
    return export_response(request, "residents.organisations", {"filters": filters.as_params(), "full": full})
