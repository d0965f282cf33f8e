"""Pages: a resident's own data (我的数据) with its downloads and correction requests, and the staff's
queue of correction requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.core.errors import DomainError
from linli.core.excel import download
from linli.core.ui import form_errors, page_rows, perm_required, raise_http
from linli.core.workflow import available
from linli.privacy import actions, selectors
from linli.privacy.access import access_correction
from linli.privacy.export import as_json, as_xlsx
from linli.privacy.forms import CorrectionForm, RefuseForm
from linli.privacy.models import CorrectionRequest
from linli.privacy.workflow import CORRECTION_TRANSITIONS, PERM_DECIDE, CorrectionStatus


def _person(user: Any) -> Any:
    from linli.residents.selectors import person_for_user

    return person_for_user(user)


def _my_page(request: HttpRequest, person: Any, form: CorrectionForm | None = None, status: int = 200) -> HttpResponse:
    ctx: dict[str, Any] = {"person": person, "form": form or CorrectionForm()}
    if person is not None:
        data = selectors.my_data(person, request.user)
        ctx["sections"] = data.sections
        page = page_rows(request, data.corrections)
        ctx["corrections"] = [
            (c, actions.correction_value_shown(c), [t for t in available(CORRECTION_TRANSITIONS, c, request.user)])
            for c in page["rows"]
        ]
        ctx.update(next_after=page["next_after"], more_query=page["more_query"])
    return render(request, "privacy/my_data.html", ctx, status=status)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return _my_page(request, _person(request.user))


@login_required
@require_GET
def my_data_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in actions.FORMATS:
        raise Http404
    person = _person(request.user)
    if person is None:
        return _my_page(request, None, status=404)
    data = selectors.my_data(person, request.user)
    actions.my_data_download(actor=request.user, person=person, fmt=fmt, sections=len(data.sections))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        return download(as_json(data), f"my-data-{stamp}.json", content_type="application/json")
    return download(as_xlsx(data), f"my-data-{stamp}.xlsx")


@login_required
@require_POST
def correction_new(request: HttpRequest) -> HttpResponse:
    person = _person(request.user)
    form = CorrectionForm(request.POST)
    if person is None:
        return _my_page(request, None, status=404)
    if not form.is_valid():  # the form again with its messages (200, as every page's form)
        return _my_page(request, person, form)
    try:
        actions.correction_request(actor=request.user, field=form.cleaned_data["field"],
                                   value=form.cleaned_data["value"], note=form.cleaned_data["note"])
    except DomainError as exc:
        raise_http(exc)
        form_errors(form, exc)
        return _my_page(request, person, form)
    messages.success(request, _("Your request was sent to the community. You will be told when they answer."))
    return redirect("privacy:my_data")


@login_required
@require_POST
def correction_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.correction_transition(request=pk, name="withdraw", actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    return redirect("privacy:my_data")


# --- staff ----------------------------------------------------------------------------------------------------


@perm_required(PERM_DECIDE)
@require_GET
def corrections(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CorrectionStatus.REQUESTED)
    if status not in CorrectionStatus.values:
        status = CorrectionStatus.REQUESTED
    page = page_rows(request, selectors.correction_queue(request.user, status=status))
    return render(request, "privacy/corrections.html", {
        **page, "rows": [(c, actions.correction_value_shown(c)) for c in page["rows"]],
        "status": status, "statuses": CorrectionStatus.choices,
    })


def _staff_request(request: HttpRequest, pk: int) -> CorrectionRequest:
    """A request in the staff member's scope (their own requests are for the "my data" page: 404 here)."""
    req = access_correction(request.user, pk)
    if req.requester_id == request.user.pk:
        raise Http404
    return req


@perm_required(PERM_DECIDE)
@require_GET
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _staff_request(request, pk))


def _detail_page(request: HttpRequest, req: CorrectionRequest, form: RefuseForm | None = None,
                 status: int = 200) -> HttpResponse:
    from linli.core.masking import mask_id_number, mask_phone

    person = req.person
    current = getattr(person, req.field, "")
    if req.field == "id_number":
        current = mask_id_number(current)
    elif req.field == "phone":
        current = mask_phone(current)
    elif req.field in ("ethnicity", "political_status"):
        from linli.core.codes import ETHNICITY, POLITICAL_STATUS
        from linli.residents.selectors import code_name

        current = code_name(ETHNICITY if req.field == "ethnicity" else POLITICAL_STATUS, current)
    from linli.core.people import name_actors
    from linli.residents.access import can_reveal

    return render(request, "privacy/correction.html", {
        "req": req, "current": current, "asked": actions.correction_value_shown(req),
        "can_reveal": req.field in REVEALABLE and can_reveal(request.user, req.field),
        "buttons": available(CORRECTION_TRANSITIONS, req, request.user), "form": form or RefuseForm(),
        "events": name_actors(req.events.select_related("actor").order_by("at", "id")[:50], masked=False),
    }, status=status)


REVEALABLE = ("id_number", "phone")


@perm_required(PERM_DECIDE)
@require_POST
def correction_reveal(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """The asked-for or the registered ID number or phone unmasked (HTMX), for a decider who holds the registry's
    reveal permission for that field; every reveal and every refusal is audited by ``pii_reveal``."""
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    from linli.core.errors import PermissionDenied
    from linli.core.pii import pii_reveal
    from linli.residents.access import reveal_perm

    req = _staff_request(request, pk)
    if which not in ("asked", "current") or req.field not in REVEALABLE:
        raise Http404
    obj, field = (req, "value") if which == "asked" else (req.person, req.field)
    try:
        value = pii_reveal(actor=request.user, obj=obj, field=field, perm=reveal_perm(request.user, req.field),
                           reason=f"privacy.correction #{req.pk}")
    except PermissionDenied as exc:
        raise DjangoPermissionDenied from exc
    return render(request, "residents/partials/revealed.html", {"value": value, "field": f"{which}-{req.field}"})


@perm_required(PERM_DECIDE)
@require_POST
def correction_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    req = _staff_request(request, pk)
    form = RefuseForm(request.POST) if name == "refuse" else None
    data: dict[str, Any] = {"version": request.POST.get("version", "")}
    if form is not None:
        if not form.is_valid():
            return _detail_page(request, req, form)
        data["reason"] = form.cleaned_data["reason"]
    try:
        actions.correction_transition(request=req, name=name, actor=request.user, data=data)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
        return redirect("privacy:correction", pk=pk)
    messages.success(request, _("Done."))
    return redirect("privacy:corrections")
