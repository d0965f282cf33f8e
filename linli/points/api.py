"""Points API (/api/v1/points): my balance and ledger, the ledger (staff; filters, keyset paging),
corrections and reversals, rules, the shop's items, redemptions (create, fulfil by code, refund,
cancel), rankings and selections.

Errors: 404 out of scope or missing, 403 not the actor's to do, 409 refused, 422 invalid.
``status`` is never an input.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged, patch_values
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.masking import mask_name
from linli.core.workflow_api import action_routes
from linli.points import actions, selectors
from linli.points.access import access_redemption, access_selection
from linli.points.models import PointsEntry, PointsRule, Redemption, SelectionCandidate, ShopItem
from linli.points.workflow import (
    PERM_MANAGE,
    REDEMPTION_TRANSITIONS,
    SELECTION_TRANSITIONS,
    available_actions,
)

router = Router(tags=["points"])


def _person_or_none(user):
    from linli.residents.selectors import person_for_user

    return person_for_user(user)


def _require_perm(user, *perms: str) -> None:
    if not set(perms) & set(getattr(user, "perms", frozenset())):
        raise PermissionDenied(_("You may not do this."))


# --- schemas ----------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    person_id: int
    person: str
    amount: int
    kind: str
    rule: str | None
    area: str
    source: str
    note: str
    at: datetime.datetime
    reversed: bool = False


class HoursOut(Schema):
    id: int
    hours: Decimal
    kind: str
    occurred_on: datetime.date
    note: str


class RedemptionOut(Schema):
    id: int
    code: str
    item_id: int
    item: str
    cost: int
    status: str
    created_at: datetime.datetime
    actions: list[str] = []


class PointsMeOut(Schema):
    person_id: int | None
    balance: int
    entries: list[EntryOut]
    hours: list[HoursOut]
    redemptions: list[RedemptionOut]


EntryPageOut = page_of(EntryOut)


class EntryListIn(Schema):
    person_id: int | None = None
    kind: str | None = None
    area: str | None = None
    rule: str | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    after: int | None = None
    size: int = 50


class CorrectIn(Schema):
    person_id: int
    amount: int
    note: str


class PointsNoteIn(Schema):
    note: str = ""


class RuleOut(Schema):
    id: int
    code: str
    name: str
    area: str
    points: int
    description: str
    active: bool


class RuleUpdateIn(Schema):
    name: str | None = None
    area: str | None = None
    points: int | None = None
    description: str | None = None
    active: bool | None = None


class ItemOut(Schema):
    id: int
    community_id: int
    name: str
    kind: str
    description: str
    cost: int
    stock: int | None
    provider_name: str
    provider_user_id: int | None
    provider_organisation_id: int | None
    active: bool


class ItemIn(Schema):
    community_id: int
    name: str
    kind: str = "goods"
    description: str = ""
    cost: int
    stock: int | None = None
    provider_name: str = ""
    provider_user_id: int | None = None
    provider_organisation_id: int | None = None
    active: bool = True


class ItemUpdateIn(Schema):
    name: str | None = None
    kind: str | None = None
    description: str | None = None
    cost: int | None = None
    stock: int | None = None
    provider_name: str | None = None
    provider_user_id: int | None = None
    provider_organisation_id: int | None = None
    active: bool | None = None


class RedeemIn(Schema):
    item_id: int


class CodeIn(Schema):
    code: str


class RankOut(Schema):
    rank: int
    person_id: int
    name: str
    total: int


class CandidateOut(Schema):
    id: int
    person_id: int
    name: str
    points: int
    hours: Decimal
    score: Decimal
    included: bool
    rank: int


class SelectionOut(Schema):
    id: int
    community_id: int
    year: int
    half: str
    title: str
    status: str
    points_weight: Decimal
    hours_weight: Decimal
    size: int
    candidates: list[CandidateOut] = []


class SelectionIn(Schema):
    community_id: int
    year: int
    half: str
    title: str = ""
    points_weight: Decimal = Decimal(1)
    hours_weight: Decimal = Decimal(1)
    size: int = 10


class CandidateIn(Schema):
    candidate_id: int
    included: bool
    rank: int


def entry_out(e: PointsEntry, *, masked: bool = True) -> dict[str, Any]:
    name = e.person.name if hasattr(e, "person") and e.person is not None else ""
    return {
        "id": e.pk,
        "person_id": e.person_id,
        "person": mask_name(name) if masked else name,
        "amount": e.amount,
        "kind": e.kind,
        "rule": e.rule.code if e.rule is not None else None,
        "area": e.area,
        "source": e.source,
        "note": e.note,
        "at": e.at,
    }


def redemption_out(r: Redemption, user) -> dict[str, Any]:
    return {
        "id": r.pk,
        "code": r.code,
        "item_id": r.item_id,
        "item": r.item.name,
        "cost": r.cost,
        "status": r.status,
        "created_at": r.created_at,
        "actions": [t.name for t in available_actions(r, user)],
    }


def selection_out(sel, *, candidates: bool = True) -> dict[str, Any]:
    out = {
        "id": sel.pk,
        "community_id": sel.community_id,
        "year": sel.year,
        "half": sel.half,
        "title": sel.title,
        "status": sel.status,
        "points_weight": sel.points_weight,
        "hours_weight": sel.hours_weight,
        "size": sel.size,
        "candidates": [],
    }
    if candidates:
        rows = SelectionCandidate.objects.filter(selection=sel).select_related("person")
        out["candidates"] = [
            {
                "id": c.pk,
                "person_id": c.person_id,
                "name": mask_name(c.person.name),
                "points": c.points,
                "hours": c.hours,
                "score": c.score,
                "included": c.included,
                "rank": c.rank,
            }
            for c in rows
        ]
    return out


# --- me -------------------------------------------------------------------------------------------------


@router.get("/me", response=PointsMeOut, summary="My balance, entries, hours and redemptions")
def me(request):
    person = _person_or_none(request.auth)
    if person is None:
        return {"person_id": None, "balance": 0, "entries": [], "hours": [], "redemptions": []}
    entries = list(selectors.my_entries(person.pk))
    for e in entries:
        e.person = person
    return {
        "person_id": person.pk,
        "balance": selectors.balance_of(person.pk),
        "entries": [entry_out(e, masked=False) for e in entries],
        "hours": list(selectors.my_hours(person.pk)),
        "redemptions": [redemption_out(r, request.auth) for r in selectors.my_redemptions(person.pk)],
    }


# --- the ledger (staff) ------------------------------------------------------------------------------------


@router.get("/entries", response=EntryPageOut, summary="The ledger under my places (filters, keyset paging)")
def entry_list(request, filters: Query[EntryListIn]):
    _require_perm(request.auth, PERM_MANAGE, "points.fulfil")
    size = max(1, min(filters.size, 200))
    f = filters.dict(exclude={"after", "size"})
    rows = list(selectors.entry_list(user=request.auth, filters=f, after=filters.after, limit=size + 1))
    next_after = rows[size - 1].pk if len(rows) > size else None
    return {"items": [entry_out(e) for e in rows[:size]], "next_after": next_after}


@router.post("/entries/correct", response={201: EntryOut}, summary="A manual correction (+/−), with a reason")
def entry_correct(request, payload: CorrectIn):
    e = actions.points_correct(
        person_id=payload.person_id, amount=payload.amount, note=payload.note, actor=request.auth
    )
    return Status(201, entry_out(PointsEntry.objects.select_related("person", "rule").get(pk=e.pk)))


@router.post("/entries/{int:entry_id}/reverse", response={201: EntryOut}, summary="Reverse an entry (once)")
def entry_reverse(request, entry_id: int, payload: PointsNoteIn):
    if not PointsEntry.objects.visible_to(request.auth).filter(pk=entry_id).exists():
        raise NotFound(_("Not found."))
    e = actions.points_reverse(entry_id=entry_id, note=payload.note, actor=request.auth)
    return Status(201, entry_out(PointsEntry.objects.select_related("person", "rule").get(pk=e.pk)))


# --- rules ---------------------------------------------------------------------------------------------------


@router.get("/rules", response=list[RuleOut], summary="The points rules")
def rule_list(request):
    return list(PointsRule.objects.all())


@router.patch("/rules/{code}", response=RuleOut, summary="Edit a rule (points.manage)")
def rule_update(request, code: str, payload: RuleUpdateIn):
    rule = PointsRule.objects.filter(code=code).first()
    if rule is None:
        raise NotFound(_("Not found."))
    return actions.rule_update(rule=rule, actor=request.auth, **patch_values(payload, rule))


# --- the shop ------------------------------------------------------------------------------------------------


@router.get(
    "/items", response=page_of(ItemOut), summary="Items on offer to me; staff: the items of their places (oldest first)"
)
def item_list(request, after: int | None = None, size: int = PAGE_SIZE):
    if PERM_MANAGE in request.auth.perms:
        qs = ShopItem.objects.visible_to(request.auth)
    else:
        qs = selectors.shop_items_for(_person_or_none(request.auth))
    return paged(qs, lambda item: item, after=after, size=size, ascending=True)


@router.post("/items", response={201: ItemOut}, summary="Add an item to the shop (points.manage)")
def item_create(request, payload: ItemIn):
    data = payload.dict(exclude={"community_id"})
    return Status(201, actions.item_create(community=payload.community_id, actor=request.auth, **data))


@router.patch("/items/{int:item_id}", response=ItemOut, summary="Edit an item (points.manage)")
def item_update(request, item_id: int, payload: ItemUpdateIn):
    item = ShopItem.objects.visible_to(request.auth).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Not found."))
    return actions.item_update(item=item_id, actor=request.auth, **patch_values(payload, item))


@router.get(
    "/redemptions", response=page_of(RedemptionOut), summary="My redemptions; staff: those under their places"
)
def redemption_list(request, after: int | None = None, size: int = PAGE_SIZE):
    qs = Redemption.objects.visible_to(request.auth).select_related("item")
    return paged(qs, lambda r: redemption_out(r, request.auth), after=after, size=size)


@router.post("/redemptions", response={201: RedemptionOut}, summary="Redeem points for an item")
def redemption_create(request, payload: RedeemIn):
    r = actions.redemption_create(item_id=payload.item_id, actor=request.auth)
    return Status(201, redemption_out(r, request.auth))


@router.post("/redemptions/fulfil", response=RedemptionOut, summary="Hand over: the provider enters the code")
def redemption_fulfil(request, payload: CodeIn):
    r = actions.redemption_fulfil_by_code(code=payload.code, actor=request.auth)
    return redemption_out(r, request.auth)


@router.get("/redemptions/{int:redemption_id}", response=RedemptionOut, summary="One redemption")
def redemption_detail(request, redemption_id: int):
    return redemption_out(access_redemption(request.auth, redemption_id), request.auth)


action_routes(  # refund, cancel; handing over ("fulfil") takes the code the resident shows: POST /redemptions/fulfil
    router, REDEMPTION_TRANSITIONS, name="redemption", path="/redemptions/{int:redemption_id}",
    access=access_redemption, response=RedemptionOut, default=PointsNoteIn, only=("refund", "cancel"),
    act=lambda actor, r, name, data: actions.redemption_transition(redemption=r.pk, name=name, actor=actor, note=data["note"]),
    out=redemption_out,
)


# --- rankings and selections -------------------------------------------------------------------------------


class RankingIn(Schema):
    place_id: int
    period: str = "month"
    day: datetime.date | None = None
    limit: int = 10


@router.get(
    "/rankings", response=list[RankOut], summary="Top persons by points earned in a grid or community"
)
def ranking(request, q: Query[RankingIn]):
    from linli.places.selectors import place_get

    _require_perm(request.auth, PERM_MANAGE)
    place = place_get(q.place_id)
    if place is None or not request.auth.scope.covers_path(place.path):
        raise NotFound(_("Not found."))
    if q.period not in selectors.PERIODS:
        raise Invalid(_("Unknown period."), fields={"period": [_("Unknown period.")]})
    since, until = selectors.period_bounds(q.period, q.day or timezone.localdate())
    rows = selectors.ranking(place_path=place.path, since=since, until=until, limit=max(1, min(q.limit, 100)))
    return [{**r, "name": mask_name(r["name"])} for r in rows]


@router.get("/selections", response=page_of(SelectionOut), summary="Selections under my places")
def selection_list(request, after: int | None = None, size: int = PAGE_SIZE):
    _require_perm(request.auth, PERM_MANAGE)
    from linli.points.models import Selection

    qs = Selection.objects.visible_to(request.auth)
    return paged(qs, lambda s: selection_out(s, candidates=False), after=after, size=size)


@router.post(
    "/selections", response={201: SelectionOut}, summary="Start a half-year selection (shortlist computed)"
)
def selection_create(request, payload: SelectionIn):
    sel = actions.selection_create(
        community=payload.community_id, actor=request.auth, **payload.dict(exclude={"community_id"})
    )
    return Status(201, selection_out(sel))


@router.get(
    "/selections/{int:selection_id}", response=SelectionOut, summary="One selection with its shortlist"
)
def selection_detail(request, selection_id: int):
    return selection_out(access_selection(request.auth, selection_id))


@router.post(
    "/selections/{int:selection_id}/candidates", response=SelectionOut, summary="Include/exclude, rank"
)
def selection_candidate(request, selection_id: int, payload: CandidateIn):
    sel = access_selection(request.auth, selection_id)
    actions.selection_candidate_set(
        selection=sel,
        candidate_id=payload.candidate_id,
        included=payload.included,
        rank=payload.rank,
        actor=request.auth,
    )
    return selection_out(sel)


action_routes(
    router, SELECTION_TRANSITIONS, name="selection", path="/selections/{int:selection_id}", access=access_selection,
    response=SelectionOut, act=lambda actor, sel, name, data: actions.selection_transition(selection=sel.pk, name=name, actor=actor),
    out=lambda sel, user: selection_out(sel),
)
