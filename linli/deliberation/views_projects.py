"""Pages of the community projects (社区项目) and their money.

Residents (phone-sized): the community's projects, propose one, follow one (milestones with photos, the
money raised and spent), rate a completed one. Staff: the transitions, money in and out, milestones.
Anyone: the public page of a project taken up by the community (no personal data: no names, no actors).

Every write goes through ``linli.deliberation.actions``; objects come through ``access_*`` (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.ui import error_message, form_errors, page_rows, raise_http
from linli.deliberation import actions, selectors
from linli.deliberation.access import access_decision, access_project, can_manage, can_manage_path, can_raise
from linli.deliberation.actions._common import voter_of
from linli.deliberation.forms import ProjectForm
from linli.deliberation.models import Project, Topic, Vote
from linli.deliberation.selectors import project_entries, project_events, project_milestones
from linli.deliberation.workflow import (
    MILESTONE_STATUSES,
    MONEY_IN,
    MONEY_IN_STATUSES,
    MONEY_OUT_STATUSES,
    PROJECT_TRANSITIONS,
    EntryKind,
    ProjectKind,
    ProjectStatus,
    Satisfaction,
    project_actions,
)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = Project.objects.visible_to(request.user).select_related("community", "ledger")
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    page = page_rows(request, qs, size=selectors.PAGE_SIZE)
    return render(request, "deliberation/project_list.html", {
        **page, "projects": page["rows"], "status": status, "statuses": ProjectStatus.choices,
        "can_raise": can_raise(request.user), "tab": "projects",
    })


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    if not can_raise(request.user):
        raise Http404
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.project_propose(actor=request.user, **form.cleaned_data, place=_own_place(request.user))
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Your proposal is sent to the community."))
            return redirect("deliberation:project_detail", project.pk)
    return render(request, "deliberation/project_form.html", {"form": form})


def _own_place(user):
    from linli.core.access import scope_of
    from linli.places.selectors import place_at_path

    paths = scope_of(user).place_paths
    return place_at_path(paths[0]) if paths else None


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk)
    manage = can_manage_path(request.user, project.community_path)
    rated, key = None, None
    try:
        _person, key = voter_of(request.user)
        rated = project.ratings.filter(voter_key=key).first()
    except DomainError:
        key = None
    return render(request, "deliberation/project_detail.html", {
        "project": project,
        "manage": manage,
        "transitions": project_actions(project, request.user),
        "events": project_events(project),
        "milestones": project_milestones(project),
        **page_rows(request, project_entries(project)),
        "totals": actions.ledger_totals(project.ledger),
        "raised": project.raised_fen(),
        "money_in": manage and project.status in MONEY_IN_STATUSES,
        "money_out": manage and project.status in MONEY_OUT_STATUSES,
        "milestone_edit": manage and project.status in MILESTONE_STATUSES,
        "in_kinds": [(k, v) for k, v in EntryKind.choices if k in MONEY_IN],
        "topics": list(Topic.objects.filter(community=project.community).exclude(status__in=["merged", "withdrawn"]).order_by("-id")[:50]) if manage else [],
        "votes": list(Vote.objects.filter(community=project.community).exclude(status="cancelled").order_by("-id")[:50]) if manage else [],
        "rated": rated,
        "can_rate": key is not None and project.status == ProjectStatus.COMPLETED and rated is None,
        "satisfactions": Satisfaction.choices,
    })


@require_POST
@login_required
def project_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    project = access_project(request.user, pk)
    if name not in PROJECT_TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "") for k in ("note", "reason", "topic", "vote")}
    try:
        actions.project_transition(project=project, name=name, actor=request.user, data=data)
        messages.success(request, _("Done."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:project_detail", project.pk)


@require_POST
@login_required
def project_money(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk)
    kind = request.POST.get("kind", "")
    try:
        if kind == EntryKind.PAYMENT:
            actions.project_pay(actor=request.user, project=project, amount=request.POST.get("amount", ""),
                                counterparty=request.POST.get("counterparty", ""), note=request.POST.get("note", ""))
        else:
            actions.project_money_in(actor=request.user, project=project, kind=kind, amount=request.POST.get("amount", ""),
                                     counterparty=request.POST.get("counterparty", ""), note=request.POST.get("note", ""))
        messages.success(request, _("The entry is in the ledger."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:project_detail", project.pk)


@require_POST
@login_required
def project_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk)
    photos = request.FILES.getlist("photos")
    try:
        if request.POST.get("milestone", "").isdigit():
            milestone = get_object_or_404(project.milestones, pk=int(request.POST["milestone"]))
            actions.milestone_reach(actor=request.user, milestone=milestone, done_on=request.POST.get("done_on", ""),
                                    note=request.POST.get("note", ""), photos=photos)
        else:
            actions.milestone_add(actor=request.user, project=project, title=request.POST.get("title", ""),
                                  planned_on=request.POST.get("planned_on", ""), done_on=request.POST.get("done_on", ""),
                                  note=request.POST.get("note", ""), photos=photos)
        messages.success(request, _("The milestone is recorded."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:project_detail", project.pk)


@require_POST
@login_required
def project_rate(request: HttpRequest, pk: int) -> HttpResponse:
    project = access_project(request.user, pk)
    try:
        actions.project_rate(actor=request.user, project=project, satisfaction=request.POST.get("satisfaction", ""),
                             comment=request.POST.get("comment", ""))
        messages.success(request, _("Thank you for your evaluation."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:project_detail", project.pk)


@require_POST
@login_required
def decision_project(request: HttpRequest, pk: int) -> HttpResponse:
    decision = access_decision(request.user, pk)
    if not can_manage(request.user):
        raise Http404
    try:
        project = actions.project_from_decision(
            actor=request.user, decision=decision, title=request.POST.get("title", ""),
            kind=request.POST.get("kind", ""), budget=request.POST.get("budget", ""),
        )
    except DomainError as exc:
        error_message(request, exc)
        return redirect("deliberation:decision_detail", decision.pk)
    messages.success(request, _("The project is open: record the money as it comes in."))
    return redirect("deliberation:project_detail", project.pk)


def project_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page (no login): the project from the first proposal to the finished work, its money by
    kind and its milestones with photos. No names: neither who gave nor who acted."""
    project = get_object_or_404(Project.objects.select_related("community", "ledger"), pk=pk, public=True)
    return render(request, "deliberation/project_public.html", {
        "project": project,
        "events": project_events(project, public=True),
        "milestones": project_milestones(project),
        "totals": actions.ledger_totals(project.ledger),
        "raised": project.raised_fen(),
        "kinds": ProjectKind,
    })


@login_required
def timeline(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One page: case → topic → meeting → vote → decision → project → milestones → result."""
    from linli.deliberation.access import access_topic
    from linli.deliberation.selectors import deliberation_timeline

    if kind == "topic":
        anchor = access_topic(request.user, pk)
        stages = deliberation_timeline(request.user, topic=anchor)
    elif kind == "project":
        anchor = access_project(request.user, pk)
        stages = deliberation_timeline(request.user, project=anchor)
    elif kind == "decision":
        anchor = access_decision(request.user, pk)
        stages = deliberation_timeline(request.user, decision=anchor)
    else:
        raise Http404
    return render(request, "deliberation/timeline.html", {"anchor": anchor, "stages": stages, "kind": kind})
