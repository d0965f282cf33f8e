"""Cases API (/api/v1/cases): file a case, list (filters, keyset paging), one case, and one endpoint per
transition of the workflow table: ``POST /api/v1/cases/{id}/{action}`` (accept, refuse, merge, dispatch,
sign, return, handle, report, verify, rework, rate, close, reopen, extend, extend_approve,
extend_reject, park, unpark, supervise, summon, summon_sign, summon_answer, comment), each with its
own input schema. ``status`` is never an input: only the transitions move it.

Errors: 404 out of scope or missing, 403 not the actor's to do, 409 refused transition, 422 invalid.
Photos travel in JSON as base64 strings (at most 9, each within the size limit).
"""

import datetime
import re
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from linli.cases import actions, selectors
from linli.cases.access import access_case, can_report, is_staff_for
from linli.cases.deadlines import light
from linli.cases.models import Case
from linli.cases.routing import place_name, routing_steps
from linli.cases.workflow import (
    PERM_UNMASK,
    TRANSITIONS,
    Channel,
    OwnerKind,
    Satisfaction,
)
from linli.core.api import page_of
from linli.core.errors import Invalid, PermissionDenied
from linli.core.masking import mask_name, mask_phone
from linli.core.pii import pii_reveal
from linli.core.uploads import photos_from_base64
from linli.core.workflow_api import action_routes

router = Router(tags=["cases"])

def _photos(items: list[str]) -> list[bytes]:
    return photos_from_base64(items, field="photos")


# --- output ------------------------------------------------------------------------------------------------


class CaseRowOut(Schema):
    id: int
    number: str
    title: str
    status: str
    channel: str
    category: str
    category_id: int
    grid: str | None
    community: str | None
    owner: str
    owner_kind: str
    priority: int
    support_count: int
    reported_at: datetime.datetime
    handle_due: datetime.datetime | None
    light: str
    private: bool


CasePageOut = page_of(CaseRowOut)


class EventOut(Schema):
    id: int
    kind: str
    label: str
    at: datetime.datetime
    actor: str
    from_status: str
    to_status: str
    note: str
    reply: str
    data: dict[str, Any]
    photos: list[str]


class SummonsOut(Schema):
    id: int
    department_id: int
    department: str
    status: str
    instruction: str
    due: datetime.datetime
    signed_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    answer: str


class ActionOut(Schema):
    name: str
    label: str
    style: str
    required: list[str]
    target: str | None


class CaseOut(Schema):
    id: int
    number: str
    title: str
    description: str
    status: str
    status_label: str
    channel: str
    category_id: int
    category: str
    address: str
    lon: float | None
    lat: float | None
    place_id: int | None
    grid_id: int | None
    grid: str | None
    community_id: int | None
    community: str | None
    reporter_name: str  # masked for staff; the reporter sees their own
    reporter_phone: str  # masked
    private: bool
    owner_kind: str
    owner_user_id: int | None
    owner_department_id: int | None
    owner: str
    priority: int
    support_count: int
    reported_at: datetime.datetime
    sign_due: datetime.datetime | None
    handle_due: datetime.datetime | None
    feedback_due: datetime.datetime | None
    return_due: datetime.datetime | None
    light: str
    light_for: str
    parked_seconds: int
    merged_into_id: int | None
    reopen_count: int
    rework_count: int
    extension_state: str
    extension_days: int
    satisfaction: str
    solved: bool | None
    closed_at: datetime.datetime | None
    closed_reason: str
    routing: list[str]
    photos: list[str]
    summons: list[SummonsOut]
    timeline: list[EventOut]
    actions: list[ActionOut]


def _utc(value: Any) -> Any:
    """Times in UTC, as a read from the database gives them (the intake computes deadlines in local time)."""
    return value.astimezone(datetime.UTC) if isinstance(value, datetime.datetime) else value


def case_out(case: Case, user: Any) -> dict[str, Any]:
    """The case as ``user`` reads it. A case just filed by ``case_create`` (which keeps its "created" event
    and photos on it) answers from what was written, reading nothing back: no owner, no summons yet, its
    grid's and community's names from the routing's cache."""
    created = getattr(case, "_created_event", None)
    if created is None:
        case = Case.objects.select_related("category", "grid", "community", "owner_user", "owner_department").get(
            pk=case.pk)
        grid = case.grid.name if case.grid else None
        community = case.community.name if case.community else None
        photos = [p.image.url for p in case.photos.filter(event__kind="created")]
        summons = selectors.case_summons(case)
        timeline = selectors.case_timeline(case, user)
        staff = is_staff_for(user, case)
    else:
        case._open_summons_cache = []  # type: ignore[attr-defined]  # none yet: the guards read no summons
        grid, community = place_name(case.grid_id), place_name(case.community_id)
        created_photos = getattr(case, "_created_photos", [])
        photos = [p.image.url for p in created_photos]
        summons = []
        staff = is_staff_for(user, case)
        timeline = [selectors.timeline_entry(created, staff=staff, photos=created_photos)]
    mine = case.reporter_id is not None and case.reporter_id == getattr(user, "pk", None)
    lamp = light(case)
    return {
        **{f: _utc(getattr(case, f)) for f in (
            "id", "number", "title", "description", "status", "channel", "category_id", "address", "lon", "lat",
            "place_id", "grid_id", "community_id", "private", "owner_kind", "owner_user_id", "owner_department_id",
            "priority", "support_count", "reported_at", "sign_due", "handle_due", "feedback_due", "return_due",
            "parked_seconds", "merged_into_id", "reopen_count", "rework_count", "extension_state", "extension_days",
            "satisfaction", "solved", "closed_at", "closed_reason")},
        "status_label": str(case.get_status_display()),
        "category": case.category.name,
        "grid": grid,
        "community": community,
        "reporter_name": case.reporter_name if mine else mask_name(case.reporter_name),
        "reporter_phone": mask_phone(case.reporter_phone),
        "owner": str(case.owner_user or case.owner_department or (community if case.owner_kind == "community" else "")
                     or ""),
        "light": lamp.level,
        "light_for": lamp.which,
        "routing": routing_steps(case.routing) if staff else [],
        "photos": photos,
        "summons": [
            {"id": s.pk, "department_id": s.department_id, "department": s.department.name, "status": s.status,
             "instruction": s.instruction, "due": s.due, "signed_at": s.signed_at, "answered_at": s.answered_at, "answer": s.answer}
            for s in summons
        ],
        "timeline": [e.__dict__ for e in timeline],
        "actions": selectors.case_actions(case, user),
    }


# --- list, create, one ----------------------------------------------------------------------------------------


class CaseListIn(Schema):
    view: str = Field("all", description="all | mine | desk | department | overdue | reported")
    status: list[str] = Field(default_factory=list, description='states; "open" for every open state')
    category: int | None = None
    place: int | None = None
    department: int | None = None
    channel: str = ""
    overdue: bool = False
    q: str = ""
    reported_from: datetime.datetime | None = None
    reported_to: datetime.datetime | None = None
    after: int | None = None
    size: int = selectors.PAGE_SIZE


@router.get("", response=CasePageOut, summary="Cases I may see (filters, keyset paging: pass next_after)")
def case_list(request, filters: Query[CaseListIn]):
    f = selectors.CaseFilters(
        view=filters.view, status=filters.status, category=filters.category, place=filters.place,
        department=filters.department, channel=filters.channel, overdue=filters.overdue, q=filters.q,
        reported_from=filters.reported_from, reported_to=filters.reported_to,
    )
    rows, next_after = selectors.case_page(request.auth, f, after=filters.after, size=filters.size)
    items = [
        {**r, "category": r["category__name"], "grid": r["grid__name"], "community": r["community__name"]} for r in rows
    ]
    return {"items": items, "next_after": next_after}


class CaseCreateIn(Schema):
    category: int | str = Field(..., description="category id or code")
    title: str = Field("", max_length=100)
    description: str = Field("", max_length=4000)
    channel: Channel = Channel.SNAPSHOT
    lon: float | None = None
    lat: float | None = None
    place_id: int | None = Field(None, description="a house, building, compound, grid or community")
    building_code: str = Field("", description="the public code of a building's QR code")
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=64)
    reporter_phone: str = Field("", max_length=20)
    private: bool = False
    photos: list[str] = Field(default_factory=list, max_length=9, description="base64 JPEG/PNG, at most 9")


IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


@router.post("", response={201: CaseOut}, summary="File a case (routing, number, deadlines)")
def case_create(request, payload: CaseCreateIn):
    """With an ``Idempotency-Key`` header (1–40 letters, digits, ``_.:-``), sending the same request again
    (a retry after a lost answer, or a proxy's retry) returns the case the first one filed."""
    from linli.places.selectors import building_by_public_code

    user = request.auth
    if not can_report(user):
        raise PermissionDenied(_("You may not file cases."))
    key = request.headers.get("Idempotency-Key", "").strip()
    if key and not IDEMPOTENCY_KEY.match(key):
        raise Invalid(_("The Idempotency-Key header is 1–40 letters, digits or _.:-"))
    place: Any = payload.place_id
    if payload.building_code:
        place = building_by_public_code(payload.building_code)
        if place is None:
            raise Invalid(_("Unknown building code."), fields={"building_code": [_("Not found.")]})
    case = actions.case_create(
        actor=user, category=payload.category, title=payload.title, description=payload.description,
        channel=payload.channel, lon=payload.lon, lat=payload.lat, place=place, address=payload.address,
        reporter_name=payload.reporter_name, reporter_phone=payload.reporter_phone, private=payload.private,
        photos=_photos(payload.photos), external_id=f"key:{user.pk}:{key}" if key else "",
    )
    return Status(201, case_out(case, user))


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    sign_hours: int
    handle_days: int
    feedback_days: int
    emergency_notice: str
    duplicate_radius_m: int


@router.get("/categories", response=list[CategoryOut], summary="Active categories (大类 then 小类)")
def category_list(request, q: str = ""):
    if q:
        return selectors.category_search(q, limit=100)
    return [c for top, subs in selectors.category_tree() for c in (top, *subs)]


class NearbyOut(Schema):
    id: int
    number: str
    title: str
    category: str
    status: str
    support_count: int
    distance_m: float | None


@router.get("/nearby", response=list[NearbyOut], summary="Open public cases near a point (before filing)")
def case_nearby(request, category: int | None = None, lon: float | None = None, lat: float | None = None,
                building_code: str = ""):
    from linli.cases.models import Category
    from linli.places.selectors import building_by_public_code

    cat = Category.objects.filter(pk=category, active=True).first() if category else None
    place = building_by_public_code(building_code) if building_code else None
    return [n.__dict__ for n in selectors.nearby_open_cases(category=cat, lon=lon, lat=lat, place=place)]


class SupportIn(Schema):
    case: int


class SupportOut(Schema):
    id: int
    support_count: int
    priority: int


@router.post("/support", response=SupportOut, summary="我也遇到 (“me too”): once per household")
def case_support(request, payload: SupportIn):
    if not can_report(request.auth):
        raise PermissionDenied(_("You may not file cases."))
    case = actions.case_support(case=payload.case, actor=request.auth)
    return {"id": case.pk, "support_count": case.support_count, "priority": case.priority}


@router.get("/{int:case_id}", response=CaseOut, summary="One case: timeline, summons, the actions I may take")
def case_detail(request, case_id: int):
    return case_out(access_case(request.auth, case_id), request.auth)


class SuggestionOut(Schema):
    id: int
    number: str
    title: str
    status: str
    score: float
    reasons: list[str]
    distance_m: float | None


@router.get("/{int:case_id}/duplicates", response=list[SuggestionOut], summary="Possible duplicates (staff)")
def case_duplicates(request, case_id: int):
    case = access_case(request.auth, case_id)
    if not is_staff_for(request.auth, case):
        raise PermissionDenied(_("You may not do this."))
    return [
        {"id": s.case.pk, "number": s.case.number, "title": s.case.title, "status": s.case.status,
         "score": round(s.score, 3), "reasons": s.reasons, "distance_m": s.distance_m}
        for s in selectors.duplicate_suggestions(case, user=request.auth)
    ]


class CaseRevealOut(Schema):
    reporter_phone: str


@router.get("/{int:case_id}/reporter_phone", response=CaseRevealOut, summary="The reporter's phone unmasked (audited)")
def case_reporter_phone(request, case_id: int, reason: str = ""):
    case = access_case(request.auth, case_id)
    return {"reporter_phone": pii_reveal(actor=request.auth, obj=case, field="reporter_phone", perm=PERM_UNMASK,
                                         reason=reason)}


# --- one endpoint per transition -------------------------------------------------------------------------


class NoteIn(Schema):
    note: str = Field("", max_length=4000, description="internal note (staff only)")
    reply: str = Field("", max_length=4000, description="public reply (the resident reads it)")


class ReasonIn(NoteIn):
    reason: str = Field(..., min_length=1, max_length=2000)


class MergeIn(NoteIn):
    target: int = Field(..., description="the id of the open case this one duplicates")


class DispatchIn(NoteIn):
    owner_kind: OwnerKind | None = Field(None, description="empty: routing's suggestion")
    owner_user: int | None = None
    owner_department: int | None = None
    outside_grid: bool = False


class ReportIn(NoteIn):
    reply: str = Field(..., min_length=1, max_length=4000, description="what was done (the resident reads it)")
    photos: list[str] = Field(default_factory=list, max_length=9)


class RateIn(Schema):
    satisfaction: Satisfaction
    solved: bool
    comment: str = Field("", max_length=1000)


class ExtendIn(NoteIn):
    reason: str = Field(..., min_length=1, max_length=2000)
    days: int = Field(..., ge=1, le=30, description="working days")


class ExtendApproveIn(NoteIn):
    days: int | None = Field(None, ge=1, le=30, description="empty: the days requested")


class SuperviseIn(NoteIn):
    note: str = Field(..., min_length=1, max_length=4000)
    due: datetime.datetime | datetime.date = Field(..., description="the new deadline (a date: its end of office hours)")


class SummonsOrderIn(Schema):
    department: int
    instruction: str = Field(..., min_length=1, max_length=2000, description="what the department is asked to do")
    due: datetime.datetime | datetime.date | None = Field(None, description="answer by (empty: 16 office hours)")


class SummonIn(NoteIn):
    summons: list[SummonsOrderIn] = Field(default_factory=list, max_length=20,
                                          description="one entry per department, each with its instruction and deadline")
    departments: list[int] = Field(default_factory=list, max_length=20,
                                   description="shorthand: these departments, all with `instruction` and `due`")
    instruction: str = Field("", max_length=2000)
    due: datetime.datetime | datetime.date | None = None


class AnswerIn(NoteIn):
    reply: str = Field(..., min_length=1, max_length=4000)


ACTION_SCHEMAS: dict[str, type[Schema]] = {  # the rest take a note (NoteIn)
    "refuse": ReasonIn,
    "merge": MergeIn,
    "dispatch": DispatchIn,
    "return": ReasonIn,
    "report": ReportIn,
    "rework": ReasonIn,
    "rate": RateIn,
    "reopen": ReasonIn,
    "extend": ExtendIn,
    "extend_approve": ExtendApproveIn,
    "extend_reject": ReasonIn,
    "park": ReasonIn,
    "supervise": SuperviseIn,
    "summon": SummonIn,
    "summon_answer": AnswerIn,
}


def _data(name: str, payload: Schema) -> dict[str, Any]:
    data = payload.dict()
    if name == "report":
        data["photos"] = _photos(data.get("photos") or [])
    if name == "dispatch" and data.get("owner_kind") is None:
        data["owner_kind"] = ""
    return data


action_routes(
    router, TRANSITIONS, name="case", path="/{int:case_id}", access=access_case, response=CaseOut,
    act=lambda actor, case, name, data: actions.case_transition(case=case.pk, name=name, actor=actor, data=data),
    out=case_out, schemas=ACTION_SCHEMAS, default=NoteIn, data=_data,
)
