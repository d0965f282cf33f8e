"""Pages of evaluation.

Staff and branch secretaries: the rounds (filter by community and month), open a round, a round's page
(which buildings have scored, the ranking, the buttons of the table), enter a paper sheet, the monthly
notice (通报表扬) to print. Building heads (on the phone): the open rounds of their compound and the
score sheet. Every write goes through ``linli.evaluation.actions``; rounds come through ``access_round``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.selectors import users_by_ids
from linli.core.errors import DomainError
from linli.core.ui import perm_required, raise_http
from linli.evaluation import actions, selectors
from linli.evaluation.access import access_round, can_open_rounds, can_score_for
from linli.evaluation.workflow import (
    PERM_MANAGE,
    PERM_SCORE,
    PERM_VIEW,
    TIE_RULE_LABEL,
    TRANSITIONS,
    Organiser,
    RoundStatus,
    available_actions,
    is_organiser,
)
from linli.places.selectors import communities_of, places_in_scope, places_of_kind


def _month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value[:7], "%Y-%m").date()
    except ValueError:
        return None


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@perm_required(PERM_VIEW, PERM_SCORE, PERM_MANAGE)
def round_list(request: HttpRequest) -> HttpResponse:
    """The rounds the user may see; building heads go to their score sheets."""
    perms = request.user.perms
    if PERM_VIEW not in perms and PERM_MANAGE not in perms:
        return redirect("evaluation:mine")
    month = _month(request.GET.get("month"))
    communities = communities_of(request.user)
    try:
        community_id = int(request.GET.get("community") or 0)
    except ValueError:
        community_id = 0
    status = request.GET.get("status", "")
    if status not in RoundStatus.values:
        status = ""
    rounds = selectors.round_list(request.user, community_id=community_id or None, month=month, status=status)
    return render(request, "evaluation/round_list.html", {
        "rounds": rounds,
        "communities": communities,
        "community_id": community_id,
        "month": month,
        "status": status,
        "statuses": RoundStatus.choices,
        "can_open": PERM_MANAGE in perms or _is_secretary(request.user),
        "perms_manage": PERM_MANAGE in perms,
        "today": timezone.localdate(),
    })


def _is_secretary(user) -> bool:
    from linli.party.selectors import leads_org_over

    scope = getattr(user, "scope", None)
    return bool(scope and any(leads_org_over(user, p) for p in scope.place_paths[:5]))


def _compounds(user) -> list:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import natural_key

    scope = getattr(user, "scope", None)
    if scope is None:
        return []
    rows = places_in_scope(scope, PlaceKind.COMPOUND).only("id", "name", "path")[:500]
    return sorted([c for c in rows if can_open_rounds(user, c)], key=lambda c: natural_key(c.name))


@login_required
def round_open(request: HttpRequest) -> HttpResponse:
    compounds = _compounds(request.user)
    if not compounds:
        raise Http404
    today = timezone.localdate()
    values = {"month": f"{today:%Y-%m}", "closes_on": today.replace(day=25).isoformat(), "organiser": Organiser.BRANCH,
              "compound": ""}
    errors: dict = {}
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in values})
        by_id = {str(c.pk): c for c in compounds}
        compound = by_id.get(values["compound"])
        month = _month(values["month"])
        try:
            closes_on = dt.date.fromisoformat(values["closes_on"]) if values["closes_on"] else None
        except ValueError:
            closes_on = None
            errors["closes_on"] = [_("Enter a date.")]
        if month is None:
            errors["month"] = [_("Enter a month.")]
        if compound is None:
            errors["compound"] = [_("Choose a compound.")]
        if not errors:
            try:
                rnd = actions.round_open(compound=compound, month=month, organiser=values["organiser"],
                                         closes_on=closes_on, actor=request.user)
            except DomainError as exc:
                raise_http(exc)
                errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"general": [str(exc.message)]}
            else:
                messages.success(request, _("The round is open: the building heads can score now."))
                return redirect("evaluation:round_detail", pk=rnd.pk)
    return render(request, "evaluation/round_open.html", {
        "compounds": compounds, "values": values, "errors": errors, "organisers": Organiser.choices,
    }, status=422 if errors else 200)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access_round(request.user, pk)
    organiser = is_organiser(rnd, request.user)
    published = rnd.status == RoundStatus.PUBLISHED
    ranking = list(rnd.results.select_related("building").order_by("rank")) if published else (
        selectors.round_ranking(rnd) if organiser else []
    )
    return render(request, "evaluation/round_detail.html", {
        "round": rnd,
        "progress": selectors.sheet_progress(rnd),
        "ranking": ranking,
        "published": published,
        "organiser": organiser,
        "transitions": available_actions(rnd, request.user),
        "events": rnd.events.order_by("at", "id")[:200],
        "tie_rule": TIE_RULE_LABEL,
    })


@login_required
@require_POST
def round_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    rnd = access_round(request.user, pk)
    if name not in TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "")[:500] for k in ("reason", "note")}
    try:
        actions.round_transition(round=rnd, name=name, actor=request.user, data=data)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": TRANSITIONS[name].label})
    return redirect("evaluation:round_detail", pk=rnd.pk)


@perm_required(PERM_VIEW, PERM_SCORE, PERM_MANAGE)
def mine(request: HttpRequest) -> HttpResponse:
    """The building head's open rounds."""
    return render(request, "evaluation/mine.html", {"rows": selectors.open_rounds_for_building_head(request.user)})


@login_required
def sheet(request: HttpRequest, pk: int, building_id: int) -> HttpResponse:
    """The score sheet of one building in a round: its head on the phone, or an organiser from paper."""

    rnd = access_round(request.user, pk)
    building = places_of_kind("building", under=rnd.compound.path).filter(pk=building_id).first()
    if building is None or not (can_score_for(request.user, building) or is_organiser(rnd, request.user)):
        raise Http404
    targets = [b for b in selectors.compound_buildings(rnd.compound) if b.pk != building.pk]
    errors: dict = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        scores: dict[str, dict[str, str]] = {}
        for t in targets:
            scores[str(t.pk)] = {}
            for c in rnd.criteria:
                key = f"s-{t.pk}-{c['code']}"
                values[key] = request.POST.get(key, "")[:8]
                scores[str(t.pk)][c["code"]] = values[key]
        try:
            actions.sheet_submit(round=rnd, building=building, scores=scores, actor=request.user)
        except DomainError as exc:
            raise_http(exc)
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: %(building)s's scores are in.") % {"building": building.name})
            return redirect("evaluation:mine" if can_score_for(request.user, building) else "evaluation:round_detail",
                            **({} if can_score_for(request.user, building) else {"pk": rnd.pk}))
    rows = [
        {"building": t, "cells": [
            {"code": c["code"], "name": c["name"], "max": c["max_score"], "key": f"s-{t.pk}-{c['code']}",
             "value": values.get(f"s-{t.pk}-{c['code']}", ""), "errors": errors.get(f"scores.{t.pk}.{c['code']}", [])}
            for c in rnd.criteria
        ]}
        for t in targets
    ]
    done = rnd.sheets.filter(building=building).exists()
    return render(request, "evaluation/sheet.html", {
        "round": rnd, "building": building, "rows": rows, "done": done,
        "general_errors": errors.get("scores", []),
    }, status=422 if errors else 200)


@perm_required(PERM_VIEW, PERM_MANAGE)
def notice(request: HttpRequest) -> HttpResponse:
    """The monthly commendation (通报表扬) of a community, ready to print."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get

    communities = communities_of(request.user)
    try:
        community_id = int(request.GET.get("community") or (communities[0].pk if communities else 0))
    except ValueError:
        community_id = 0
    community = next((c for c in communities if c.pk == community_id), None)
    if community is None:
        community = place_get(community_id, kinds=[PlaceKind.COMMUNITY])
        if community is None or not request.user.scope.covers_path(community.path):
            raise Http404
    today = timezone.localdate()
    month = _month(request.GET.get("month")) or (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    data = selectors.monthly_notice(request.user, community=community, month=month)
    return render(request, "evaluation/notice.html", {**data, "communities": communities})


# --- inspection campaigns -------------------------------------------------------------------------------------


def _can_campaign(user) -> bool:
    from linli.evaluation.workflow import PERM_CAMPAIGN

    return PERM_CAMPAIGN in getattr(user, "perms", ())


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(request.user)
    mine = selectors.my_targets(request.user)
    if not campaigns and not mine and not (_can_campaign(request.user) or PERM_VIEW in request.user.perms):
        raise Http404
    return render(request, "evaluation/campaign_list.html", {
        "campaigns": campaigns, "mine": mine, "can_create": _can_campaign(request.user),
    })


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    from linli.accounts.selectors import users_with_role_over
    from linli.evaluation.models import ChecklistTemplate
    from linli.evaluation.workflow import CampaignKind
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_of_kind

    if not _can_campaign(request.user):
        raise Http404
    scope = request.user.scope
    areas = [p for p in places_of_kind(PlaceKind.STREET, PlaceKind.COMMUNITY).order_by("path")[:200]
             if scope.covers_path(p.path)]
    templates = list(ChecklistTemplate.objects.filter(active=True))
    today = timezone.localdate()
    values = {"name": "", "kind": CampaignKind.CIVILISED_CITY, "template": "", "place": "",
              "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=30)).isoformat()}
    errors: dict = {}
    if request.method == "POST":
        values.update({k: request.POST.get(k, "")[:100] for k in values})
        place = next((a for a in areas if str(a.pk) == values["place"]), None)
        template = next((t for t in templates if str(t.pk) == values["template"]), None)
        try:
            starts_on = dt.date.fromisoformat(values["starts_on"])
            ends_on = dt.date.fromisoformat(values["ends_on"])
        except ValueError:
            starts_on = ends_on = None  # type: ignore[assignment]
        targets = []
        if place is not None:
            compounds = places_of_kind(PlaceKind.COMPOUND, under=place.path).order_by("path")[:2000]
            for c in compounds:
                workers = users_with_role_over(c.path, "grid_worker", limit=1)
                targets.append((c, workers[0] if workers else None))
        try:
            campaign = actions.campaign_create(
                name=values["name"], kind=values["kind"], template=template, place=place, starts_on=starts_on,
                ends_on=ends_on, targets=targets, actor=request.user,
            )
        except DomainError as exc:
            raise_http(exc)
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"general": [str(exc.message)]}
        else:
            messages.success(request, _("The campaign is drafted with every compound of the area; start it when ready."))
            return redirect("evaluation:campaign_detail", pk=campaign.pk)
    return render(request, "evaluation/campaign_new.html", {
        "areas": areas, "templates": templates, "kinds": CampaignKind.choices, "values": values, "errors": errors,
    }, status=422 if errors else 200)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.evaluation.access import access_campaign
    from linli.evaluation.workflow import available_campaign_actions

    campaign = access_campaign(request.user, pk)
    return render(request, "evaluation/campaign_detail.html", {
        "campaign": campaign, "progress": selectors.campaign_progress(campaign),
        "transitions": available_campaign_actions(campaign, request.user),
    })


@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.core.audit import audit_record
    from linli.core.excel import download
    from linli.evaluation.access import access_campaign

    campaign = access_campaign(request.user, pk)
    body = selectors.campaign_xlsx(campaign)
    audit_record(action="evaluation.campaign_export", actor=request.user, target=campaign, detail={})
    return download(body, f"campaign-{campaign.pk}.xlsx")


@login_required
@require_POST
def campaign_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    from linli.evaluation.access import access_campaign
    from linli.evaluation.workflow import CAMPAIGN_TRANSITIONS

    campaign = access_campaign(request.user, pk)
    if name not in CAMPAIGN_TRANSITIONS:
        raise Http404
    try:
        actions.campaign_transition(campaign=campaign, name=name, actor=request.user,
                                    data={"reason": request.POST.get("reason", "")[:500]})
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": CAMPAIGN_TRANSITIONS[name].label})
    return redirect("evaluation:campaign_detail", pk=campaign.pk)


@login_required
def inspect(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """The inspector's form on the phone: every item passed or failed, a photo for each failed one."""
    import secrets

    from linli.evaluation.access import access_campaign
    from linli.evaluation.workflow import is_campaign_organiser

    campaign = access_campaign(request.user, pk)
    target = campaign.targets.select_related("place").filter(pk=target_id).first()
    if target is None or (target.inspector_id != request.user.pk and not is_campaign_organiser(campaign, request.user)):
        raise Http404
    items = list(campaign.template.items.all())
    errors: list[str] = []
    chosen: dict[str, str] = {}
    if request.method == "POST":
        chosen = {i.code: request.POST.get(f"item-{i.code}", "") for i in items}
        photos = {i.code: request.FILES.get(f"photo-{i.code}") for i in items if request.FILES.get(f"photo-{i.code}")}
        try:
            inspection = actions.inspection_submit(
                campaign=campaign, target=target, results=chosen, key=request.POST.get("key", ""),
                actor=request.user, note=request.POST.get("note", "")[:500], photos=photos,
            )
        except DomainError as exc:
            raise_http(exc)
            errors = [str(exc.message)]
        else:
            messages.success(request, _("Inspection recorded: %(n)s problem(s) filed as cases.") % {"n": inspection.failed})
            return redirect("evaluation:campaigns")
    return render(request, "evaluation/inspect.html", {
        "campaign": campaign, "target": target, "items": items, "errors": errors, "chosen": chosen,
        "key": request.POST.get("key") or secrets.token_urlsafe(16),
    }, status=422 if errors else 200)


@perm_required(PERM_MANAGE)
def rankings(request: HttpRequest) -> HttpResponse:
    """The street's (or a community's) ranking of communities or grids, with the breakdown of every score."""
    today = timezone.localdate()
    level = request.GET.get("level", "community")
    if level not in ("community", "grid"):
        level = "community"
    since = _month(request.GET.get("since")) or today.replace(month=1, day=1)
    until_month = _month(request.GET.get("until")) or today.replace(day=1)
    until = (until_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    if since > until:
        since, until = until.replace(day=1), (since + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    data = selectors.area_ranking(request.user, level=level, since=since, until=until)
    return render(request, "evaluation/rankings.html", {**data, "until_month": until.replace(day=1)})


# --- satisfaction surveys -------------------------------------------------------------------------------------


@perm_required(PERM_MANAGE)
def surveys(request: HttpRequest) -> HttpResponse:
    from linli.evaluation.models import Questionnaire

    communities = [c for c in communities_of(request.user) if request.user.scope.covers_path(c.path)]
    values = {"community": "", "questionnaire": "", "month": f"{timezone.localdate():%Y-%m}", "sample_size": "50"}
    errors: dict = {}
    questionnaires = list(Questionnaire.objects.filter(active=True))
    if request.method == "POST":
        values.update({k: request.POST.get(k, "")[:20] for k in values})
        community = next((c for c in communities if str(c.pk) == values["community"]), None)
        questionnaire = next((q for q in questionnaires if str(q.pk) == values["questionnaire"]), None)
        month = _month(values["month"])
        try:
            if month is None:
                errors["month"] = [_("Enter a month.")]
            else:
                survey = actions.survey_open(questionnaire=questionnaire, community=community, month=month,
                                             sample_size=values["sample_size"], actor=request.user)
                messages.success(request, _("The survey is open: send the links or print the slips."))
                return redirect("evaluation:survey_detail", pk=survey.pk)
        except DomainError as exc:
            raise_http(exc)
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"general": [str(exc.message)]}
    return render(request, "evaluation/surveys.html", {
        "surveys": selectors.survey_list(request.user), "communities": communities, "questionnaires": questionnaires,
        "values": values, "errors": errors,
    }, status=422 if errors else 200)


@perm_required(PERM_MANAGE)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.core.workflow import available
    from linli.evaluation.access import access_survey
    from linli.evaluation.workflow import SURVEY_TRANSITIONS

    survey = access_survey(request.user, pk)
    answered = set(survey.answers.values_list("household_id", flat=True))
    invites = [{"invite": i, "answered": i.household_id in answered,
                "url": request.build_absolute_uri(f"/evaluation/s/{i.token}")} for i in survey.invites.order_by("label")[:500]]
    return render(request, "evaluation/survey_detail.html", {
        "survey": survey, "results": selectors.survey_results(survey), "invites": invites,
        "transitions": available(SURVEY_TRANSITIONS, survey, request.user),
        "can_send": survey.status == "open" and is_organiser(survey, request.user),
        "unsent": survey.invites.filter(sms_at__isnull=True).exclude(
            household_id__in=survey.answers.values("household_id")).count(),
    })


@perm_required(PERM_MANAGE)
@require_POST
def survey_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """The sampled households' one-time links by SMS, through the outbox."""
    from linli.evaluation.access import access_survey

    survey = access_survey(request.user, pk)
    try:
        counts = actions.survey_send_links(survey=survey, actor=request.user,
                                           base_url=request.build_absolute_uri("/"))
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Links sent by SMS: %(sent)s; without a phone: %(no_phone)s; over the SMS "
                                    "allowance, to send later: %(over_allowance)s.") % counts)
    return redirect("evaluation:survey_detail", pk=survey.pk)


@perm_required(PERM_MANAGE)
@require_POST
def survey_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    from linli.evaluation.access import access_survey
    from linli.evaluation.workflow import SURVEY_TRANSITIONS

    survey = access_survey(request.user, pk)
    if name not in SURVEY_TRANSITIONS:
        raise Http404
    try:
        actions.survey_transition(survey=survey, name=name, actor=request.user, data={"reason": request.POST.get("reason", "")[:500]})
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    return redirect("evaluation:survey_detail", pk=survey.pk)


@perm_required(PERM_MANAGE)
@require_POST
def answer_case(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    from linli.evaluation.access import access_survey

    survey = access_survey(request.user, pk)
    answer = survey.answers.filter(pk=answer_id).first()
    if answer is None:
        raise Http404
    try:
        actions.answer_to_case(answer=answer, actor=request.user)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The answer is now a case on the dispatch desk."))
    return redirect("evaluation:survey_detail", pk=survey.pk)


def _answer_form(request: HttpRequest, survey, *, submit) -> HttpResponse:
    questions = list(survey.questionnaire.questions.all())
    errors: dict = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {q.code: request.POST.get(f"q-{q.code}", "")[:500] for q in questions}
        try:
            submit(values)
        except DomainError as exc:
            raise_http(exc)
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            if not errors:
                return render(request, "evaluation/survey_done.html", {"survey": survey, "message": str(exc.message)},
                              status=409)
        else:
            return render(request, "evaluation/survey_done.html", {"survey": survey, "message": _("Thank you for your answer.")})
    return render(request, "evaluation/survey_answer.html", {
        "survey": survey, "questions": questions, "errors": errors, "values": values,
    }, status=422 if errors else 200)


def survey_public(request: HttpRequest, token: str) -> HttpResponse:
    """The household's one-time link (no login)."""
    from linli.evaluation.models import SurveyInvite

    invite = SurveyInvite.objects.select_related("survey__questionnaire", "survey__community").filter(token=token[:32]).first()
    if invite is None:
        raise Http404
    return _answer_form(request, invite.survey, submit=lambda values: actions.survey_answer(
        token=invite.token, answers=values, actor=request.user if request.user.is_authenticated else None))


@perm_required(PERM_MANAGE)
def survey_phone(request: HttpRequest, pk: int, household_id: int) -> HttpResponse:
    """Staff take a sampled household's answer by phone."""
    from linli.evaluation.access import access_survey

    survey = access_survey(request.user, pk)
    if not survey.invites.filter(household_id=household_id).exists():
        raise Http404
    return _answer_form(request, survey, submit=lambda values: actions.survey_answer(
        survey=survey, household_id=household_id, answers=values, actor=request.user))


# --- staff training -------------------------------------------------------------------------------------------


@perm_required(PERM_VIEW, PERM_MANAGE)
def training(request: HttpRequest) -> HttpResponse:
    """Training sessions of the year and each staff member's hours against the 12-hour target; managers
    record a session with who attended."""
    from linli.evaluation.models import TrainingKind

    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    areas = [a for a in communities_of(request.user) if request.user.scope.covers_path(a.path)]
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_of_kind

    streets = [p for p in places_of_kind(PlaceKind.STREET).order_by("path")[:20] if request.user.scope.covers_path(p.path)]
    areas = streets + areas
    area = next((a for a in areas if str(a.pk) == request.GET.get("area", "")), areas[0] if areas else None)
    can_record = PERM_MANAGE in request.user.perms and area is not None
    errors: dict = {}
    values = {"title": "", "kind": TrainingKind.LECTURE, "held_on": today.isoformat(), "hours": "2", "teacher": ""}
    if request.method == "POST" and can_record and request.POST.get("pair_new"):
        from linli.evaluation.models import MentorPair  # noqa: F401

        staff_ids = {u.pk: u for u in selectors.staff_under(area.path)}
        try:
            started = dt.date.fromisoformat(request.POST.get("started_on", ""))
        except ValueError:
            started = None  # type: ignore[assignment]
        try:
            actions.pair_create(mentor=staff_ids.get(_pk(request.POST.get("mentor"))),
                                apprentice=staff_ids.get(_pk(request.POST.get("apprentice"))), place=area,
                                started_on=started, actor=request.user, goal=request.POST.get("goal", "")[:200])
        except DomainError as exc:
            raise_http(exc)
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The mentor pair is recorded."))
        return redirect(f"{request.path}?area={area.pk}&year={year}")
    pairs = selectors.mentor_pairs(request.user, place_path=area.path, year=year) if area else []
    if request.method == "POST" and can_record:
        values.update({k: request.POST.get(k, "")[:100] for k in values})
        try:
            held_on = dt.date.fromisoformat(values["held_on"])
        except ValueError:
            held_on = None  # type: ignore[assignment]
        ids = [int(i) for i in request.POST.getlist("attendees") if i.isdigit()][:500]
        try:
            actions.training_record(title=values["title"], kind=values["kind"], place=area, held_on=held_on,
                                    hours=values["hours"], attendees=list(users_by_ids(ids)),
                                    actor=request.user, teacher=values["teacher"],
                                    pair=next((p for p in pairs if str(p.pk) == request.POST.get("pair")), None))
        except DomainError as exc:
            raise_http(exc)
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"general": [str(exc.message)]}
        else:
            messages.success(request, _("The session is recorded."))
            return redirect(f"{request.path}?area={area.pk}&year={held_on.year}")
    hours = selectors.training_hours(request.user, place_path=area.path, year=year) if area else None
    return render(request, "evaluation/training.html", {
        "areas": areas, "area": area, "year": year, "hours": hours, "can_record": can_record,
        "sessions": selectors.training_sessions(request.user, year=year), "kinds": TrainingKind.choices,
        "staff": selectors.staff_under(area.path) if can_record else [], "values": values, "errors": errors,
        "pairs": pairs, "today": today.isoformat(),
    }, status=422 if errors else 200)
