"""Pages of the mediation app: the ledger (filters, paging), registering a dispute, one dispute (parties
masked with an audited reveal, the one timeline, sessions, the agreement, the buttons of the table with
their inputs), the agreement as an A4 PDF.

Objects come through ``access_*`` (404 out of scope); writes through ``linli.mediation.actions``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from linli.core.access import scope_of
from linli.core.errors import DomainError
from linli.core.ui import form_errors, perm_required, raise_http
from linli.mediation import actions, selectors
from linli.mediation.access import access_dispute, can_file, can_handle, can_unmask
from linli.mediation.forms import TRIAGE_CHOICES, DisputeForm
from linli.mediation.workflow import (
    PERM_HANDLE,
    PERM_REPORT,
    PERM_VIEW,
    TRANSITIONS,
    AgreementForm,
    DisputeKind,
    DisputeStatus,
    available_actions,
)


def _grids(user: Any) -> list[Any]:
    from linli.places.models import Place, PlaceKind

    scope = scope_of(user)
    return list(Place.objects.filter(scope.place_q("path"), kind=PlaceKind.GRID).order_by("path")[:200])


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@perm_required(PERM_VIEW)
def dispute_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    f = selectors.DisputeFilters(kind=g.get("kind", "")[:16], status=g.get("status", "open")[:16],
                                 grid=_int(g.get("grid")), month=g.get("month", "")[:7], q=g.get("q", "")[:50])
    rows, next_after = selectors.dispute_page(request.user, f, after=_int(g.get("after")))
    today = timezone.localdate()
    items = [{"d": d, "light": selectors.light(d, today), "parties": selectors.parties_summary(d)} for d in rows]
    query = g.copy()
    query.pop("after", None)
    return render(request, "mediation/dispute_list.html", {
        "items": items, "next_after": next_after, "filters": f, "query": query.urlencode(),
        "kinds": DisputeKind.choices, "statuses": DisputeStatus.choices, "grids": _grids(request.user),
        "counts": selectors.status_counts(request.user), "can_file": can_file(request.user),
    })


def _filing_places(user: Any) -> list[tuple[int, str]]:
    from linli.places.models import Place, PlaceKind

    scope = scope_of(user)
    rows = (Place.objects.filter(scope.place_q("path"),
                                 kind__in=[PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING])
            .order_by("path").values_list("pk", "name", "kind")[:1500])
    prefix = {PlaceKind.GRID: "", PlaceKind.COMPOUND: "· ", PlaceKind.BUILDING: "·· "}
    return [(pk, f"{prefix.get(kind, '')}{name}") for pk, name, kind in rows]


@perm_required(PERM_REPORT, PERM_HANDLE)
def dispute_new(request: HttpRequest) -> HttpResponse:
    places = _filing_places(request.user)
    form = DisputeForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            dispute = actions.dispute_file(
                actor=request.user, kind=d["kind"], facts=d["facts"], title=d["title"], place=d["place"],
                parties=form.parties(), source=d["source"], risk=d["risk"], amount=d.get("amount"),
                address=d.get("address", ""),
            )
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Dispute %(n)s registered.") % {"n": dispute.number})
            return redirect("mediation:dispute_detail", pk=dispute.pk)
    return render(request, "mediation/dispute_new.html", {"form": form}, status=422 if form.errors else 200)


def _detail_context(request: HttpRequest, dispute: Any) -> dict[str, Any]:
    from linli.mediation.models import Mediator

    user = request.user
    buttons = available_actions(dispute, user)
    mediators = []
    if any(t.name in ("accept", "assign", "triage") for t in buttons):
        mediators = list(Mediator.objects.filter(active=True, place_path__in=_above(dispute.community.path))
                         .order_by("id")[:200])
    agreement = getattr(dispute, "agreement", None) if dispute.outcome == "settled" else None
    forms = [
        {"t": t, "fields": [{"name": n, "label": FIELD_LABELS.get(n, n), "required": n in t.required,
                             "area": n in TEXTAREAS} for n in t.form_fields]}
        for t in buttons
    ]
    return {
        "forms": forms,
        "dispute": dispute, "parties": selectors.party_rows(dispute), "timeline": selectors.dispute_timeline(dispute, user),
        "sessions": list(dispute.sessions.all()), "agreement": agreement, "buttons": buttons,
        "helpers": list(dispute.helpers.all()), "mediators": mediators, "light": selectors.light(dispute),
        "overdue": selectors.is_overdue(dispute), "can_unmask": can_unmask(user, dispute),
        "triage_choices": TRIAGE_CHOICES, "agreement_forms": AgreementForm.choices,
        "today": timezone.localdate(), "can_handle": can_handle(user, dispute),
    }


def _above(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))] + [path]


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = access_dispute(request.user, pk)
    dispute = type(dispute).objects.select_related("community", "grid", "place", "lead").prefetch_related(
        "parties__person").get(pk=dispute.pk)
    return render(request, "mediation/dispute_detail.html", _detail_context(request, dispute))


FIELD_LABELS = {
    "reason": _lazy("Reason"), "lead": _lazy("Lead mediator"), "helpers": _lazy("Helpers"),
    "method": _lazy("How it is mediated"), "note": _lazy("Note"), "referred_to": _lazy("Referred to"),
    "held_on": _lazy("Date"), "venue": _lazy("Place"), "participants": _lazy("Participants"),
    "notes": _lazy("What was said and agreed"), "form": _lazy("Form of the agreement"),
    "terms": _lazy("Terms agreed"), "facts": _lazy("Facts and points in dispute"),
    "performance_due": _lazy("To be fulfilled by"), "applicant_consent": _lazy("The applicant agrees to extend"),
    "respondent_consent": _lazy("The respondent agrees to extend"), "fulfilled": _lazy("Agreement fulfilled?"),
}
TEXTAREAS = frozenset({"reason", "note", "participants", "notes", "terms", "facts"})

FORM_KEYS = ("reason", "lead", "method", "note", "referred_to", "held_on", "venue", "participants", "notes",
             "form", "terms", "facts", "performance_due", "applicant_consent", "respondent_consent", "fulfilled")


@login_required
@require_POST
def dispute_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    dispute = access_dispute(request.user, pk)
    if name not in TRANSITIONS or name == "escalate":
        raise Http404
    data: dict[str, Any] = {k: request.POST.get(k, "") for k in FORM_KEYS if k in request.POST}
    if "helpers" in request.POST:
        data["helpers"] = request.POST.getlist("helpers")
    for key in ("applicant_consent", "respondent_consent"):
        if name == "extend":
            data[key] = key in request.POST
    try:
        actions.dispute_transition(dispute=dispute, name=name, actor=request.user, data=data)
    except DomainError as exc:
        raise_http(exc)
        detail = "；".join(str(m) for msgs in exc.fields.values() for m in msgs)
        messages.error(request, f"{exc.message} {detail}".strip())
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": TRANSITIONS[name].label})
    return redirect("mediation:dispute_detail", pk=dispute.pk)


@login_required
@require_POST
def party_reveal(request: HttpRequest, pk: int, party_id: int) -> HttpResponse:
    dispute = access_dispute(request.user, pk)
    party = dispute.parties.filter(pk=party_id).select_related("person").first()
    if party is None:
        raise Http404
    try:
        shown = actions.party_reveal(actor=request.user, party=party)
    except DomainError as exc:
        raise_http(exc)
        raise
    return render(request, "mediation/_party_revealed.html", {"shown": shown, "party": party})


@login_required
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.core.audit import audit_record
    from linli.mediation.agreement import agreement_pdf as render_pdf

    dispute = access_dispute(request.user, pk)
    agreement = getattr(dispute, "agreement", None) if dispute.outcome == "settled" else None
    if agreement is None or not can_handle(request.user, dispute):
        raise Http404
    audit_record(action="mediation.agreement_print", actor=request.user, target=agreement,
                 detail={"dispute": dispute.pk})
    response = HttpResponse(render_pdf(dispute), content_type="application/pdf")
    name = (agreement.serial or dispute.number).replace('"', "")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(name)}.pdf"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
