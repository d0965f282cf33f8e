"""Community projects API: /api/v1/projects (and, as it lands, /api/v1/funds).

Lists page by keyset (``after`` → ``next_after``). ``status`` is never an input: transitions are
``POST /projects/{id}/{action}``. Amounts are integers in fen. Errors: 404 out of scope or missing, 403 not
the caller's to do, 409 refused (``refused_transition``, ``insufficient_funds``, ``duplicate``), 422 invalid.
Who gave or was paid (``counterparty``) is returned to the community's staff only.
"""

import datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.uploads import photos_from_base64
from linli.core.workflow_api import action_routes, filled_data
from linli.deliberation import actions
from linli.deliberation.access import access_fund, access_project, can_manage_path
from linli.deliberation.models import Fund, Project
from linli.deliberation.selectors import project_entries, projects_with_raised
from linli.deliberation.workflow import PROJECT_TRANSITIONS, EntryKind, ProjectStatus, project_actions

projects_router = Router(tags=["deliberation"])


class ProjectPageIn(Schema):
    status: str = ""
    after: int | None = None
    size: int = Field(30, ge=1, le=200)


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    status: str
    community_id: int
    place_id: int
    topic_id: int | None
    vote_id: int | None
    decision_id: int | None
    budget_fen: int
    raised_fen: int
    balance_fen: int
    public: bool
    outcome: str
    rating_count: int
    satisfied_count: int
    created_at: datetime.datetime
    actions: list[str] = Field(description="the transitions I may start now")


ProjectPageOut = page_of(ProjectOut)


class ProjectProposeIn(Schema):
    title: str
    kind: str = Field(description="micro_renewal | pocket_park | parking | other")
    description: str = ""
    place_id: int
    budget_fen: int | None = None


class ProjectTransitionIn(Schema):
    note: str = ""
    reason: str = ""
    topic: int | None = None
    vote: int | None = None


class ProjectEntryIn(Schema):
    kind: str = Field(description="contribution | donation | budget | payment")
    amount_fen: int = Field(gt=0)
    counterparty: str = ""
    note: str = ""


class ProjectEntryOut(Schema):
    id: int
    kind: str
    amount_fen: int
    balance_after_fen: int
    counterparty: str | None = Field(None, description="staff only")
    note: str
    at: datetime.datetime


class ProjectLedgerOut(Schema):
    balance_fen: int
    totals: dict[str, int]
    reconciled: bool
    entries: page_of(ProjectEntryOut) = Field(  # type: ignore[valid-type]
        description="a page of entries, newest first, in the one page shape (staff only for a fund)")


class ProjectMilestoneIn(Schema):
    title: str
    planned_on: datetime.date | None = None
    done_on: datetime.date | None = None
    note: str = ""
    photos: list[str] = Field(default_factory=list, description="base64 JPEG/PNG (data: URLs accepted), at most 9")


class ProjectMilestoneReachIn(Schema):
    done_on: datetime.date
    note: str = ""
    photos: list[str] = Field(default_factory=list)


class ProjectMilestoneOut(Schema):
    id: int
    title: str
    note: str
    planned_on: datetime.date | None
    done_on: datetime.date | None
    photos: list[str] = Field(description="the photos' URLs")


class ProjectRateIn(Schema):
    satisfaction: str = Field(description="satisfied | basically | unsatisfied")
    comment: str = ""


def project_out(p: Any, user: Any) -> dict[str, Any]:
    return {
        "id": p.pk, "title": p.title, "description": p.description, "kind": p.kind, "status": p.status,
        "community_id": p.community_id, "place_id": p.place_id, "topic_id": p.topic_id, "vote_id": p.vote_id,
        "decision_id": p.decision_id, "budget_fen": p.budget_fen, "raised_fen": p.raised_fen(),
        "balance_fen": p.ledger.balance_fen, "public": p.public, "outcome": p.outcome, "rating_count": p.rating_count,
        "satisfied_count": p.satisfied_count, "created_at": p.created_at,
        "actions": [t.name for t in project_actions(p, user)],
    }


def _milestone_out(m: Any) -> dict[str, Any]:
    return {"id": m.pk, "title": m.title, "note": m.note, "planned_on": m.planned_on, "done_on": m.done_on,
            "photos": [ph.image.url for ph in m.photos.all()]}


@projects_router.get("", response=ProjectPageOut, summary="The projects I can see (keyset paging)")
def project_list(request, filters: Query[ProjectPageIn]):
    qs = projects_with_raised(Project.objects.visible_to(request.auth).select_related("ledger"))
    if filters.status in ProjectStatus.values:
        qs = qs.filter(status=filters.status)
    return paged(qs, lambda p: project_out(p, request.auth), after=filters.after, size=filters.size)


@projects_router.post("", response={201: ProjectOut}, summary="Propose a project")
def project_propose(request, payload: ProjectProposeIn):
    p = actions.project_propose(actor=request.auth, title=payload.title, kind=payload.kind,
                                description=payload.description, place=payload.place_id, budget=payload.budget_fen)
    return Status(201, project_out(Project.objects.select_related("ledger").get(pk=p.pk), request.auth))


@projects_router.get("/{int:project_id}", response=ProjectOut, summary="One project")
def project_detail(request, project_id: int):
    return project_out(access_project(request.auth, project_id), request.auth)


@projects_router.get("/{int:project_id}/ledger", response=ProjectLedgerOut, summary="The project's money: totals and entries")
def project_ledger(request, project_id: int, after: int | None = None, size: int = PAGE_SIZE):
    p = access_project(request.auth, project_id)
    staff = can_manage_path(request.auth, p.community_path)
    page = paged(project_entries(p), lambda e: _entry_out(e, staff), after=after, size=size)
    rec = actions.ledger_reconcile(p.ledger_id)
    return {"balance_fen": rec.balance_fen, "totals": actions.ledger_totals(p.ledger_id), "reconciled": rec.ok,
            "entries": page}


@projects_router.post("/{int:project_id}/ledger", response={201: ProjectEntryOut}, summary="Record money in or a payment (staff)")
def project_entry(request, project_id: int, payload: ProjectEntryIn):
    access_project(request.auth, project_id)
    if payload.kind == EntryKind.PAYMENT:
        e = actions.project_pay(actor=request.auth, project=project_id, amount=payload.amount_fen,
                                counterparty=payload.counterparty, note=payload.note)
    else:
        e = actions.project_money_in(actor=request.auth, project=project_id, kind=payload.kind,
                                     amount=payload.amount_fen, counterparty=payload.counterparty, note=payload.note)
    return Status(201, {"id": e.pk, "kind": e.kind, "amount_fen": e.amount_fen, "balance_after_fen": e.balance_after_fen,
                        "counterparty": e.counterparty, "note": e.note, "at": e.at})


@projects_router.get("/{int:project_id}/milestones", response=page_of(ProjectMilestoneOut),
                     summary="The milestones with their photos (in the order they were added)")
def project_milestone_list(request, project_id: int, after: int | None = None, size: int = PAGE_SIZE):
    milestones = access_project(request.auth, project_id).milestones.prefetch_related("photos")
    return paged(milestones, _milestone_out, after=after, size=size, ascending=True)


@projects_router.post("/{int:project_id}/milestones", response={201: ProjectMilestoneOut}, summary="Add a milestone (staff)")
def project_milestone_add(request, project_id: int, payload: ProjectMilestoneIn):
    access_project(request.auth, project_id)
    photos = photos_from_base64(payload.photos)
    m = actions.milestone_add(actor=request.auth, project=project_id, title=payload.title, planned_on=payload.planned_on,
                              done_on=payload.done_on, note=payload.note, photos=photos)
    return Status(201, _milestone_out(m))


@projects_router.post("/{int:project_id}/milestones/{int:milestone_id}/reach", response=ProjectMilestoneOut,
                      summary="A milestone reached, with photos (staff)")
def project_milestone_reach(request, project_id: int, milestone_id: int, payload: ProjectMilestoneReachIn):
    p = access_project(request.auth, project_id)
    m = p.milestones.filter(pk=milestone_id).first()
    if m is None:
        from linli.core.errors import NotFound

        raise NotFound("Not found.")
    m = actions.milestone_reach(actor=request.auth, milestone=m, done_on=payload.done_on, note=payload.note,
                                photos=photos_from_base64(payload.photos))
    return _milestone_out(m)


@projects_router.post("/{int:project_id}/rate", response={201: ProjectOut}, summary="My household rates the completed project")
def project_rate(request, project_id: int, payload: ProjectRateIn):
    access_project(request.auth, project_id)
    actions.project_rate(actor=request.auth, project=project_id, satisfaction=payload.satisfaction, comment=payload.comment)
    return Status(201, project_out(access_project(request.auth, project_id), request.auth))


action_routes(
    projects_router, PROJECT_TRANSITIONS, name="project", path="/{int:project_id}", access=access_project,
    response=ProjectOut, default=ProjectTransitionIn, data=filled_data,
    act=lambda actor, p, name, data: actions.project_transition(project=p.pk, name=name, actor=actor, data=data),
    out=lambda p, user: project_out(access_project(user, p.pk), user),
)


# --- funds ---------------------------------------------------------------------------------------------------------

funds_router = Router(tags=["deliberation"])


class FundOut(Schema):
    id: int
    name: str
    description: str
    community_id: int
    balance_fen: int
    totals: dict[str, int]


FundPageOut = page_of(FundOut)


class FundCreateIn(Schema):
    name: str
    community_id: int
    description: str = ""


class FundRunIn(Schema):
    year: int
    amount_fen: int = Field(gt=0, description="per person")
    programme: str = "medical_insurance_70"


class FundRunOut(Schema):
    id: int
    programme: str
    year: int
    amount_fen: int
    eligible: int
    paid: int
    total_fen: int
    at: datetime.datetime


def fund_out(f: Any) -> dict[str, Any]:
    return {"id": f.pk, "name": f.name, "description": f.description, "community_id": f.community_id,
            "balance_fen": f.ledger.balance_fen, "totals": actions.ledger_totals(f.ledger_id)}


def _run_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "programme": r.programme, "year": r.year, "amount_fen": r.amount_fen, "eligible": r.eligible,
            "paid": r.paid, "total_fen": r.total_fen, "at": r.at}


def _entry_out(e: Any, staff: bool) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "amount_fen": e.amount_fen, "balance_after_fen": e.balance_after_fen,
            "counterparty": e.counterparty if staff else None, "note": e.note if staff else "", "at": e.at}


@funds_router.get("", response=FundPageOut, summary="The funds of my community (keyset paging)")
def fund_list(request, filters: Query[ProjectPageIn]):
    return paged(Fund.objects.visible_to(request.auth).select_related("ledger"), fund_out, after=filters.after,
                 size=min(filters.size, 50))


@funds_router.post("", response={201: FundOut}, summary="Open a fund (staff)")
def fund_create(request, payload: FundCreateIn):
    f = actions.fund_create(actor=request.auth, community=payload.community_id, name=payload.name,
                            description=payload.description)
    return Status(201, fund_out(f))


@funds_router.get("/{int:fund_id}", response=FundOut, summary="One fund")
def fund_detail(request, fund_id: int):
    return fund_out(access_fund(request.auth, fund_id))


@funds_router.get("/{int:fund_id}/ledger", response=ProjectLedgerOut, summary="The fund's money (entries: staff only)")
def fund_ledger(request, fund_id: int, after: int | None = None, size: int = PAGE_SIZE):
    f = access_fund(request.auth, fund_id)
    staff = can_manage_path(request.auth, f.community_path)
    page = (paged(f.ledger.entries.all(), lambda e: _entry_out(e, staff), after=after, size=size) if staff
            else {"items": [], "next_after": None})
    rec = actions.ledger_reconcile(f.ledger_id)
    return {"balance_fen": rec.balance_fen, "totals": actions.ledger_totals(f.ledger_id), "reconciled": rec.ok,
            "entries": page}


@funds_router.post("/{int:fund_id}/ledger", response={201: ProjectEntryOut}, summary="A donation in or a payment out (staff)")
def fund_entry(request, fund_id: int, payload: ProjectEntryIn):
    access_fund(request.auth, fund_id)
    if payload.kind == EntryKind.PAYMENT:
        e = actions.fund_pay(actor=request.auth, fund=fund_id, amount=payload.amount_fen,
                             counterparty=payload.counterparty, note=payload.note)
    else:
        e = actions.fund_money_in(actor=request.auth, fund=fund_id, kind=payload.kind, amount=payload.amount_fen,
                                  counterparty=payload.counterparty, note=payload.note)
    return Status(201, _entry_out(e, True))


@funds_router.get("/{int:fund_id}/runs", response=page_of(FundRunOut), summary="The fund's payment runs (newest first)")
def fund_runs(request, fund_id: int, after: int | None = None, size: int = PAGE_SIZE):
    return paged(access_fund(request.auth, fund_id).runs.all(), _run_out, after=after, size=size)


@funds_router.post("/{int:fund_id}/runs", response={201: FundRunOut},
                   summary="A payment run: the registry's list, each person once a year (staff)")
def fund_run(request, fund_id: int, payload: FundRunIn):
    access_fund(request.auth, fund_id)
    r = actions.fund_payment_run(actor=request.auth, fund=fund_id, year=payload.year, amount=payload.amount_fen,
                                 programme=payload.programme)
    return Status(201, _run_out(r))
