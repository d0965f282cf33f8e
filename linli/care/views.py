"""Pages of care. Visitors (grid workers, volunteers) on the phone: my visits (overdue first), a person's
plan with the visit form (found, photo, location, needs). Care staff: the area's plans, the needs list
(群众需求清单) with one tap to a case or a service order, home services. Residents: ask for a home service.
Writes go through ``linli.care.actions``; objects through ``access_*`` (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.care import actions, selectors
from linli.care.access import access_home_service, access_plan
from linli.care.forms import HomeServiceForm, VisitForm
from linli.care.workflow import HOME_SERVICE_TRANSITIONS, PERM_MANAGE, PERM_VIEW, PERM_VISIT
from linli.core.errors import DomainError
from linli.core.ui import form_errors, perm_required, raise_http, upload_error_status
from linli.core.workflow import available


def _perms(request: HttpRequest) -> frozenset[str]:
    return getattr(request.user, "perms", frozenset())


@perm_required(PERM_VISIT, PERM_VIEW)
def visits(request: HttpRequest) -> HttpResponse:
    staff = PERM_VIEW in _perms(request)
    mine = request.GET.get("all") != "1" or not staff
    overdue = request.GET.get("overdue") == "1"
    return render(request, "care/visits.html", {
        "plans": selectors.plan_list(user=request.user, mine=mine, overdue=overdue),
        "counts": selectors.plan_counts(user=request.user, mine=mine),
        "mine": mine, "overdue": overdue, "staff": staff, "today": None,
    })


@perm_required(PERM_VISIT, PERM_VIEW)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    form = VisitForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if PERM_VISIT not in _perms(request):
            raise DjangoPermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.visit_log(actor=request.user, plan=plan, found=data["found"], note=data["note"],
                                  photo=data["photo"], lon=data["lon"], lat=data["lat"], needs=form.needs())
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
                status = upload_error_status(exc)
            else:
                messages.success(request, _("The visit is logged."))
                return redirect("care:plan", pk=plan.pk)
    return render(request, "care/plan_detail.html", {
        "plan": plan, "form": form, "overdue": selectors.is_overdue(plan),
        "visits": selectors.visits_of(user=request.user, person_id=plan.person_id),
        "can_visit": PERM_VISIT in _perms(request),
    }, status=status)


@perm_required(PERM_VIEW, PERM_VISIT)
def needs(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in ("open", "case", "order", "resolved", ""):
        status = "open"
    return render(request, "care/needs.html", {
        "needs": selectors.need_list(user=request.user, status=status), "status": status,
    })


@require_POST
@perm_required(PERM_VIEW, PERM_VISIT)
def need_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    doors = {"case": actions.need_to_case, "order": actions.need_to_order, "resolve": actions.need_resolve}
    if name not in doors:
        raise Http404
    try:
        result = doors[name](need=pk, actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        if name == "case":
            case = result[1]
            messages.success(request, _("Case %(number)s filed.") % {"number": getattr(case, "number", "") or case.pk})
        elif name == "order":
            messages.success(request, _("Service order #%(id)s placed.") % {"id": result[1].pk})
        else:
            messages.success(request, _("Marked as resolved."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/care/") else reverse("care:needs"))


@login_required
def home_services(request: HttpRequest) -> HttpResponse:
    form = HomeServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.home_service_request(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Requested. The community will arrange a time and tell you."))
            return redirect("care:home_services")
    rows = [(r, available(HOME_SERVICE_TRANSITIONS, r, request.user))
            for r in selectors.home_service_list(user=request.user, open_only=request.GET.get("all") != "1")]
    providers = []
    if PERM_MANAGE in _perms(request):
        from linli.accounts.selectors import users_over

        paths = request.user.scope.place_paths
        ids = set()
        for p in paths:
            ids |= set(users_over(p, PERM_VISIT))
        from linli.accounts.selectors import users_by_ids, users_with_roles_under

        below = users_with_roles_under(["grid_worker", "volunteer"], paths[0] if paths else "-").values_list("pk", flat=True)
        providers = list(users_by_ids(ids | set(below), active=True).order_by("username")[:100])
    return render(request, "care/home_services.html", {"form": form, "rows": rows, "providers": providers,
                                                       "staff": PERM_MANAGE in _perms(request)})


@require_POST
@login_required
def home_service_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    req = access_home_service(request.user, pk)
    if name not in HOME_SERVICE_TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "") for k in ("provider", "when", "note", "found", "reason")}
    try:
        actions.home_service_transition(request=req, name=name, actor=request.user, data=data)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": HOME_SERVICE_TRANSITIONS[name].label})
    return redirect("care:home_services")
