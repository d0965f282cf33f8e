"""Personal-data rights API.

- ``/api/v1/me/data``: everything the community holds about the caller (PIPL Art. 45), as the page shows
  it (audited like a download); ``/api/v1/me/corrections``: the caller's correction requests, and a new
  one (PIPL Art. 46).
- ``/api/v1/privacy/corrections``: the staff's queue (scoped, keyset pages), one request, and one
  endpoint per transition of ``workflow.CORRECTION_TRANSITIONS``: ``accept``, ``refuse`` (with a reason)
  and ``withdraw`` (the requester). 404 out of scope or missing, 403 not the actor's to do, 409 refused
  transition, 422 invalid.
"""

from typing import Any

from ninja import Field, Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.workflow_api import action_routes
from linli.privacy import actions, selectors
from linli.privacy.access import access_correction
from linli.privacy.export import as_dict
from linli.privacy.models import CorrectionRequest
from linli.privacy.workflow import CORRECTABLE_FIELDS, CORRECTION_TRANSITIONS, CorrectionStatus

me_router = Router(tags=["my data"])
router = Router(tags=["privacy"])


class MyDataColumnOut(Schema):
    key: str
    label: str


class MyDataSectionOut(Schema):
    key: str
    title: str
    columns: list[MyDataColumnOut]
    rows: list[dict[str, Any]]
    more: bool
    summary: dict[str, Any]


class CorrectionOut(Schema):
    id: int
    field: str
    field_label: str
    value: str  # ID numbers and phones masked
    note: str
    status: str
    status_label: str
    reason: str
    asked_at: str
    decided_at: str | None


class MyDataOut(Schema):
    person_id: int
    generated_at: str
    sections: list[MyDataSectionOut]
    corrections: list[CorrectionOut]


class CorrectionCreateIn(Schema):
    field: str = Field(description="One of: " + ", ".join(CORRECTABLE_FIELDS), max_length=32)
    value: str = Field(max_length=200)
    note: str = Field("", max_length=actions.NOTE_MAX)


class CorrectionStaffOut(CorrectionOut):
    person_id: int
    person: str
    version: int
    actions: list[str]


CorrectionPageOut = page_of(CorrectionStaffOut)


class CorrectionQueueIn(Schema):
    status: str = CorrectionStatus.REQUESTED
    after: int | None = None
    size: int = 50


class CorrectionAcceptIn(Schema):
    version: int | None = None


class CorrectionRefuseIn(Schema):
    reason: str = Field(max_length=actions.NOTE_MAX)
    version: int | None = None


class CorrectionWithdrawIn(Schema):
    version: int | None = None


def _out(c: CorrectionRequest) -> dict[str, Any]:
    return {
        "id": c.pk, "field": c.field, "field_label": str(c.get_field_display()),
        "value": actions.correction_value_shown(c), "note": c.note, "status": c.status,
        "status_label": str(c.get_status_display()), "reason": c.reason, "asked_at": selectors.plain(c.created_at),
        "decided_at": selectors.plain(c.decided_at),
    }


def _staff_out(c: CorrectionRequest, user: Any) -> dict[str, Any]:
    from linli.core.workflow import available

    return {**_out(c), "person_id": c.person_id, "person": c.person.name, "version": c.version,
            "actions": [t.name for t in available(CORRECTION_TRANSITIONS, c, user)]}


@me_router.get("/data", response=MyDataOut, summary="Everything the community holds about me (audited)")
def me_data(request):
    person = actions.person_of(request.auth)
    data = selectors.my_data(person, request.auth)
    actions.my_data_download(actor=request.auth, person=person, fmt="json", sections=len(data.sections))
    return as_dict(data)


@me_router.get("/corrections", response=page_of(CorrectionOut), summary="My correction requests (newest first)")
def me_corrections(request, after: int | None = None, size: int = PAGE_SIZE):
    person = actions.person_of(request.auth)
    return paged(selectors.corrections_of(person), _out, after=after, size=size)


@me_router.post("/corrections", response={201: CorrectionOut}, summary="Ask for a correction of my registration")
def me_correction_create(request, payload: CorrectionCreateIn):
    req = actions.correction_request(actor=request.auth, field=payload.field, value=payload.value, note=payload.note)
    return Status(201, _out(req))


@router.get("/corrections", response=CorrectionPageOut, summary="Correction requests to decide (scoped)")
def correction_list(request, filters: Query[CorrectionQueueIn]):
    status = filters.status if filters.status in CorrectionStatus.values else CorrectionStatus.REQUESTED
    qs = selectors.correction_queue(request.auth, status=status)
    return paged(qs, lambda c: _staff_out(c, request.auth), after=filters.after, size=filters.size)


def _get(user: Any, correction_id: int) -> CorrectionRequest:
    return access_correction(user, correction_id)


@router.get("/corrections/{correction_id}", response=CorrectionStaffOut, summary="One correction request")
def correction_detail(request, correction_id: int):
    return _staff_out(_get(request.auth, correction_id), request.auth)


_INPUTS: dict[str, type[Schema]] = {
    "accept": CorrectionAcceptIn, "refuse": CorrectionRefuseIn, "withdraw": CorrectionWithdrawIn,
}


action_routes(
    router, CORRECTION_TRANSITIONS, name="correction", path="/corrections/{correction_id}", access=_get,
    response=CorrectionStaffOut, schemas=_INPUTS,
    act=lambda actor, c, name, data: actions.correction_transition(request=c.pk, name=name, actor=actor, data=data),
    out=lambda c, user: _staff_out(access_correction(user, c.pk), user),
)

