"""Disputes API (/api/v1/disputes): the ledger (filters, keyset paging), one dispute (parties masked, the
one timeline, the actions I may take), registering one, one endpoint per transition of the table, the
audited reveal of a party. ``status`` is never an input.

Errors: {code, message, fields}; 404 out of scope or missing, 409 refused transition or a lost race
(``refused_transition`` / ``conflict``), 422 invalid, 403 not the actor's to do.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from linli.core.api import page_of, paged
from linli.core.workflow_api import action_routes, filled_data
from linli.mediation import actions, selectors
from linli.mediation.access import access_dispute
from linli.mediation.workflow import TRANSITIONS, available_actions

router = Router(tags=["disputes"])


class PartyOut(Schema):
    id: int
    role: str
    name: str = Field(description="masked")
    phone: str = Field(description="masked")
    registry: bool
    organisation: bool


class MediationEventOut(Schema):
    at: datetime.datetime
    kind: str
    label: str
    actor: str
    note: str
    source: str = Field(description="case (before it became a dispute) or dispute")


class SessionOut(Schema):
    id: int
    held_on: datetime.date
    venue: str
    participants: str
    notes: str


class MediationAgreementOut(Schema):
    form: str
    serial: str
    terms: str
    signed_on: datetime.date
    performance_due: datetime.date | None


class DisputeRowOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    status: str
    source: str
    risk: str
    community_id: int
    grid_id: int | None
    lead_id: int | None
    reported_at: datetime.datetime
    due_on: datetime.date | None
    overdue: bool


class DisputeOut(DisputeRowOut):
    facts: str
    amount: Decimal | None
    place_id: int
    address: str
    case_id: int | None
    method: str
    referred_to: str
    extended: bool
    outcome: str
    fulfilled: bool | None
    reason: str
    helper_ids: list[int]
    parties: list[PartyOut]
    sessions: list[SessionOut]
    agreement: MediationAgreementOut | None
    timeline: list[MediationEventOut]
    actions: list[str] = Field(description="the transitions I may start now")


DisputePageOut = page_of(DisputeRowOut)


def _row(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "number": d.number, "title": d.title, "kind": d.kind, "status": d.status, "source": d.source,
        "risk": d.risk, "community_id": d.community_id, "grid_id": d.grid_id, "lead_id": d.lead_id,
        "reported_at": d.reported_at, "due_on": d.due_on, "overdue": selectors.is_overdue(d),
    }


def dispute_out(d: Any, user: Any) -> dict[str, Any]:
    agreement = getattr(d, "agreement", None) if d.outcome == "settled" else None
    return {
        **_row(d), "facts": d.facts, "amount": d.amount, "place_id": d.place_id, "address": d.address,
        "case_id": d.case_id, "method": d.method, "referred_to": d.referred_to, "extended": d.extended,
        "outcome": d.outcome, "fulfilled": d.fulfilled, "reason": d.reason,
        "helper_ids": list(d.helpers.values_list("pk", flat=True)),
        "parties": [p.__dict__ for p in selectors.party_rows(d)],
        "sessions": list(d.sessions.values("id", "held_on", "venue", "participants", "notes")),
        "agreement": None if agreement is None else {
            "form": agreement.form, "serial": agreement.serial, "terms": agreement.terms,
            "signed_on": agreement.signed_on, "performance_due": agreement.performance_due},
        "timeline": [{"at": e.at, "kind": e.kind, "label": e.label, "actor": e.actor, "note": e.note,
                      "source": e.source} for e in selectors.dispute_timeline(d, user)],
        "actions": [t.name for t in available_actions(d, user)],
    }


class DisputeListIn(Schema):
    kind: str = ""
    status: str = Field("", description='a state, "open", "overdue" or empty for all')
    grid: int | None = None
    community: int | None = None
    month: str = Field("", description="YYYY-MM: registered in that month")
    q: str = ""
    after: int | None = None
    size: int = selectors.PAGE_SIZE


@router.get("", response=DisputePageOut, summary="The dispute ledger (filters; keyset paging: pass next_after)")
def dispute_list(request, filters: Query[DisputeListIn]):
    f = selectors.DisputeFilters(kind=filters.kind, status=filters.status, grid=filters.grid,
                                 community=filters.community, month=filters.month, q=filters.q)
    return paged(selectors.dispute_list(request.auth, f), _row, after=filters.after, size=filters.size,
                 max_size=selectors.MAX_PAGE_SIZE)


class PartyIn(Schema):
    role: str = Field("applicant", description="applicant or respondent")
    person_id: int | None = Field(None, description="a registry person in my scope")
    name: str = Field("", max_length=64)
    phone: str = Field("", max_length=20)
    organisation: str = Field("", max_length=120)


class DisputeFileIn(Schema):
    kind: str
    facts: str = Field(..., max_length=4000)
    place_id: int
    parties: list[PartyIn] = Field(..., max_length=20)
    title: str = Field("", max_length=100)
    source: str = "walk_in"
    risk: str = "low"
    amount: Decimal | None = None
    address: str = Field("", max_length=200)


@router.post("", response={201: DisputeOut}, summary="Register a dispute (受理登记)")
def dispute_file(request, payload: DisputeFileIn):
    d = actions.dispute_file(
        actor=request.auth, kind=payload.kind, facts=payload.facts, place=payload.place_id,
        parties=[p.dict() for p in payload.parties], title=payload.title, source=payload.source,
        risk=payload.risk, amount=payload.amount, address=payload.address,
    )
    return Status(201, dispute_out(access_dispute(request.auth, d.pk), request.auth))


@router.get("/{int:dispute_id}", response=DisputeOut, summary="One dispute: parties (masked), timeline, actions")
def dispute_detail(request, dispute_id: int):
    return dispute_out(access_dispute(request.auth, dispute_id), request.auth)


class RevealOut(Schema):
    name: str
    phone: str


@router.post("/{int:dispute_id}/parties/{int:party_id}/reveal", response=RevealOut,
             summary="A party's name and phone unmasked (mediation.unmask; audited)")
def party_reveal(request, dispute_id: int, party_id: int):
    d = access_dispute(request.auth, dispute_id)
    party = d.parties.filter(pk=party_id).select_related("person").first()
    if party is None:
        raise Http404
    return actions.party_reveal(actor=request.auth, party=party)


class MediationTransitionIn(Schema):
    reason: str = ""
    lead: int | None = None
    helpers: list[int] = Field(default_factory=list)
    method: str = ""
    note: str = ""
    referred_to: str = ""
    held_on: datetime.date | None = None
    venue: str = ""
    participants: str = ""
    notes: str = ""
    form: str = ""
    terms: str = ""
    facts: str = ""
    performance_due: datetime.date | None = None
    applicant_consent: bool | None = None
    respondent_consent: bool | None = None
    fulfilled: bool | None = None


action_routes(  # escalate is the overdue task's (no route)
    router, TRANSITIONS, name="dispute", path="/{int:dispute_id}", access=access_dispute, response=DisputeOut,
    default=MediationTransitionIn, data=filled_data,
    act=lambda actor, d, name, data: actions.dispute_transition(dispute=d, name=name, actor=actor, data=data),
    out=lambda d, user: dispute_out(access_dispute(user, d.pk), user),
)
