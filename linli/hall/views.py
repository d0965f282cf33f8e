"""Pages of the one-stop hall.

Residents (phone first): the catalog with search by Chinese or pinyin initials, a service with what to
bring, applying online, my applications with their steps, the certificate PDF, rating. Staff: the desk
(applications of their area by state, overdue first), registering a walk-in, the transitions, the catalog
editor, revoking a certificate. Anyone: ``/v/<code>`` checks a certificate (genuine, issuer, date only).

Every write goes through ``linli.hall.actions``; objects come through ``access_*`` (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.people import name_actors
from linli.core.ui import error_message, form_errors, page_rows, perm_required, raise_http
from linli.core.workflow import available
from linli.hall import actions, selectors
from linli.hall.access import access_application, access_service, can_handle, can_manage_catalog
from linli.hall.forms import ApplyForm, ServiceForm, WalkInForm
from linli.hall.models import Certificate
from linli.hall.workflow import (
    APPLICATION_TRANSITIONS,
    PERM_APPLY,
    PERM_HANDLE,
    ApplicationStatus,
    Satisfaction,
    ServiceCategory,
)

# --- residents -----------------------------------------------------------------------------------------------

# The catalog keeps its own order (``sort``), so it is not keyset-paged: past this many the page says so and asks
# for a search.
SERVICES_SHOWN = 100


@login_required
def services(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    category = request.GET.get("category", "")
    if category not in ServiceCategory.values:
        category = ""
    found = selectors.service_search(user=request.user, q=q, category=category)
    items = list(found[: SERVICES_SHOWN + 1])
    context = {
        "items": items[:SERVICES_SHOWN],
        "shown": SERVICES_SHOWN if len(items) > SERVICES_SHOWN else None,
        "q": q,
        "category": category,
        "categories": ServiceCategory.choices,
        "can_apply": PERM_APPLY in request.user.perms,
        "can_handle": can_handle(request.user),
        "can_manage": can_manage_catalog(request.user),
    }
    if request.htmx:
        return render(request, "hall/partials/service_rows.html", context)
    return render(request, "hall/services.html", context)


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = access_service(request.user, pk)
    form = ApplyForm(request.POST or None)
    if request.method == "POST":
        if PERM_APPLY not in request.user.perms:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                app = actions.application_submit(actor=request.user, service=service, **form.cleaned_data)
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
            else:
                messages.success(request, _("Your application was sent. The hall will tell you each step."))
                return redirect("hall:application", pk=app.pk)
    return render(request, "hall/service_detail.html", {
        "service": service, "form": form, "can_apply": PERM_APPLY in request.user.perms,
        "can_manage": can_manage_catalog(request.user, service),
    })


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, selectors.application_list(user=request.user, mine=True), size=selectors.PAGE_SIZE)
    return render(request, "hall/my_applications.html", page)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = access_application(request.user, pk)
    buttons = available(APPLICATION_TRANSITIONS, app, request.user)
    cert = getattr(app, "certificate", None) if hasattr(app, "certificate") else None
    return render(request, "hall/application_detail.html", {
        "app": app,
        "buttons": buttons,
        "events": name_actors(app.events.select_related("actor")[:200], masked=False),
        "certificate": cert,
        "overdue": selectors.is_overdue(app),
        "satisfactions": Satisfaction.choices,
        "is_staff_view": can_handle(request.user) and app.applicant_id != request.user.pk,
        "services_url": reverse("hall:services"),
    })


@require_POST
@login_required
def application_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    app = access_application(request.user, pk)
    if name not in APPLICATION_TRANSITIONS:
        raise Http404
    keys = ("missing", "note", "office", "purpose", "reason", "satisfaction", "comment")
    data = {k: request.POST.get(k, "") for k in keys if k in request.POST}
    try:
        actions.application_transition(application=app, name=name, actor=request.user, data=data)
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": APPLICATION_TRANSITIONS[name].label})
    return redirect("hall:application", pk=app.pk)


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.hall.pdf import certificate_pdf as render_pdf

    cert = Certificate.objects.visible_to(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404
    body = render_pdf(cert, verify_url(request, cert.code))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.year}-{cert.serial:05d}.pdf"'
    return response


def verify_url(request: HttpRequest | None, code: str) -> str:
    from django.conf import settings

    path = reverse("certificate_verify", kwargs={"code": code})
    base = (getattr(settings, "LINLI_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a certificate is genuine, who issued it, when (nothing personal)."""
    found = actions.certificate_check(code)
    response = render(request, "hall/verify.html", {"found": found}, status=200 if found else 404)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- staff ---------------------------------------------------------------------------------------------------


@perm_required(PERM_HANDLE)
def desk(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in (*ApplicationStatus.values, "open", "all"):
        status = "open"
    overdue = request.GET.get("overdue") == "1"
    apps = selectors.application_list(user=request.user, status="" if status == "all" else status, overdue=overdue)
    return render(request, "hall/desk.html", {
        **page_rows(request, apps, size=selectors.PAGE_SIZE), "status": status, "overdue": overdue, "counts": selectors.desk_counts(user=request.user),
        "statuses": ApplicationStatus.choices, "today": None,
    })


def _places_for(user) -> list[tuple[str, str]]:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to

    kinds = [PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND]
    rows = places_visible_to(user).filter(kind__in=kinds).order_by("path").values_list("pk", "name", "kind")[:500]
    return [(str(pk), name) for pk, name, _kind in rows]


@perm_required(PERM_HANDLE)
def walk_in(request: HttpRequest) -> HttpResponse:
    form = WalkInForm(request.POST or None, initial={"service": request.GET.get("service", "")})
    form.fields["service"].choices = [
        (str(s.pk), s.name) for s in selectors.service_search(user=request.user)[:200]
    ]
    form.fields["place"].choices = _places_for(request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            app = actions.application_submit(
                actor=request.user, service=data["service"], applicant_name=data["applicant_name"],
                place=data["place"], address=data["address"], details=data["details"], person=data["person"],
                walk_in=True,
            )
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Application #%(id)s registered.") % {"id": app.pk})
            return redirect("hall:application", pk=app.pk)
    return render(request, "hall/walk_in.html", {"form": form})


@perm_required("hall.manage")
def service_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    service = access_service(request.user, pk) if pk else None
    if service is not None and not can_manage_catalog(request.user, service):
        raise Http404
    initial = {}
    if service is not None:
        initial = {f: getattr(service, f) for f in ServiceForm.base_fields if f != "materials"}
        initial["materials"] = "\n".join(service.materials)
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.service_item_save(actor=request.user, service=service, **form.cleaned_data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("hall:service", pk=service.pk)
    return render(request, "hall/service_form.html", {"form": form, "service": service})


@require_POST
@perm_required(PERM_HANDLE)
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cert = Certificate.objects.visible_to(request.user).filter(pk=pk).first()
    if cert is None:
        raise Http404
    try:
        actions.certificate_revoke(certificate=cert, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("The certificate is revoked."))
    return redirect("hall:application", pk=cert.application_id)


