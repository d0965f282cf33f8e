"""Pages of the honours chosen by residents (好婆婆, 好媳妇, 最美家庭 …) and of the think tank (智囊团).

Residents (phone-sized): the community's rounds, nominate, vote (the app's vote page), the winners. Staff:
open the year's round, add honours, the round's transitions; the think tank: add experts, invite them to a
topic, record their opinions. Anyone: the public page of a published round (masked names only).

Every write goes through ``linli.deliberation.actions``; objects come through ``access_*`` (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import DomainError
from linli.core.masking import mask_name
from linli.core.ui import error_message, page_rows
from linli.deliberation import actions, selectors
from linli.deliberation.access import (
    access_honour_round,
    access_topic,
    can_manage,
    can_manage_path,
    can_raise,
)
from linli.deliberation.actions._common import voter_of
from linli.deliberation.models import (
    Expert,
    HonourCategory,
    HonourContest,
    HonourNomination,
    HonourNominator,
    HonourRound,
)
from linli.deliberation.workflow import (
    HONOUR_TRANSITIONS,
    ExpertKind,
    HonourStatus,
    NomineeKind,
    honour_actions,
)


def managed_communities(user: Any) -> list[Any]:
    """The communities the user manages (the forms' choice), bounded."""
    if not can_manage(user):
        return []
    from linli.core.access import scope_of
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_of_kind

    paths = scope_of(user).place_paths
    return [p for p in places_of_kind(PlaceKind.COMMUNITY).order_by("path")[:300]
            if any(p.path.startswith(s) for s in paths)]


# --- honours ----------------------------------------------------------------------------------------------------


@login_required
def honour_list(request: HttpRequest) -> HttpResponse:
    page = page_rows(request, HonourRound.objects.visible_to(request.user).select_related("community"),
                     size=selectors.PAGE_SIZE)
    return render(request, "deliberation/honour_list.html", {
        **page, "rounds": page["rows"], "communities": managed_communities(request.user),
        "year": timezone.localdate().year, "tab": "honours",
    })


@require_POST
@login_required
def honour_new(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise Http404
    try:
        rnd = actions.honour_round_create(actor=request.user, community=request.POST.get("community", ""),
                                          year=request.POST.get("year", ""), title=request.POST.get("title", ""))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
        return redirect("deliberation:honours")
    return redirect("deliberation:honour_detail", rnd.pk)


def _categories(rnd: HonourRound, *, winners_only: bool = False) -> list[dict[str, Any]]:
    """Each honour of the round with its nominees (masked) and its vote, bounded."""
    nominations = HonourNomination.objects.filter(round=rnd).order_by("-won", "-votes", "id")
    if winners_only:
        nominations = nominations.filter(won=True)
    by_cat: dict[int, list[HonourNomination]] = {}
    for n in nominations[:600]:
        by_cat.setdefault(n.category_id, []).append(n)
    contests = {c.category_id: c.vote for c in HonourContest.objects.filter(round=rnd).select_related("vote")}
    # a retired honour is still shown where this round has its nominees or its vote (past winners keep it)
    shown = Q(active=True) | Q(pk__in=[*by_cat, *contests])
    return [
        {"category": c, "nominations": by_cat.get(c.pk, []), "vote": contests.get(c.pk)}
        for c in HonourCategory.objects.filter(shown, community_id=rnd.community_id).order_by("id")[:30]
        if not winners_only or by_cat.get(c.pk)
    ]


def _round_events(rnd: HonourRound) -> list[Any]:
    """The round's timeline (staff), each event labelled in the reader's language."""
    rows = list(rnd.events.select_related("actor").order_by("at", "id")[:200])
    statuses = dict(HonourStatus.choices)
    other = {"create": _("Round opened"), "nominate": _("Nomination")}
    for e in rows:
        e.label = str(HONOUR_TRANSITIONS[e.kind].label) if e.kind in HONOUR_TRANSITIONS else str(other.get(e.kind, e.kind))  # type: ignore[attr-defined]
        e.to_label = str(statuses.get(e.to_status, e.to_status))  # type: ignore[attr-defined]
    return rows


@login_required
def honour_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access_honour_round(request.user, pk)
    manage = can_manage_path(request.user, rnd.community_path)
    show_counts = manage or rnd.status == HonourStatus.PUBLISHED
    mine: set[int] = set()
    if can_raise(request.user) and rnd.status == HonourStatus.NOMINATING:
        try:
            _person, key = voter_of(request.user)
            mine = set(HonourNominator.objects.filter(round=rnd, voter_key=key).values_list("category_id", flat=True))
        except DomainError:
            mine = set()
    return render(request, "deliberation/honour_detail.html", {
        "round": rnd,
        "categories": _categories(rnd),
        "manage": manage,
        "show_counts": show_counts,
        "can_nominate": can_raise(request.user) and rnd.status == HonourStatus.NOMINATING,
        "nominated": mine,
        "transitions": honour_actions(rnd, request.user),
        "events": _round_events(rnd) if manage else [],
        "nominee_kinds": NomineeKind.choices,
        "tab": "honours",
    })


@require_POST
@login_required
def honour_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access_honour_round(request.user, pk)
    post = request.POST
    try:
        actions.honour_nominate(actor=request.user, round=rnd, category=post.get("category", ""),
                                name=post.get("name", ""), house=post.get("house", ""), reason=post.get("reason", ""))
        messages.success(request, _("Thank you: your nomination is in."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:honour_detail", rnd.pk)


@require_POST
@login_required
def honour_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    rnd = access_honour_round(request.user, pk)
    if name not in HONOUR_TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "") for k in ("closes_at", "reason")}
    try:
        actions.honour_transition(round=rnd, name=name, actor=request.user, data=data)
        messages.success(request, _("Done."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:honour_detail", rnd.pk)


@require_POST
@login_required
def honour_category_new(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access_honour_round(request.user, pk)
    post = request.POST
    try:
        actions.honour_category_add(actor=request.user, community=rnd.community_id, name=post.get("name", ""),
                                    nominee_kind=post.get("nominee_kind", ""), description=post.get("description", ""),
                                    seats=post.get("seats", "1"))
        messages.success(request, _("The honour is added."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:honour_detail", rnd.pk)


@login_required
def honour_categories(request: HttpRequest) -> HttpResponse:
    """Staff: the honours of the communities they manage, to correct or retire (bounded)."""
    communities = managed_communities(request.user)
    if not communities:
        raise Http404
    categories = list(HonourCategory.objects.filter(community__in=communities).select_related("community")
                      .order_by("community__path", "-active", "id")[:300])
    return render(request, "deliberation/honour_categories.html", {
        "categories": categories, "nominee_kinds": NomineeKind.choices, "tab": "honours",
    })


@require_POST
@login_required
def honour_category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(HonourCategory.objects.visible_to(request.user), pk=pk)
    post = request.POST
    try:
        if "active" in post:
            actions.honour_category_retire(actor=request.user, category=category, active=post["active"] == "1")
            messages.success(request, _("The honour is retired.") if post["active"] != "1" else _("The honour is awarded again."))
        else:
            actions.honour_category_update(actor=request.user, category=category, name=post.get("name", ""),
                                           description=post.get("description", ""), seats=post.get("seats", "1"))
            messages.success(request, _("The honour is saved."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:honour_categories")


def honour_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page (no login): a published round's winners, names masked, with the votes they got."""
    rnd = get_object_or_404(HonourRound.objects.select_related("community"), pk=pk, public=True)
    return render(request, "deliberation/honour_public.html", {"round": rnd, "categories": _categories(rnd, winners_only=True)})


# --- the think tank ------------------------------------------------------------------------------------------------


def expert_rows(experts: list[Expert]) -> list[Expert]:
    for e in experts:
        e.shown = mask_name(e.name)  # type: ignore[attr-defined]
    return experts


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    qs = Expert.objects.visible_to(request.user).select_related("community")
    kind = request.GET.get("kind", "")
    if kind in ExpertKind.values:
        qs = qs.filter(kind=kind)
    page = page_rows(request, qs, size=selectors.PAGE_SIZE)
    return render(request, "deliberation/expert_list.html", {
        **page, "experts": expert_rows(page["rows"]), "kinds": ExpertKind.choices, "kind": kind,
        "communities": managed_communities(request.user), "tab": "experts",
    })


@require_POST
@login_required
def expert_new(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise Http404
    post = request.POST
    try:
        actions.expert_add(actor=request.user, community=post.get("community", ""), name=post.get("name", ""),
                           kind=post.get("kind", ""), specialties=post.get("specialties", ""),
                           title=post.get("title", ""), phone=post.get("phone", ""))
        messages.success(request, _("The expert joins the think tank."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:experts")


@login_required
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff correct an expert or retire them (a retired expert is no longer offered for invitations)."""
    expert = get_object_or_404(Expert.objects.visible_to(request.user).select_related("community"), pk=pk)
    if not can_manage_path(request.user, expert.community_path):
        raise Http404
    if request.method == "POST":
        post = request.POST
        active = post.get("active", "1" if expert.active else "0") == "1"
        # the name is shown masked: a blank name keeps it
        fields = {k: post.get(k, getattr(expert, k)) for k in ("kind", "specialties", "title")}
        fields["name"] = post.get("name", "").strip() or expert.name
        try:
            actions.expert_update(actor=request.user, expert=expert, phone=post.get("phone", ""), active=active,
                                  **fields)
            messages.success(request, _("The expert is saved.") if active else _("The expert has left the think tank."))
            return redirect("deliberation:experts")
        except DomainError as exc:
            error_message(request, exc, with_fields=True)
    return render(request, "deliberation/expert_edit.html", {
        "expert": expert_rows([expert])[0], "kinds": ExpertKind.choices, "tab": "experts",
    })


@require_POST
@login_required
def topic_expert_invite(request: HttpRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    try:
        actions.expert_invite(actor=request.user, topic=topic, expert=request.POST.get("expert", ""))
        messages.success(request, _("The expert is invited and told."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:topic_detail", topic.pk)


@require_POST
@login_required
def topic_expert_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    try:
        actions.expert_opinion_record(actor=request.user, topic=topic, expert=request.POST.get("expert", ""),
                                      text=request.POST.get("text", ""))
        messages.success(request, _("The opinion is recorded."))
    except DomainError as exc:
        error_message(request, exc, with_fields=True)
    return redirect("deliberation:topic_detail", topic.pk)
