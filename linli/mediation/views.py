"""Pages of the mediation app: the ledger (filters, paging), registering a dispute, one dispute (parties
masked with an audited reveal, the one timeline, sessions, the agreement, the buttons of the table with
their inputs), the agreement as an A4 PDF.

Objects come through ``access_*`` (404 out of scope); writes through ``linli.mediation.actions``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from linli.core.access import path_prefixes, scope_of
from linli.core.errors import DomainError, Invalid, NotFound
from linli.core.excel import download
from linli.core.ui import form_errors, page_rows, perm_required, raise_http
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
from linli.places.selectors import places_in_scope


def _grids(user: Any) -> list[Any]:
    from linli.places.kinds import PlaceKind

    scope = scope_of(user)
    return list(places_in_scope(scope, PlaceKind.GRID).order_by("path")[:200])


def _int(value: Any) -> int | None:
    """An id from the query string or a form, or None (not a number, or past a 64-bit id)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@perm_required(PERM_VIEW)
def dispute_list(request: HttpRequest) -> HttpResponse:
    f = _ledger_filters(request)
    page = page_rows(request, selectors.dispute_list(request.user, f), size=selectors.PAGE_SIZE)
    today = timezone.localdate()
    items = [{"d": d, "light": selectors.light(d, today), "parties": selectors.parties_summary(d)} for d in page["rows"]]
    return render(request, "mediation/dispute_list.html", {
        **page, "items": items, "filters": f,
        "kinds": DisputeKind.choices, "statuses": DisputeStatus.choices, "grids": _grids(request.user),
        "counts": selectors.status_counts(request.user), "can_file": can_file(request.user),
    })


def _filing_places(user: Any) -> list[tuple[int, str]]:
    from linli.places.kinds import PlaceKind

    scope = scope_of(user)
    rows = (places_in_scope(scope, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
            .order_by("path").values_list("pk", "name", "kind")[:1500])
    prefix = {PlaceKind.GRID: "", PlaceKind.COMPOUND: "· ", PlaceKind.BUILDING: "·· "}
    return [(pk, f"{prefix.get(kind, '')}{name}") for pk, name, kind in rows]


@perm_required(PERM_REPORT, PERM_HANDLE)
def dispute_new(request: HttpRequest) -> HttpResponse:
    places = _filing_places(request.user)
    initial = {k: request.GET[k] for k in ("place", "source", "case") if request.GET.get(k)}
    form = DisputeForm(request.POST or None, places=places, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        case_id = _case_id(request.user, d["case"]) if d.get("case") else None
        try:
            if d.get("case") and case_id is None:
                raise Invalid(_("No case with this number."), fields={"case": [_("No case with this number.")]})
            if case_id is not None:
                dispute = actions.dispute_from_case(
                    actor=request.user, case_id=case_id, kind=d["kind"], parties=form.parties(),
                    risk=d["risk"], amount=d.get("amount"), title=d["title"], facts=d["facts"])
            else:
                dispute = actions.dispute_file(
                    actor=request.user, kind=d["kind"], facts=d["facts"], title=d["title"], place=d["place"],
                    parties=form.parties(), source=d["source"], risk=d["risk"], amount=d.get("amount"),
                    address=d.get("address", ""), screening=_screening_of(request.user, d),
                )
        except NotFound as exc:
            if case_id is None:
                raise Http404 from exc
            form.add_error("case", _("No case with this number."))
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Dispute %(n)s registered.") % {"n": dispute.number})
            return redirect("mediation:dispute_detail", pk=dispute.pk)
    return render(request, "mediation/dispute_new.html", {"form": form}, status=422 if form.errors else 200)


def _case_id(user: Any, value: str) -> int | None:
    """A case's id from what the user typed: its number (2026-330106-000123) among the cases they see, or
    its id."""
    from linli.cases.selectors import case_queryset

    value = value.strip()
    if value.isdigit():
        return int(value)
    return case_queryset(user).filter(number=value).values_list("pk", flat=True).first()


def _screening_of(user: Any, d: dict[str, Any]):
    """A dispute found in screening joins this month's round of its grid."""
    if d.get("source") != "screening":
        return None
    from linli.mediation.screening import screening_round
    from linli.places.selectors import grid_of_place, place_get

    place = place_get(d["place"])
    grid = grid_of_place(place) if place is not None else None
    return screening_round(grid=grid) if grid is not None else None


def _detail_context(request: HttpRequest, dispute: Any) -> dict[str, Any]:
    from linli.mediation.models import Mediator

    user = request.user
    buttons = available_actions(dispute, user)
    mediators = []
    if any(t.name in ("accept", "assign", "triage") for t in buttons):
        mediators = list(Mediator.objects.filter(active=True, place_path__in=_above(dispute.community.path))
                         .order_by("id")[:200])
    agreement = getattr(dispute, "agreement", None) if dispute.outcome == "settled" else None
    return {
        "field_labels": FIELD_LABELS, "textareas": TEXTAREAS,  # for its inputs (mediation/_transition_fields.html)
        "dispute": dispute, "parties": selectors.party_rows(dispute), "timeline": selectors.dispute_timeline(dispute, user),
        "sessions": list(dispute.sessions.all()), "agreement": agreement, "buttons": buttons,
        "helpers": list(dispute.helpers.all()), "mediators": mediators, "light": selectors.light(dispute),
        "overdue": selectors.is_overdue(dispute), "can_unmask": can_unmask(user, dispute),
        "triage_choices": TRIAGE_CHOICES, "agreement_forms": AgreementForm.choices,
        "today": timezone.localdate(), "can_handle": can_handle(user, dispute),
    }


def _above(path: str) -> list[str]:
    return [*path_prefixes(path), path]


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
    return download(render_pdf(dispute), f"{agreement.serial or dispute.number}.pdf", content_type="application/pdf",
                    inline=True)


def _ledger_filters(request: HttpRequest) -> selectors.DisputeFilters:
    g = request.GET
    return selectors.DisputeFilters(kind=g.get("kind", "")[:16], status=g.get("status", "open")[:16],
                                    grid=_int(g.get("grid")), month=g.get("month", "")[:7], q=g.get("q", "")[:50],
                                    compound=_int(g.get("compound")))


@perm_required(PERM_VIEW)
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    """The ledger as filtered, as .xlsx: at once up to a few thousand rows, else written by the worker."""
    import dataclasses

    from linli.core.export_jobs import export_response
    from linli.mediation.export import KIND

    return export_response(request, KIND, dataclasses.asdict(_ledger_filters(request)))


def _period(request: HttpRequest) -> tuple[Any, Any]:
    import datetime as dt

    today = timezone.localdate()
    since, until = today.replace(month=1, day=1), today
    try:
        if request.GET.get("since"):
            since = dt.date.fromisoformat(request.GET["since"])
        if request.GET.get("until"):
            until = dt.date.fromisoformat(request.GET["until"])
    except ValueError:
        messages.error(request, _("Enter a valid date."))
    if since > until:
        since, until = until, since
    return since, until


@perm_required(PERM_VIEW)
def figures(request: HttpRequest) -> HttpResponse:
    from linli.mediation.figures import GROUPS, TARGET, figures_xlsx, mediation_figures

    since, until = _period(request)
    by = request.GET.get("by", "community")
    kind = request.GET.get("kind", "")[:16]
    fig = mediation_figures(request.user, by=by, since=since, until=until, kind=kind)
    if request.GET.get("format") == "xlsx":
        return download(figures_xlsx(fig), f"{_('Mediation figures')}.xlsx")
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(request, "mediation/figures.html", {
        "fig": fig, "groups": [(k, v[2]) for k, v in GROUPS.items()], "kinds": DisputeKind.choices, "kind": kind,
        "target": TARGET, "xlsx_query": query.urlencode(),
    })


# --- screening ----------------------------------------------------------------------------------------------


@perm_required(PERM_VIEW)
def screening_overview(request: HttpRequest) -> HttpResponse:
    from linli.mediation.screening import month_of
    from linli.mediation.screening import screening_overview as overview

    rows = overview(request.user)
    if len(rows) == 1 and request.GET.get("all") is None:
        return redirect("mediation:screening_grid", grid_id=rows[0].grid.pk)
    return render(request, "mediation/screening_overview.html", {
        "rows": rows, "month": month_of(), "not_done": sum(1 for r in rows if not r.done)})


@perm_required(PERM_VIEW)
def screening_grid(request: HttpRequest, grid_id: int) -> HttpResponse:
    from linli.core.access import scope_of
    from linli.mediation.access import can_screen
    from linli.mediation.screening import month_of, screening_finish, screening_places, screening_record
    from linli.places.kinds import PlaceKind

    grid = places_in_scope(scope_of(request.user), PlaceKind.GRID).filter(pk=grid_id).first()
    if grid is None:
        raise Http404
    month = month_of()
    from linli.mediation.models import ScreeningRound

    if request.method == "POST":
        if not can_screen(request.user, grid):
            raise Http404
        try:
            if request.POST.get("finish"):
                screening_finish(actor=request.user, grid=grid)
                messages.success(request, _("This month's screening of %(grid)s is finished.") % {"grid": grid.name})
            else:
                screening_record(actor=request.user, grid=grid, place=_int(request.POST.get("place")),
                                 found=request.POST.get("found", "0") or "0", note=request.POST.get("note", ""))
                messages.success(request, _("Recorded."))
        except DomainError as exc:
            raise_http(exc)
            messages.error(request, str(exc.message))
        return redirect("mediation:screening_grid", grid_id=grid.pk)
    rnd = ScreeningRound.objects.filter(grid=grid, month=month).first()
    entries = {e.place_id: e for e in rnd.entries.all()} if rnd else {}
    places = [{"place": p, "entry": entries.get(p.pk)} for p in screening_places(grid)]
    return render(request, "mediation/screening_grid.html", {
        "grid": grid, "month": month, "round": rnd, "places": places, "can_screen": can_screen(request.user, grid),
        "all_recorded": all(p["entry"] for p in places),
        "disputes": list(selectors.dispute_queryset(request.user, selectors.DisputeFilters(grid=grid.pk))
                         .filter(source="screening", reported_at__gte=selectors.month_range(month.strftime("%Y-%m"))[0])
                         .order_by("-id")[:50]),
    })


# --- the mediation team -------------------------------------------------------------------------------------


@perm_required(PERM_VIEW)
def team(request: HttpRequest) -> HttpResponse:
    from linli.core.access import scope_of
    from linli.mediation.access import can_manage
    from linli.mediation.actions_team import mediator_create, mediator_set_active, team_create
    from linli.mediation.forms import MediatorForm, TeamForm
    from linli.mediation.models import MediationTeam, Mediator
    from linli.places.kinds import PlaceKind

    user = request.user
    places = list(places_in_scope(scope_of(user), PlaceKind.COMMUNITY, PlaceKind.GRID)
                  .order_by("path").values_list("pk", "name")[:300])
    teams = list(MediationTeam.objects.visible_to(user).filter(active=True).select_related("community"))
    mediator_form = MediatorForm(request.POST if request.POST.get("add") == "mediator" else None, places=places,
                                 teams=[(t.pk, t.name) for t in teams])
    team_form = TeamForm(request.POST if request.POST.get("add") == "team" else None, places=places)
    if request.method == "POST":
        if not can_manage(user):
            raise Http404
        try:
            if request.POST.get("add") == "mediator" and mediator_form.is_valid():
                d = mediator_form.cleaned_data
                mediator_create(actor=user, name=d["name"], kinds=d["kinds"], place=d["place"], team=d.get("team"),
                                organisation=d.get("organisation", ""), user=d.get("account"))
                messages.success(request, _("Mediator added."))
                return redirect("mediation:team")
            if request.POST.get("add") == "team" and team_form.is_valid():
                d = team_form.cleaned_data
                team_create(actor=user, community=d["community"], name=d["name"], description=d["description"])
                messages.success(request, _("Team added."))
                return redirect("mediation:team")
            if request.POST.get("toggle"):
                m = Mediator.objects.visible_to(user).filter(pk=_int(request.POST["toggle"])).first()
                if m is None:
                    raise Http404
                mediator_set_active(actor=user, mediator=m, active=not m.active)
                return redirect("mediation:team")
        except DomainError as exc:
            raise_http(exc)
            form_errors(mediator_form if request.POST.get("add") == "mediator" else team_form, exc)
    mediators = list(Mediator.objects.visible_to(user).select_related("team", "place", "user").order_by("team_id", "id"))
    return render(request, "mediation/team.html", {
        "teams": teams, "mediators": mediators, "can_manage": can_manage(user), "mediator_form": mediator_form,
        "team_form": team_form,
    }, status=422 if (mediator_form.errors or team_form.errors) else 200)


@perm_required(PERM_VIEW)
def red_property(request: HttpRequest) -> HttpResponse:
    from linli.residents.access import can_view_registry

    return render(request, "mediation/red_property.html", {"rows": selectors.red_property(request.user),
                                                           "can_list_orgs": can_view_registry(request.user)})
