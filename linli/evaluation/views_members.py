"""Pages of the party members' service (双报到, 五亮五共): the community's half-year evaluations, the
commitments and what was done against them, and the residents' year-end rating."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import Scope
from linli.core.errors import DomainError
from linli.core.masking import mask_name
from linli.core.ui import page_rows, perm_required, raise_http
from linli.evaluation import actions_members as actions
from linli.evaluation import selectors_members as selectors
from linli.evaluation.access import access_commitment, access_member_evaluation
from linli.evaluation.workflow import (
    MEMBER_TRANSITIONS,
    PERM_MANAGE,
    PERM_VIEW,
    MemberGrade,
    available_commitment_actions,
    available_member_actions,
)
from linli.places.selectors import communities_of, places_in_scope


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        n = int(value or default)
    except ValueError:
        return default
    return n if lo <= n <= hi else default


@perm_required(PERM_MANAGE)
def members(request: HttpRequest) -> HttpResponse:
    """The half year's evaluations of the registered members (双报到) of the staff's communities; drafts
    prepared from the service record, then commented, graded and confirmed for the employer report."""
    this_year, this_half = selectors.current_half()
    year = _int(request.GET.get("year") or request.POST.get("year"), this_year, 2000, 2100)
    half = _int(request.GET.get("half") or request.POST.get("half"), this_half, 1, 2)
    user = request.user
    communities = [c for c in communities_of(user) if user.scope.covers_path(c.path)]  # type: ignore[union-attr]
    if request.method == "POST" and request.POST.get("prepare"):
        community = next((c for c in communities if str(c.pk) == request.POST.get("community")), None)
        if community is None:
            raise Http404
        try:
            n = actions.member_evaluations_prepare(community=community, year=year, half=half, actor=request.user)
        except DomainError as exc:
            raise_http(exc)
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(n)s evaluations prepared from the service record.") % {"n": n})
        return redirect(f"{request.path}?year={year}&half={half}")
    page = page_rows(request, selectors.member_evaluation_list(request.user, year=year, half=half), ascending=True)
    return render(request, "evaluation/members.html", {
        **page,
        "rows": [(ev, available_member_actions(ev, request.user), mask_name(ev.member.person.name))
                 for ev in page["rows"]],
        "year": year, "half": half,
        "communities": communities, "grades": MemberGrade.choices,
    })


@require_POST
@perm_required(PERM_MANAGE)
def member_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    ev = access_member_evaluation(request.user, pk)
    if name not in MEMBER_TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "")[:1000] for k in ("grade", "comment", "reason", "version")}
    try:
        actions.member_evaluation_transition(evaluation=ev, name=name, actor=request.user, data=data)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": MEMBER_TRANSITIONS[name].label})
    return redirect(f"/evaluation/members/?year={ev.year}&half={ev.half}#ev-{ev.pk}")


def _buildings_for(user) -> list:
    """Buildings a commitment may be shown on: under the user's scope (staff) or the member's grid."""
    from linli.party.selectors import member_for_user
    from linli.places.kinds import PlaceKind

    paths = list(getattr(user.scope, "place_paths", ()) or ())
    member = member_for_user(user)
    if member is not None and member.grid is not None:
        paths.append(member.grid.path)
    if not paths:
        return []
    return list(places_in_scope(Scope(place_paths=tuple(paths)), PlaceKind.BUILDING).order_by("path")[:300])


@perm_required(PERM_VIEW, PERM_MANAGE)
def commitments(request: HttpRequest) -> HttpResponse:
    """亮承诺 and 亮行动: the year's commitments the user may see (a member their own, staff their area's),
    a form to make one and, under each, what was done."""
    from linli.party.selectors import member_for_user, registered_members

    year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
    own = member_for_user(request.user)
    user = request.user
    staff = PERM_MANAGE in user.perms  # type: ignore[union-attr]
    members_choice: list = []
    if staff:
        members_choice = [m for m in registered_members(active_only=True, limit=500)
                          if user.scope.covers_path(m.place_path)]  # type: ignore[union-attr]
        for m in members_choice:
            m.label = " · ".join(x for x in (mask_name(m.person.name), m.employer.name if m.employer else "") if x)
    buildings = _buildings_for(request.user)
    errors: dict = {}
    if request.method == "POST":
        try:
            if request.POST.get("action"):  # a commitment's button (core's transition_forms, post_to this page)
                c = access_commitment(request.user, request.POST.get("object"))
                actions.commitment_transition(commitment=c, name=request.POST["action"][:16], actor=request.user,
                                              data={"reason": request.POST.get("reason", "")[:500],
                                                    "version": request.POST.get("version", "")})
                messages.success(request, _("Done."))
            elif request.POST.get("log"):
                c = access_commitment(request.user, request.POST.get("log"))
                try:
                    done_on = dt.date.fromisoformat(request.POST.get("done_on", ""))
                except ValueError:
                    done_on = None
                actions.commitment_log(commitment=c, done_on=done_on, text=request.POST.get("text", "")[:300],
                                       actor=request.user)
                messages.success(request, _("Recorded what was done."))
            else:
                member = own
                if staff and request.POST.get("member"):
                    member = next((m for m in members_choice if str(m.pk) == request.POST.get("member")), None)
                building = next((b for b in buildings if str(b.pk) == request.POST.get("building")), None)
                c = actions.commitment_add(member=member, building=building, text=request.POST.get("text", "")[:200],
                                           year=year, actor=request.user)
                messages.success(request, _("The commitment is shown on the building.") if c.status == "approved"
                                 else _("The commitment waits for the community's approval before it is shown."))
        except DomainError as exc:
            raise_http(exc)
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"general": [str(exc.message)]}
        else:
            return redirect(f"{request.path}?year={year}")
    page = page_rows(request, selectors.commitment_list(request.user, year=year), ascending=True)
    rows = page["rows"]
    for c in rows:
        c.member_label = mask_name(c.member.person.name)  # type: ignore[attr-defined]
        c.buttons = available_commitment_actions(c, request.user)  # type: ignore[attr-defined]
    ids = [c.pk for c in rows]
    logs = selectors.commitment_logs(ids)
    ratings = selectors.commitment_ratings(ids)
    return render(request, "evaluation/commitments.html", {
        **page,
        "rows": [(c, logs.get(c.pk, []), ratings.get(c.pk, {})) for c in rows], "year": year, "own": own,
        "staff": staff, "members_choice": members_choice, "buildings": buildings, "errors": errors,
        "today": timezone.localdate().isoformat(),
    }, status=422 if errors else 200)


@login_required
def commitments_rate(request: HttpRequest, building_id: int, year: int) -> HttpResponse:
    """效果共评: a household of the building rates the members' commitments of the year, once."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get

    building = place_get(building_id, kinds=[PlaceKind.BUILDING])
    if building is None or not 2000 <= year <= 2100:
        raise Http404
    rows = [c for c in selectors.building_commitments(building, year=year)]
    error = ""
    if request.method == "POST":
        ratings = {int(k[2:]): str(v) for k, v in request.POST.items() if k.startswith("c-") and k[2:].isdigit()}
        try:
            actions.commitments_rate(building=building, year=year, ratings=ratings, actor=request.user)
        except DomainError as exc:
            raise_http(exc)
            error = str(exc.message)
        else:
            messages.success(request, _("Thank you: your household's rating is recorded."))
            return redirect("evaluation:commitments_rate", building.pk, year)
    return render(request, "evaluation/commitments_rate.html", {
        "building": building, "year": year, "error": error, "open": actions.rating_open(year),
        "rows": [(c, mask_name(c.member.person.name)) for c in rows],
    }, status=422 if error else 200)
