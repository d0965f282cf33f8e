"""Deliberation API: /api/v1/topics and /api/v1/votes (and, as they land, meetings and projects).

Lists are paged by keyset (``after`` → ``next_after``, None at the end). ``status`` is never an input:
transitions are ``POST …/{id}/{action}`` (one per row of the table) with the table's inputs. Errors: 404 out of scope or missing,
403 not the actor's to do, 409 refused (``refused_transition``, ``conflict``, ``duplicate``,
``not_eligible``), 422 invalid. A secret vote's ballots are never returned, only the caller's own.
"""

import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from linli.core.api import page_of, paged
from linli.core.workflow_api import StateOut, action_routes, filled_data, state_out
from linli.deliberation import actions, selectors
from linli.deliberation.access import (
    access_decision,
    access_meeting,
    access_topic,
    access_vote,
    can_manage_path,
)
from linli.deliberation.workflow import (
    DECISION_TRANSITIONS,
    MEETING_TRANSITIONS,
    TOPIC_TRANSITIONS,
    VOTE_TRANSITIONS,
    VoteStatus,
    topic_actions,
    vote_actions,
)

topics_router = Router(tags=["deliberation"])
votes_router = Router(tags=["deliberation"])


class PageIn(Schema):
    status: str = ""
    after: int | None = None
    size: int = Field(30, ge=1, le=200)


class TopicOut(Schema):
    id: int
    title: str
    description: str
    source: str
    status: str
    community_id: int
    place_id: int
    case_id: int | None
    support_count: int
    support_threshold: int
    merged_into_id: int | None
    decision_note: str
    reason: str
    created_at: datetime.datetime
    actions: list[str] = Field(description="the transitions I may start now")


TopicPageOut = page_of(TopicOut)


class TopicRaiseIn(Schema):
    title: str
    description: str = ""
    place_id: int | None = None
    support_threshold: int | None = None


class TopicFromCaseIn(Schema):
    case_id: int
    title: str = ""
    description: str = ""


class DeliberationTransitionIn(Schema):
    note: str = ""
    reason: str = ""
    into: int | None = None


def topic_out(t: Any, user: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "title": t.title,
        "description": t.description,
        "source": t.source,
        "status": t.status,
        "community_id": t.community_id,
        "place_id": t.place_id,
        "case_id": t.case_id,
        "support_count": t.support_count,
        "support_threshold": t.support_threshold,
        "merged_into_id": t.merged_into_id,
        "decision_note": t.decision_note,
        "reason": t.reason,
        "created_at": t.created_at,
        "actions": [x.name for x in topic_actions(t, user)],
    }


@topics_router.get("", response=TopicPageOut, summary="The topics of my community (keyset paging)")
def topic_list(request, filters: Query[PageIn]):
    qs = selectors.topic_list(request.auth, status=filters.status)
    return paged(qs, lambda t: topic_out(t, request.auth), after=filters.after, size=filters.size)


@topics_router.post("", response={201: TopicOut}, summary="Raise a topic")
def topic_raise(request, payload: TopicRaiseIn):
    t = actions.topic_raise(
        actor=request.auth,
        title=payload.title,
        description=payload.description,
        place=payload.place_id,
        support_threshold=payload.support_threshold,
    )
    return Status(201, topic_out(t, request.auth))


@topics_router.post("/from-case", response={201: TopicOut}, summary="Turn a case into a topic (staff)")
def topic_from_case(request, payload: TopicFromCaseIn):
    t = actions.topic_from_case(
        actor=request.auth, case=payload.case_id, title=payload.title, description=payload.description
    )
    return Status(201, topic_out(t, request.auth))


@topics_router.get("/{int:topic_id}", response=TopicOut, summary="One topic")
def topic_detail(request, topic_id: int):
    return topic_out(access_topic(request.auth, topic_id), request.auth)


@topics_router.post("/{int:topic_id}/support", response=TopicOut, summary="My household supports the topic (once)")
def topic_support(request, topic_id: int):
    access_topic(request.auth, topic_id)
    return topic_out(actions.topic_support(actor=request.auth, topic=topic_id), request.auth)


action_routes(
    topics_router, TOPIC_TRANSITIONS, name="topic", path="/{int:topic_id}", access=access_topic, response=TopicOut,
    default=DeliberationTransitionIn, data=filled_data, out=topic_out,
    act=lambda actor, t, name, data: actions.topic_transition(topic=t.pk, name=name, actor=actor, data=data),
)


# --- votes --------------------------------------------------------------------------------------------------------


class VoteOut(Schema):
    id: int
    title: str
    question: str
    status: str
    topic_id: int | None
    community_id: int
    place_id: int
    electorate: str
    rule: str
    quorum: str = Field(description="num/den, with > or ≥")
    majority: str
    by_area: bool
    options: list[list[str]]
    secret: bool
    online: bool
    paper: bool
    closes_at: datetime.datetime
    roll_heads: int
    roll_area_cm2: int
    ballots: int
    my_choice: str | None = Field(None, description="my household's ballot (only mine)")
    result: dict[str, Any] | None = Field(None, description="published (or closed, for staff): the tally and its computation")
    passed: bool | None
    actions: list[str]


VotePageOut = page_of(VoteOut)


class VoteCreateIn(Schema):
    title: str
    question: str = ""
    place_id: int
    electorate: str = Field(description="residents | households | owners")
    rule: str = Field(description="residents | owners_ordinary | owners_special | custom")
    closes_at: datetime.datetime
    topic_id: int | None = None
    options: list[str] | None = Field(None, description="a choice among these; none: agree/disagree/abstain")
    secret: bool = True
    online: bool = True
    paper: bool = True
    quorum: list[int] | None = Field(None, description="custom: [num, den, strict 0/1]")
    majority: list[int] | None = None
    by_area: bool = False


class BallotIn(Schema):
    choice: str


class PaperIn(Schema):
    entry_id: int
    choice: str
    paper_number: str


class BallotOut(Schema):
    vote_id: int
    choice: str
    channel: str
    revision: int
    changed_at: datetime.datetime


def vote_out(v: Any, user: Any, *, mine: bool = True) -> dict[str, Any]:
    manage = can_manage_path(user, v.community_path)
    ballot = actions.ballot_of(v, user) if mine else None
    shown = v.status == VoteStatus.PUBLISHED or (manage and v.status == VoteStatus.CLOSED)
    return {
        "id": v.pk,
        "title": v.title,
        "question": v.question,
        "status": v.status,
        "topic_id": v.topic_id,
        "community_id": v.community_id,
        "place_id": v.place_id,
        "electorate": v.electorate,
        "rule": v.rule,
        "quorum": f"{'>' if v.quorum_strict else '≥'}{v.quorum_num}/{v.quorum_den}",
        "majority": f"{'>' if v.majority_strict else '≥'}{v.majority_num}/{v.majority_den}",
        "by_area": v.by_area,
        "options": v.options,
        "secret": v.secret,
        "online": v.online,
        "paper": v.paper,
        "closes_at": v.closes_at,
        "roll_heads": v.roll_heads,
        "roll_area_cm2": v.roll_area_cm2,
        "ballots": actions.roll_stats(v)["ballots"] if mine else 0,
        "my_choice": ballot.choice if ballot else None,
        "result": v.result if shown else None,
        "passed": v.passed if shown else None,
        "actions": [x.name for x in vote_actions(v, user)],
    }


@votes_router.get("", response=VotePageOut, summary="The votes of my community (keyset paging)")
def vote_list(request, filters: Query[PageIn]):
    qs = selectors.vote_list(request.auth, status=filters.status)
    return paged(qs, lambda v: vote_out(v, request.auth, mine=False), after=filters.after, size=filters.size)


def _frac(value: list[int] | None) -> tuple[int, int, bool] | None:
    if value is None or len(value) != 3:
        return None
    return int(value[0]), int(value[1]), bool(value[2])


@votes_router.post("", response={201: VoteOut}, summary="Draft a vote (staff)")
def vote_create(request, payload: VoteCreateIn):
    v = actions.vote_create(
        actor=request.auth,
        title=payload.title,
        question=payload.question,
        place=payload.place_id,
        electorate=payload.electorate,
        rule=payload.rule,
        closes_at=payload.closes_at,
        topic=payload.topic_id,
        options=payload.options,
        secret=payload.secret,
        online=payload.online,
        paper=payload.paper,
        quorum=_frac(payload.quorum),
        majority=_frac(payload.majority),
        by_area=payload.by_area,
    )
    return Status(201, vote_out(v, request.auth))


@votes_router.get("/{int:vote_id}", response=VoteOut, summary="One vote (its result once published)")
def vote_detail(request, vote_id: int):
    return vote_out(access_vote(request.auth, vote_id), request.auth)


@votes_router.post("/{int:vote_id}/ballot", response=BallotOut, summary="Cast or change my household's ballot")
def vote_ballot(request, vote_id: int, payload: BallotIn):
    access_vote(request.auth, vote_id)
    b = actions.ballot_cast(actor=request.auth, vote=vote_id, choice=payload.choice)
    return {"vote_id": b.vote_id, "choice": b.choice, "channel": b.channel, "revision": b.revision, "changed_at": b.changed_at}


@votes_router.post("/{int:vote_id}/paper", response=BallotOut, summary="Enter a paper ballot from the roll (staff)")
def vote_paper(request, vote_id: int, payload: PaperIn):
    access_vote(request.auth, vote_id)
    b = actions.ballot_enter_paper(
        actor=request.auth, vote=vote_id, entry=payload.entry_id, choice=payload.choice, paper_number=payload.paper_number
    )
    return {"vote_id": b.vote_id, "choice": b.choice, "channel": b.channel, "revision": b.revision, "changed_at": b.changed_at}


action_routes(
    votes_router, VOTE_TRANSITIONS, name="vote", path="/{int:vote_id}", access=access_vote, response=VoteOut,
    default=DeliberationTransitionIn, data=filled_data, out=vote_out,
    act=lambda actor, v, name, data: actions.vote_transition(vote=v.pk, name=name, actor=actor, data=data),
)


# --- meetings -------------------------------------------------------------------------------------------------------

meetings_router = Router(tags=["deliberation"])


class ParticipantOut(Schema):
    id: int
    role: str
    name: str
    organisation: str
    signed_in: bool


class DecisionOut(Schema):
    id: int
    text: str
    owner_name: str
    deadline: datetime.date
    status: str
    topic_id: int | None
    vote_id: int | None
    rating_count: int
    satisfied_count: int
    case_ids: list[int]


class DeliberationMeetingOut(Schema):
    id: int
    kind: str
    title: str
    community_id: int
    starts_at: datetime.datetime
    location: str
    status: str
    minutes: str
    agenda: list[int] = Field(description="topic ids in order")
    participants: list[ParticipantOut]
    decisions: list[DecisionOut]
    actions: list[str]


MeetingPageOut = page_of(DeliberationMeetingOut)


class DeliberationMeetingCreateIn(Schema):
    community_id: int
    kind: str
    title: str
    starts_at: datetime.datetime
    location: str = ""


class MeetingTransitionIn(Schema):
    minutes: str = ""
    reason: str = ""


class ParticipantIn(Schema):
    role: str
    name: str = ""
    person_id: int | None = None
    organisation: str = ""


class AgendaIn(Schema):
    topic_id: int


class DecisionIn(Schema):
    text: str
    owner_name: str
    deadline: datetime.date
    topic_id: int | None = None


class SigninIn(Schema):
    token: str


def decision_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "text": d.text, "owner_name": d.owner_name, "deadline": d.deadline, "status": d.status,
        "topic_id": d.topic_id, "vote_id": d.vote_id, "rating_count": d.rating_count,
        "satisfied_count": d.satisfied_count, "case_ids": [c.case_id for c in d.cases.all()],
    }


def meeting_out(m: Any, user: Any, *, full: bool = True) -> dict[str, Any]:
    from linli.core.masking import mask_name
    from linli.deliberation.workflow import meeting_actions

    manage = can_manage_path(user, m.community_path)
    return {
        "id": m.pk, "kind": m.kind, "title": m.title, "community_id": m.community_id, "starts_at": m.starts_at,
        "location": m.location, "status": m.status, "minutes": m.minutes,
        "agenda": [a.topic_id for a in m.agenda.all()] if full else [],
        "participants": [
            {"id": p.pk, "role": p.role, "name": p.name if manage or p.role != "resident" else mask_name(p.name),
             "organisation": p.organisation, "signed_in": p.signed_in_at is not None}
            for p in m.participants.all()
        ] if full else [],
        "decisions": [decision_out(d) for d in m.decisions.prefetch_related("cases")] if full else [],
        "actions": [x.name for x in meeting_actions(m, user)],
    }


@meetings_router.get("", response=MeetingPageOut, summary="The meetings of my community (keyset paging)")
def meeting_list(request, filters: Query[PageIn]):
    from linli.deliberation.models import Meeting

    qs = Meeting.objects.visible_to(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paged(qs, lambda m: meeting_out(m, request.auth, full=False), after=filters.after, size=filters.size)


@meetings_router.post("", response={201: DeliberationMeetingOut}, summary="Create a meeting (staff)")
def meeting_create(request, payload: DeliberationMeetingCreateIn):
    m = actions.meeting_create(
        actor=request.auth, community=payload.community_id, kind=payload.kind, title=payload.title,
        starts_at=payload.starts_at, location=payload.location,
    )
    return Status(201, meeting_out(m, request.auth))


@meetings_router.post("/signin", response=ParticipantOut, summary="Sign in by the meeting's QR token")
def meeting_signin(request, payload: SigninIn):
    p = actions.meeting_signin(actor=request.auth, token=payload.token)
    return {"id": p.pk, "role": p.role, "name": p.name, "organisation": p.organisation, "signed_in": True}


@meetings_router.get("/{int:deliberation_meeting_id}", response=DeliberationMeetingOut, summary="One meeting: agenda, participants, decisions")
def meeting_detail(request, deliberation_meeting_id: int):
    return meeting_out(access_meeting(request.auth, deliberation_meeting_id), request.auth)


@meetings_router.post("/{int:deliberation_meeting_id}/participants", response={201: ParticipantOut}, summary="Invite a participant (staff)")
def meeting_participant(request, deliberation_meeting_id: int, payload: ParticipantIn):
    m = access_meeting(request.auth, deliberation_meeting_id)
    p = actions.participant_add(
        actor=request.auth, meeting=m, role=payload.role, name=payload.name, person=payload.person_id,
        organisation=payload.organisation,
    )
    return Status(201, {"id": p.pk, "role": p.role, "name": p.name, "organisation": p.organisation, "signed_in": False})


@meetings_router.post("/{int:deliberation_meeting_id}/agenda", response=DeliberationMeetingOut, summary="Put a topic on the meeting's agenda (staff)")
def meeting_agenda(request, deliberation_meeting_id: int, payload: AgendaIn):
    m = access_meeting(request.auth, deliberation_meeting_id)
    actions.agenda_add(actor=request.auth, meeting=m, topic=payload.topic_id)
    return meeting_out(m, request.auth)


@meetings_router.post("/{int:deliberation_meeting_id}/decisions", response={201: DecisionOut}, summary="Record a decision (staff)")
def meeting_decision(request, deliberation_meeting_id: int, payload: DecisionIn):
    m = access_meeting(request.auth, deliberation_meeting_id)
    d = actions.decision_record(
        actor=request.auth, meeting=m, topic=payload.topic_id, text=payload.text, owner_name=payload.owner_name,
        deadline=payload.deadline,
    )
    return Status(201, decision_out(d))


action_routes(
    meetings_router, MEETING_TRANSITIONS, name="meeting", path="/{int:deliberation_meeting_id}",
    access=access_meeting, response=DeliberationMeetingOut, default=MeetingTransitionIn, data=filled_data,
    act=lambda actor, m, name, data: actions.meeting_transition(meeting=m.pk, name=name, actor=actor, data=data),
    out=meeting_out,
)


action_routes(  # a meeting's decision (决议): carried out or cancelled, at /meetings/decisions/{id}/...
    meetings_router, DECISION_TRANSITIONS, name="decision", path="/decisions/{int:decision_id}",
    access=access_decision, response=StateOut, out=state_out(DECISION_TRANSITIONS), data=filled_data,
    act=lambda actor, d, name, data: actions.decision_transition(decision=d.pk, name=name, actor=actor, data=data),
)


# A topic's experts and opinions (the think tank), under /api/v1/topics/{topic_id}/.
from linli.deliberation.api_honours import register_topic_routes  # noqa: E402

register_topic_routes(topics_router)
