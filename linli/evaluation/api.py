"""Evaluation API (/api/v1/evaluation): rounds (list with keyset paging, detail with the ranking, open),
score sheets, and one endpoint per transition of the round table. ``status`` is never an input.
Errors: 404 out of scope or missing, 403 not the actor's to do, 409 refused (a second sheet, a closed
round, the wrong state), 422 invalid.
"""
import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from linli.core.api import page_of
from linli.core.errors import Invalid
from linli.core.workflow_api import StateOut, action_routes, state_out
from linli.evaluation import actions, selectors
from linli.evaluation.access import access_campaign, access_commitment, access_round, access_survey
from linli.evaluation.models import EvaluationRound
from linli.evaluation.workflow import (
    CAMPAIGN_TRANSITIONS,
    COMMITMENT_TRANSITIONS,
    SURVEY_TRANSITIONS,
    TRANSITIONS,
    RoundStatus,
    available_actions,
    is_organiser,
)

router = Router(tags=["evaluation"])

PAGE = 50


class CriterionOut(Schema):
    code: str
    name: str
    weight: int
    max_score: int


class EvaluationRankOut(Schema):
    building_id: int
    building: str
    rank: int
    total: float
    sheets: int
    red_flag: bool


class EvaluationRoundOut(Schema):
    id: int
    compound_id: int
    compound: str
    community_id: int
    month: datetime.date
    organiser: str
    closes_on: datetime.date
    status: str
    criteria: list[CriterionOut]
    scored_buildings: list[int]
    ranking: list[EvaluationRankOut]
    actions: list[str]


EvaluationRoundPageOut = page_of(EvaluationRoundOut)


class EvaluationRoundOpenIn(Schema):
    compound_id: int
    month: datetime.date
    organiser: str = "branch"
    closes_on: datetime.date | None = None


class ScoreSheetIn(Schema):
    building_id: int
    scores: dict[str, dict[str, int]]


class ScoreSheetOut(Schema):
    id: int
    round_id: int
    building_id: int
    on_paper: bool
    submitted_at: datetime.datetime


def round_out(rnd: EvaluationRound, user: Any) -> dict[str, Any]:
    ranking: list[dict[str, Any]] = []
    if rnd.status == RoundStatus.PUBLISHED:
        ranking = [
            {"building_id": r.building_id, "building": r.building.name, "rank": r.rank, "total": float(r.total),
             "sheets": r.sheets, "red_flag": r.red_flag}
            for r in rnd.results.select_related("building").order_by("rank")
        ]
    elif is_organiser(rnd, user):
        ranking = [
            {"building_id": r.building_id, "building": r.name, "rank": r.rank, "total": float(r.total_display),
             "sheets": r.sheets, "red_flag": r.red_flag}
            for r in selectors.round_ranking(rnd)
        ]
    return {
        "id": rnd.pk,
        "compound_id": rnd.compound_id,
        "compound": rnd.compound.name,
        "community_id": rnd.community_id,
        "month": rnd.month,
        "organiser": rnd.organiser,
        "closes_on": rnd.closes_on,
        "status": rnd.status,
        "criteria": rnd.criteria,
        "scored_buildings": sorted(rnd.sheets.values_list("building_id", flat=True)),
        "ranking": ranking,
        "actions": [t.name for t in available_actions(rnd, user)],
    }


@router.get("/rounds", response=EvaluationRoundPageOut, summary="Rounds I may see, newest first (keyset: next_after)")
def round_list(request, after: int | None = None, size: int = PAGE, status: str = ""):
    size = max(1, min(size, PAGE))
    qs = EvaluationRound.objects.visible_to(request.auth).select_related("compound").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return {"items": [round_out(r, request.auth) for r in rows], "next_after": rows[-1].pk if more else None}


@router.get("/rounds/{int:evaluation_round_id}", response=EvaluationRoundOut, summary="A round, with its ranking")
def round_detail(request, evaluation_round_id: int):
    return round_out(access_round(request.auth, evaluation_round_id), request.auth)


@router.post("/rounds", response={201: EvaluationRoundOut}, summary="Open the month's round of a compound")
def round_open(request, payload: EvaluationRoundOpenIn):
    from linli.places.selectors import place_get

    compound = place_get(payload.compound_id)
    if compound is None:
        raise Invalid(_("Choose a compound."), fields={"compound_id": [_("Not found.")]})
    rnd = actions.round_open(compound=compound, month=payload.month, organiser=payload.organiser,
                             closes_on=payload.closes_on, actor=request.auth)
    return Status(201, round_out(rnd, request.auth))


@router.post("/rounds/{int:evaluation_round_id}/sheets", response={201: ScoreSheetOut},
             summary="A building's score sheet (every other building, every criterion)")
def sheet_submit(request, evaluation_round_id: int, payload: ScoreSheetIn):
    from linli.places.selectors import place_get

    rnd = access_round(request.auth, evaluation_round_id)
    building = place_get(payload.building_id)
    sheet = actions.sheet_submit(round=rnd, building=building, scores=payload.scores, actor=request.auth)
    return Status(201, {"id": sheet.pk, "round_id": rnd.pk, "building_id": sheet.building_id,
                        "on_paper": sheet.on_paper, "submitted_at": sheet.submitted_at})


action_routes(
    router, TRANSITIONS, name="evaluation_round", path="/rounds/{int:evaluation_round_id}", access=access_round,
    response=EvaluationRoundOut, act=lambda actor, r, name, data: actions.round_transition(round=r.pk, name=name, actor=actor, data=data),
    out=lambda r, user: round_out(access_round(user, r.pk), user),
)


# --- party members' half-year evaluations (双报到) --------------------------------------------------------------

from linli.evaluation.access import access_member_evaluation  # noqa: E402
from linli.evaluation.actions_members import commitment_transition, member_evaluation_transition  # noqa: E402
from linli.evaluation.models import MemberEvaluation  # noqa: E402
from linli.evaluation.workflow import MEMBER_TRANSITIONS, available_member_actions  # noqa: E402


class MemberEvaluationOut(Schema):
    id: int
    member_id: int
    name: str  # masked
    employer: str
    community_id: int
    year: int
    half: int
    status: str
    orders_done: int
    orders_rated: int
    orders_satisfied: int
    wishes_done: int
    hours: float
    commitments: int
    commitments_kept: int
    grade: str
    comment: str
    version: int
    actions: list[str]


MemberEvaluationPageOut = page_of(MemberEvaluationOut)


class MemberEvaluationActionIn(Schema):
    grade: str = ""
    comment: str = ""
    reason: str = ""
    version: int | None = None


def member_evaluation_out(ev: MemberEvaluation, user: Any) -> dict[str, Any]:
    from linli.core.masking import mask_name

    m = ev.member
    return {
        "id": ev.pk, "member_id": m.pk, "name": mask_name(m.person.name), "employer": m.employer.name if m.employer is not None else "",
        "community_id": ev.community_id, "year": ev.year, "half": ev.half, "status": ev.status,
        "orders_done": ev.orders_done, "orders_rated": ev.orders_rated, "orders_satisfied": ev.orders_satisfied,
        "wishes_done": ev.wishes_done, "hours": float(ev.hours), "commitments": ev.commitments,
        "commitments_kept": ev.commitments_kept, "grade": ev.grade, "comment": ev.comment, "version": ev.version,
        "actions": [t.name for t in available_member_actions(ev, user)],
    }


@router.get("/member-evaluations", response=MemberEvaluationPageOut,
            summary="Registered party members' half-year evaluations I may see (keyset: next_after)")
def member_evaluation_list(request, year: int | None = None, half: int | None = None, status: str = "",
                           after: int | None = None, size: int = PAGE):
    size = max(1, min(size, PAGE))
    qs = MemberEvaluation.objects.visible_to(request.auth).select_related("member__person", "member__employer")
    if year is not None:
        qs = qs.filter(year=year)
    if half is not None:
        qs = qs.filter(half=half)
    if status:
        qs = qs.filter(status=status)
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return {"items": [member_evaluation_out(e, request.auth) for e in rows], "next_after": rows[-1].pk if more else None}


@router.get("/member-evaluations/{int:member_evaluation_id}", response=MemberEvaluationOut,
            summary="A member's half-year evaluation")
def member_evaluation_detail(request, member_evaluation_id: int):
    return member_evaluation_out(access_member_evaluation(request.auth, member_evaluation_id), request.auth)


action_routes(
    router, MEMBER_TRANSITIONS, name="member_evaluation", path="/member-evaluations/{int:member_evaluation_id}",
    access=access_member_evaluation, response=MemberEvaluationOut, default=MemberEvaluationActionIn,
    act=lambda actor, ev, name, data: member_evaluation_transition(evaluation=ev, name=name, actor=actor, data=data),
    out=lambda ev, user: member_evaluation_out(access_member_evaluation(user, ev.pk), user),
)


# --- campaigns (创文/创卫), surveys, commitments (亮承诺): their transitions --------------------------------------

action_routes(
    router, CAMPAIGN_TRANSITIONS, name="evaluation_campaign", path="/campaigns/{int:campaign_id}",
    access=access_campaign, response=StateOut, out=state_out(CAMPAIGN_TRANSITIONS),
    act=lambda actor, c, name, data: actions.campaign_transition(campaign=c.pk, name=name, actor=actor, data=data),
)
action_routes(
    router, SURVEY_TRANSITIONS, name="evaluation_survey", path="/surveys/{int:survey_id}", access=access_survey,
    response=StateOut, out=state_out(SURVEY_TRANSITIONS),
    act=lambda actor, s, name, data: actions.survey_transition(survey=s.pk, name=name, actor=actor, data=data),
)
action_routes(
    router, COMMITMENT_TRANSITIONS, name="evaluation_commitment", path="/commitments/{int:commitment_id}",
    access=access_commitment, response=StateOut, out=state_out(COMMITMENT_TRANSITIONS),
    act=lambda actor, c, name, data: commitment_transition(commitment=c.pk, name=name, actor=actor, data=data),
)
