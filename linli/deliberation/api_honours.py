"""Honours and think-tank API: /api/v1/honours, /api/v1/experts, and a topic's experts and opinions
(/api/v1/topics/{id}/experts, /api/v1/topics/{id}/opinions).

Lists page by keyset (``after`` → ``next_after``). ``status`` is never an input: a round's transitions are
``POST /honours/{id}/{action}``. Nominees and experts are named masked. Residents vote through
``/api/v1/votes/{vote_id}/ballot`` (the round's ``contests`` give each honour's vote). Errors: 404 out of scope or
missing, 403 not the caller's to do, 409 refused (``refused_transition``, ``duplicate``), 422 invalid.
"""

import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged, patch_values
from linli.core.masking import mask_name
from linli.core.workflow_api import action_routes, filled_data
from linli.deliberation import actions
from linli.deliberation.access import access_expert, access_honour_round, access_topic, can_manage_path
from linli.deliberation.models import (
    Expert,
    ExpertInvitation,
    ExpertOpinion,
    HonourCategory,
    HonourContest,
    HonourNomination,
    HonourRound,
)
from linli.deliberation.workflow import HONOUR_TRANSITIONS, ExpertKind, HonourStatus, honour_actions

honours_router = Router(tags=["deliberation"])
experts_router = Router(tags=["deliberation"])


class HonourPageIn(Schema):
    after: int | None = None
    size: int = Field(30, ge=1, le=100)


class HonourCategoryOut(Schema):
    id: int
    name: str
    description: str
    nominee_kind: str
    seats: int


class HonourNominationOut(Schema):
    id: int
    category_id: int
    label: str = Field(description="the nominee, masked")
    reason: str
    nominators: int
    option_key: str = Field(description="the nominee's option in the honour's vote")
    votes: int | None = Field(None, description="after the count: staff; after publication: everyone")
    won: bool | None = None


class HonourContestOut(Schema):
    category_id: int
    vote_id: int


class HonourRoundOut(Schema):
    id: int
    title: str
    year: int
    community_id: int
    status: str
    public: bool
    reason: str
    categories: list[HonourCategoryOut]
    nominations: list[HonourNominationOut] = Field(description="at most 600")
    contests: list[HonourContestOut]
    actions: list[str] = Field(description="the transitions I may start now")


class HonourRoundBrief(Schema):
    id: int
    title: str
    year: int
    community_id: int
    status: str
    public: bool


HonourRoundPageOut = page_of(HonourRoundBrief)


class HonourRoundIn(Schema):
    community_id: int
    year: int
    title: str = ""


class HonourCategoryIn(Schema):
    name: str
    nominee_kind: str = Field(description="person | household")
    description: str = ""
    seats: int = Field(1, ge=1, le=20)


class HonourNominateIn(Schema):
    category_id: int
    name: str = Field(description="the nominee's full name (a registry person of the community)")
    house: str = Field("", description="building and room, when several share the name")
    reason: str


class HonourTransitionIn(Schema):
    closes_at: datetime.datetime | None = None
    reason: str = ""


def _brief(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "title": r.title, "year": r.year, "community_id": r.community_id, "status": r.status,
            "public": r.public}


def round_out(r: Any, user: Any) -> dict[str, Any]:
    counts = can_manage_path(user, r.community_path) or r.status == HonourStatus.PUBLISHED
    counted = counts and r.status in (HonourStatus.COUNTED, HonourStatus.PUBLISHED)
    return {
        **_brief(r),
        "reason": r.reason,
        "categories": [
            {"id": c.pk, "name": c.name, "description": c.description, "nominee_kind": c.nominee_kind, "seats": c.seats}
            for c in HonourCategory.objects.filter(community_id=r.community_id, active=True).order_by("id")[:30]
        ],
        "nominations": [
            {"id": n.pk, "category_id": n.category_id, "label": n.label, "reason": n.reason, "nominators": n.nominators,
             "option_key": n.option_key, "votes": n.votes if counted else None, "won": n.won if counted else None}
            for n in HonourNomination.objects.filter(round=r).order_by("id")[:600]
        ],
        "contests": [{"category_id": c.category_id, "vote_id": c.vote_id}
                     for c in HonourContest.objects.filter(round=r).order_by("category_id")],
        "actions": [t.name for t in honour_actions(r, user)],
    }


@honours_router.get("", response=HonourRoundPageOut, summary="The honours rounds I can see (keyset paging)")
def honour_list(request, filters: Query[HonourPageIn]):
    return paged(HonourRound.objects.visible_to(request.auth), _brief, after=filters.after, size=filters.size)


@honours_router.post("", response={201: HonourRoundOut}, summary="Open the year's round of a community (staff)")
def honour_create(request, payload: HonourRoundIn):
    r = actions.honour_round_create(actor=request.auth, community=payload.community_id, year=payload.year,
                                    title=payload.title)
    return Status(201, round_out(r, request.auth))


@honours_router.get("/{int:round_id}", response=HonourRoundOut, summary="One round: honours, nominees, votes")
def honour_detail(request, round_id: int):
    return round_out(access_honour_round(request.auth, round_id), request.auth)


@honours_router.post("/{int:round_id}/categories", response={201: HonourCategoryOut},
                     summary="Add an honour to the round's community (staff)")
def honour_category_add(request, round_id: int, payload: HonourCategoryIn):
    r = access_honour_round(request.auth, round_id)
    c = actions.honour_category_add(actor=request.auth, community=r.community_id, name=payload.name,
                                    nominee_kind=payload.nominee_kind, description=payload.description,
                                    seats=payload.seats)
    return Status(201, {"id": c.pk, "name": c.name, "description": c.description, "nominee_kind": c.nominee_kind,
                        "seats": c.seats})


@honours_router.post("/{int:round_id}/nominations", response={201: HonourNominationOut},
                     summary="My household nominates for an honour")
def honour_nominate(request, round_id: int, payload: HonourNominateIn):
    access_honour_round(request.auth, round_id)
    n = actions.honour_nominate(actor=request.auth, round=round_id, category=payload.category_id, name=payload.name,
                                house=payload.house, reason=payload.reason)
    return Status(201, {"id": n.pk, "category_id": n.category_id, "label": n.label, "reason": n.reason,
                        "nominators": n.nominators, "option_key": n.option_key, "votes": None, "won": None})


def _honour_data(name: str, payload: Schema) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in filled_data(name, payload).items()}


action_routes(
    honours_router, HONOUR_TRANSITIONS, name="honour", path="/{int:round_id}", access=access_honour_round,
    response=HonourRoundOut, default=HonourTransitionIn, data=_honour_data,
    act=lambda actor, r, name, data: actions.honour_transition(round=r.pk, name=name, actor=actor, data=data),
    out=lambda r, user: round_out(access_honour_round(user, r.pk), user),
)


# --- the think tank ----------------------------------------------------------------------------------------------


class ExpertOut(Schema):
    id: int
    community_id: int
    name: str = Field(description="masked")
    kind: str
    specialties: list[str]
    title: str
    active: bool
    has_login: bool


ExpertPageOut = page_of(ExpertOut)


class ExpertPageIn(HonourPageIn):
    kind: str = ""


class ExpertIn(Schema):
    community_id: int
    name: str
    kind: str = Field(description="retired_cadre | teacher | lawyer | technician | other")
    specialties: str = Field(description="fields, separated by 、 or commas")
    title: str = ""
    phone: str = Field("", description="the mobile number of the expert's account (not kept)")


class ExpertUpdateIn(Schema):
    name: str | None = None
    kind: str | None = None
    specialties: str | None = None
    title: str | None = None
    phone: str = ""
    active: bool | None = None


class ExpertInviteIn(Schema):
    expert_id: int


class ExpertInvitationOut(Schema):
    id: int
    expert: ExpertOut
    invited_at: datetime.datetime


class OpinionIn(Schema):
    expert_id: int
    text: str


class OpinionOut(Schema):
    id: int
    expert: ExpertOut
    text: str
    at: datetime.datetime


def expert_out(e: Any) -> dict[str, Any]:
    return {"id": e.pk, "community_id": e.community_id, "name": mask_name(e.name), "kind": e.kind,
            "specialties": e.field_list(), "title": e.title, "active": e.active, "has_login": bool(e.user_id)}


@experts_router.get("", response=ExpertPageOut, summary="The think tank of my community (keyset paging)")
def expert_list(request, filters: Query[ExpertPageIn]):
    qs = Expert.objects.visible_to(request.auth)
    if filters.kind in ExpertKind.values:
        qs = qs.filter(kind=filters.kind)
    return paged(qs, expert_out, after=filters.after, size=filters.size)


@experts_router.post("", response={201: ExpertOut}, summary="Add an expert to a community's think tank (staff)")
def expert_create(request, payload: ExpertIn):
    e = actions.expert_add(actor=request.auth, community=payload.community_id, name=payload.name, kind=payload.kind,
                           specialties=payload.specialties, title=payload.title, phone=payload.phone)
    return Status(201, expert_out(e))


@experts_router.get("/{int:expert_id}", response=ExpertOut, summary="One expert")
def expert_detail(request, expert_id: int):
    return expert_out(access_expert(request.auth, expert_id))


@experts_router.patch("/{int:expert_id}", response=ExpertOut, summary="Correct or retire an expert (staff)")
def expert_update(request, expert_id: int, payload: ExpertUpdateIn):
    expert = access_expert(request.auth, expert_id)
    return expert_out(actions.expert_update(actor=request.auth, expert=expert_id, **patch_values(payload, expert)))


def register_topic_routes(router: Router) -> None:
    """A topic's experts and opinions, under /api/v1/topics/{topic_id}/."""

    @router.get("/{int:topic_id}/experts", response=page_of(ExpertInvitationOut),
                summary="The experts invited to a topic (in the order invited)")
    def topic_experts(request, topic_id: int, after: int | None = None, size: int = PAGE_SIZE):
        t = access_topic(request.auth, topic_id)
        return paged(ExpertInvitation.objects.filter(topic=t).select_related("expert"),
                     lambda i: {"id": i.pk, "expert": expert_out(i.expert), "invited_at": i.invited_at},
                     after=after, size=size, ascending=True)

    @router.post("/{int:topic_id}/experts", response={201: ExpertInvitationOut},
                 summary="Invite an expert to give an opinion (staff; the expert is told)")
    def topic_expert_invite(request, topic_id: int, payload: ExpertInviteIn):
        access_topic(request.auth, topic_id)
        i = actions.expert_invite(actor=request.auth, topic=topic_id, expert=payload.expert_id)
        return Status(201, {"id": i.pk, "expert": expert_out(i.expert), "invited_at": i.invited_at})

    @router.get("/{int:topic_id}/opinions", response=page_of(OpinionOut),
                summary="The experts' opinions on a topic (in the order given)")
    def topic_opinions(request, topic_id: int, after: int | None = None, size: int = PAGE_SIZE):
        t = access_topic(request.auth, topic_id)
        return paged(ExpertOpinion.objects.filter(topic=t).select_related("expert"),
                     lambda o: {"id": o.pk, "expert": expert_out(o.expert), "text": o.text, "at": o.at},
                     after=after, size=size, ascending=True)

    @router.post("/{int:topic_id}/opinions", response={201: OpinionOut},
                 summary="Record an invited expert's opinion (the expert, or staff for them)")
    def topic_opinion_record(request, topic_id: int, payload: OpinionIn):
        access_topic(request.auth, topic_id)
        o = actions.expert_opinion_record(actor=request.auth, topic=topic_id, expert=payload.expert_id, text=payload.text)
        return Status(201, {"id": o.pk, "expert": expert_out(o.expert), "text": o.text, "at": o.at})
