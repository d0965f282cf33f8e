"""Registry pages: the searchable list, a person, a household, import (upload, progress, error
report), the template, export, and the forms that move people in and out. Every write goes through
``linli.residents.actions``; every read is scoped (``visible_to`` / ``access_*``: out of scope is 404).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.core.access import scope_of
from linli.core.audit import audit_record
from linli.core.errors import DomainError, NotFound, PermissionDenied, Throttled
from linli.core.excel import XLSX, download
from linli.core.export_jobs import export_response
from linli.core.masking import mask_id_number, mask_phone
from linli.core.pii import pii_reveal
from linli.core.replica import replica_reads
from linli.core.ui import form_errors, perm_required, raise_http, upload_error_status
from linli.places.kinds import PlaceKind
from linli.places.selectors import communities_of, place_at_path, places_by_ids
from linli.residents import actions, selectors
from linli.residents.access import (
    VIEW,
    access_household,
    access_import_job,
    access_person,
    can_change_registry,
    can_export_registry,
    can_reveal,
    can_unmask,
    has_perm,
    reveal_perm,
)
from linli.residents.excel import template_bytes
from linli.residents.forms import (
    DateForm,
    ImportForm,
    MemberForm,
    MoveInForm,
    MoveOutForm,
    PersonCreateForm,
    PersonForm,
    PersonTagForm,
    SearchForm,
)
from linli.residents.houses import find_place
from linli.residents.models import HouseholdMember, ImportKind, ImportStatus, Person, PersonStatus, PersonTag

if TYPE_CHECKING:
    from linli.places.models import Place

REVEAL_FIELDS = {"id_number", "phone"}


def registry_required(perm: str = VIEW):
    """Logged in, may look at the registry, and holds ``perm`` (403 otherwise)."""
    return perm_required(VIEW, perm, require_all=True)


def _is_htmx(request: HttpRequest) -> bool:
    """An HTMX request for a fragment (not a boosted page load)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def _search_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    tags = list(selectors.visible_tags(user))
    grids = selectors.grids_for_filter(user)
    form = SearchForm(request.GET or None, tags=tags, grids=grids)
    q = request.GET.get("q", "").strip()[:64]
    filters = selectors.PersonFilters.from_params(request.GET)
    after = request.GET.get("after", "")
    throttled = ""
    try:
        if not after:  # the next page of one search is the same question
            actions.number_search(actor=user, q=q)
    except Throttled as exc:
        throttled = str(exc.message)
        persons, next_after = [], None
    else:
        persons, next_after = selectors.person_page(user, q, filters, after=int(after[:18]) if after.isdigit() else None)
    params: dict[str, str] = {"q": q, **filters.as_params()}
    return {
        "throttled": throttled,
        "form": form,
        "q": q,
        "filters": filters,
        "rows": selectors.person_rows(user, persons),
        "next_url": (reverse("residents:person_list") + "?" + urlencode({**params, "after": str(next_after)}))
        if next_after else "",
        "export_query": urlencode(params),
        "export_params": params,
        "is_more": bool(after),
        "can_change": can_change_registry(user),
        "can_export": can_export_registry(user),
        "can_unmask": can_unmask(user),
    }


@registry_required()
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """The registry: search box, filters (tag, grid, status), results masked, keyset "more"."""
    context = _search_context(request)
    if _is_htmx(request):
        template = "residents/partials/rows.html" if context["is_more"] else "residents/partials/results.html"
        return render(request, template, context)
    return render(request, "residents/person_list.html", context)


@registry_required()
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    detail = selectors.person_detail(request.user, person)
    user = request.user
    tags = list(selectors.visible_tags(user))
    context = {
        "d": detail,
        "person": person,
        "can_change": can_change_registry(user) and person.status == PersonStatus.ACTIVE,
        "can_move_in": can_change_registry(user) and person.status == PersonStatus.MOVED_OUT,
        "can_unmask": can_unmask(user),
        "can_reveal_phone": can_reveal(user, "phone"),
        "move_out_form": MoveOutForm(prefix="out"),
        "death_form": DateForm(prefix="death"),
        "move_in_form": MoveInForm(prefix="in"),
        "tag_form": PersonTagForm(prefix="tag", tags=tags),
        "relationship_name": selectors.relationship_name,
        "today": timezone.localdate(),
    }
    return render(request, "residents/person_detail.html", context)


@registry_required()
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """Show one field unmasked (HTMX): permission registry.unmask; audited by pii_reveal (a refusal
    too)."""
    if field not in REVEAL_FIELDS:
        raise Http404
    person = access_person(request.user, pk)
    try:
        value = pii_reveal(actor=request.user, obj=person, field=field, perm=reveal_perm(request.user, field),
                           reason=request.POST.get("reason", "")[:200])
    except PermissionDenied as exc:
        raise DjangoPermissionDenied from exc
    return render(request, "residents/partials/revealed.html", {"value": value, "field": field})


@registry_required("registry.change")
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    communities = communities_of(request.user)
    form = PersonCreateForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next((c for c in communities if str(c.pk) == data["community"]), None)
        place = _resolve_place(request.user, form, community, data)
        if place is not None:
            try:
                person = actions.person_create(
                    actor=request.user, place=place, occupancy_kind=data["kind"],
                    **{k: data[k] for k in ("name", "id_number", "phone", "ethnicity", "political_status",
                                            "registered_address", "current_address", "notes")},
                )
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": person.name})
                return redirect("residents:person_detail", pk=person.pk)
    return render(request, "residents/person_form.html", {"form": form, "person": None})


def _resolve_place(user, form, community: Place | None, data: dict[str, Any]) -> Place | None:
    """The place an address form names (a house, a building ... or the community when left empty)."""
    scope = scope_of(user)
    if community is None:
        form.add_error("community", _("Choose a community."))
        return None
    if not data.get("compound"):
        if scope.covers_path(community.path):
            return community
        inside = [p for p in scope.place_paths if p.startswith(community.path)]
        return place_at_path(inside[0]) if inside else None
    place = find_place(community, data["compound"], data.get("building", ""), data.get("entrance", ""),
                       data.get("house", ""))
    if place is None or not scope.covers_path(place.path):
        form.add_error("house" if data.get("house") else "compound", _("Not found in your area."))
        return None
    return place


@registry_required("registry.change")
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    # The ID number and phone are shown masked (no one reads a full number off an edit form, and a reveal
    # is a separate, audited step); the stored number stays unless a new one is typed over the mask.
    initial = {f: getattr(person, f) for f in PersonForm.base_fields}
    initial.update(id_number=mask_id_number(person.id_number), phone=mask_phone(person.phone))
    form = PersonForm(request.POST or None, initial=initial)
    form.fields["id_number"].help_text = _("Shown masked; type a new number to replace it, or leave it as it is.")
    form.fields["phone"].help_text = _("Shown masked; type a new number to replace it, or leave it as it is.")
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if form.has_changed() and k in form.changed_data}
        for key in ("id_number", "phone"):
            if key in changes and (changes[key] or "").strip() == initial[key]:
                del changes[key]
        try:
            actions.person_update(person=person, actor=request.user, **changes)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("residents:person_detail", pk=person.pk)
    return render(request, "residents/person_form.html", {"form": form, "person": person})


def _post_action(request: HttpRequest, pk: int, form_class, prefix: str, run) -> HttpResponse:
    person = access_person(request.user, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            message = run(person, form.cleaned_data)
        except DomainError as exc:
            raise_http(exc)
            messages.error(request, str(exc.message))
        else:
            messages.success(request, message)
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("residents:person_detail", pk=person.pk)


@registry_required("registry.change")
@require_POST
def person_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    def run(person, data):
        actions.person_move_out(person=person, actor=request.user, on=data["on"], destination=data["destination"])
        return _("The move-out is recorded.")

    return _post_action(request, pk, MoveOutForm, "out", run)


@registry_required("registry.change")
@require_POST
def person_record_death(request: HttpRequest, pk: int) -> HttpResponse:
    def run(person, data):
        actions.person_record_death(person=person, actor=request.user, on=data["on"])
        return _("The death is recorded.")

    return _post_action(request, pk, DateForm, "death", run)


@registry_required("registry.change")
@require_POST
def person_move_in(request: HttpRequest, pk: int) -> HttpResponse:
    def run(person, data):
        community = _community_of(person)
        place = find_place(community, data["compound"], data["building"], data["entrance"], data["house"]) \
            if community else None
        if place is None:
            raise NotFound(_("Not found."))
        actions.person_move_in(person=person, place=place, actor=request.user, kind=data["kind"], on=data["on"])
        return _("The move-in is recorded.")

    try:
        return _post_action(request, pk, MoveInForm, "in", run)
    except Http404:
        messages.error(request, _("That house is not found in your area."))
        return redirect("residents:person_detail", pk=pk)


def _community_of(person: Person) -> Place | None:
    ids = [int(i) for i in person.place_path.split("/") if i]
    return places_by_ids(ids, kinds=[PlaceKind.COMMUNITY]).first()


@registry_required("registry.change")
@require_POST
def person_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    tags = list(selectors.visible_tags(request.user))

    def run(person, data):
        tag = next((t for t in tags if str(t.pk) == data["tag"]), None)
        if tag is None:
            raise NotFound(_("Not found."))
        actions.person_tag_add(person=person, tag=tag, actor=request.user, valid_from=data["valid_from"],
                               valid_to=data["valid_to"], source=data["source"])
        return _("Tag added.")

    person = access_person(request.user, pk)
    form = PersonTagForm(request.POST, prefix="tag", tags=tags)
    if form.is_valid():
        try:
            messages.success(request, run(person, form.cleaned_data))
        except DomainError as exc:
            raise_http(exc)
            messages.error(request, str(exc.message))
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("residents:person_detail", pk=person.pk)


@registry_required("registry.change")
@require_POST
def person_tag_end(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    row = PersonTag.objects.filter(pk=tag_pk, person=person, tag__in=selectors.visible_tags(request.user)).first()
    if row is None:
        raise Http404
    try:
        actions.person_tag_end(person_tag=row, actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Tag ended."))
    return redirect("residents:person_detail", pk=person.pk)


# --- households ----------------------------------------------------------------------------------------


@registry_required()
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household(request.user, pk)
    detail = selectors.household_detail(request.user, household)
    return render(request, "residents/household_detail.html", {
        "d": detail, "household": household, "member_form": MemberForm(),
        "can_change": can_change_registry(request.user) and household.status == "active",
        "relationship_name": selectors.relationship_name,
    })


@registry_required("registry.change")
@require_POST
def household_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household(request.user, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            actions.number_probe(actor=request.user, kind="id_number", where="household_member")
        except Throttled as exc:
            messages.error(request, str(exc.message))
            return redirect("residents:household_detail", pk=household.pk)
        person = selectors.person_search(request.user, form.cleaned_data["id_number"],
                                         selectors.PersonFilters(status=PersonStatus.ACTIVE)).first()
        if person is None or len(form.cleaned_data["id_number"].strip()) < 15:
            messages.error(request, _("No person with this ID number lives in your area."))
        else:
            try:
                actions.household_add_member(household=household, person=person,
                                             relationship=form.cleaned_data["relationship"], actor=request.user)
            except DomainError as exc:
                raise_http(exc)
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Member added."))
    return redirect("residents:household_detail", pk=household.pk)


@registry_required("registry.change")
@require_POST
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the person the head of a new household at their house."""
    person = access_person(request.user, pk)
    try:
        household = actions.household_create(
            head=person, actor=request.user, house=person.place if person.place and person.place.kind == "house" else None
        )
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
        return redirect("residents:person_detail", pk=person.pk)
    return redirect("residents:household_detail", pk=household.pk)


@registry_required("registry.change")
@require_POST
def household_end_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    household = access_household(request.user, pk)
    member = HouseholdMember.objects.filter(pk=member_pk, household=household).select_related("person").first()
    if member is None or not scope_of(request.user).covers_path(member.person.place_path):
        raise Http404
    try:
        actions.household_end_member(member=member, actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    return redirect("residents:household_detail", pk=household.pk)


# --- Excel ------------------------------------------------------------------------------------------------


@registry_required()
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    tags = [t.name for t in selectors.visible_tags(request.user) if not t.computed]
    return download(template_bytes(tags), "人员信息导入模板.xlsx")


@registry_required("registry.export")
@require_GET
@replica_reads
def export(request: HttpRequest) -> HttpResponseBase:
    """The list as filtered on the search page, as .xlsx; full data only with registry.unmask and ?full=1."""
    full = request.GET.get("full") == "1"
    if full and not can_unmask(request.user):
        raise DjangoPermissionDenied
    q = request.GET.get("q", "").strip()[:64]
    filters = selectors.PersonFilters.from_params(request.GET)
    try:
        actions.number_search(actor=request.user, q=q, where="export")
    except Throttled as exc:
        return HttpResponse(str(exc.message), status=429, content_type="text/plain; charset=utf-8")
    # Up to a few thousand rows: the file now; more: written by the worker while a page shows its progress.
    return export_response(request, "residents.persons", {"q": q, "filters": filters.as_params(), "full": full})


@registry_required("registry.change")
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    from linli.residents.tasks import residents_import_run

    user = request.user
    communities = communities_of(user)
    form = ImportForm(request.POST or None, request.FILES or None, communities=communities,
                      can_create_houses=has_perm(user, "places.change"),
                      initial={"kind": request.GET.get("kind", ImportKind.PERSONS)})
    status = 200
    if request.method == "POST" and form.is_valid():
        community = next((c for c in communities if str(c.pk) == form.cleaned_data["community"]), None)
        try:
            job = actions.import_job_create(
                actor=user, community=community, upload=form.cleaned_data["file"],
                create_houses=form.cleaned_data.get("create_houses", False),
                update_existing=form.cleaned_data["update_existing"], kind=form.cleaned_data["kind"],
            ) if community else None
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
            status = upload_error_status(exc)  # a workbook beyond the limits: 413 or 422, with the form
            job = None
        if job is not None:
            if actions.imports.import_runs_in_request(job):
                actions.import_job_run(job_id=job.pk)
            else:
                residents_import_run(job.pk)
            return redirect("residents:import_status", pk=job.pk)
    jobs = selectors_import_jobs(user)
    return render(request, "residents/import.html", {"form": form, "jobs": jobs}, status=status)


def selectors_import_jobs(user) -> list:
    from linli.residents.models import ImportJob

    return list(ImportJob.objects.visible_to(user).select_related("community")[:10])


@registry_required("registry.change")
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_import_job(request.user, pk)
    if not job.finished and actions.imports.import_job_is_stale(job):
        actions.imports.import_job_reap(job)  # its runner died: say so now, not "writing 52%" forever
        job.refresh_from_db()
    done, total = actions.import_progress(job)
    if job.status == ImportStatus.VALIDATING:
        percent = int(50 * done / total) if total else 5
    elif job.status == ImportStatus.WRITING:
        percent = 50 + int(50 * done / total) if total else 50
    else:
        percent = 100 if job.finished else 0
    context = {"job": job, "done": done, "total": total, "percent": min(percent, 100)}
    if _is_htmx(request):
        return render(request, "residents/partials/import_progress.html", context)
    return render(request, "residents/import_status.html", context)


@registry_required("registry.change")
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = access_import_job(request.user, pk)
    if not job.report or not default_storage.exists(job.report):
        raise Http404
    audit_record(action="residents.import_report_download", actor=request.user, target=job)
    name = f"错误报告-{os.path.splitext(job.filename)[0] or job.pk}.xlsx"
    return FileResponse(default_storage.open(job.report, "rb"), as_attachment=True, filename=name, content_type=XLSX)



# --- tags --------------------------------------------------------------------------------------------------


@registry_required()
@require_http_methods(["GET", "POST"])
def tag_list(request: HttpRequest) -> HttpResponse:
    """The tags the user may see (built-in and their communities' own), and a form for a custom tag."""
    from linli.residents.forms import TagForm

    user = request.user
    communities = [c for c in communities_of(user) if scope_of(user).covers_path(c.path)]
    can_create = can_change_registry(user) and bool(communities)
    form = TagForm(request.POST or None, communities=communities, sensitive=has_perm(user, "registry.view_sensitive"))
    if request.method == "POST":
        if not can_create:
            raise DjangoPermissionDenied
        if form.is_valid():
            community = next(c for c in communities if str(c.pk) == form.cleaned_data["community"])
            try:
                tag = actions.tag_create(community=community, code=form.cleaned_data["code"],
                                         name=form.cleaned_data["name"], sensitivity=form.cleaned_data["sensitivity"],
                                         actor=user)
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
            else:
                messages.success(request, _("Tag “%(name)s” created.") % {"name": tag.name})
                return redirect("residents:tag_list")
    tags = list(selectors.visible_tags(user).select_related("community"))
    return render(request, "residents/tag_list.html", {"tags": tags, "form": form, "can_create": can_create})
