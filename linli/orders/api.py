"""API of the 三单制 orders and 微心愿 wishes, mounted under /api/v1/party by ``config/api.py``
(the paths they had when they were part of the party app):

- ``POST/GET /orders``, ``GET /orders/{id}``, one ``POST /orders/{id}/{action}`` per row of
  ``ORDER_TRANSITIONS`` (dispatch, publish, accept, decline, take, done, rate, close, cancel, recall, return);
- ``POST/GET /wishes``, ``GET /wishes/{id}``, one ``POST /wishes/{id}/{action}`` per row of
  ``WISH_TRANSITIONS`` (publish, reject, adopt, release, fulfil, confirm, withdraw).

``status`` is never an input. Errors: 404 out of scope or missing, 403 not the actor's, 409 refused, 422
invalid. Photos travel as base64 strings.
"""

# No ``from __future__ import annotations``: the per-action endpoints are built in a loop and
# django-ninja reads their real annotations.

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.errors import PermissionDenied
from linli.core.masking import mask_name
from linli.core.uploads import photos_from_base64
from linli.core.workflow_api import action_routes
from linli.orders import actions, selectors
from linli.orders.access import (
    access_order,
    access_wish,
    can_place_order,
    can_post_wish,
    is_order_staff,
)
from linli.orders.workflow import (
    ORDER_TRANSITIONS,
    WISH_TRANSITIONS,
    OrderCategory,
    OrderStatus,
    Satisfaction,
    WishStatus,
    available_order_actions,
    available_wish_actions,
    is_wish_staff,
)

router = Router(tags=["orders"])


def _photo(item: str | None) -> bytes | None:
    return photos_from_base64([item], field="photo")[0] if item else None


# --- orders -----------------------------------------------------------------------------------------------


class OrderEventOut(Schema):
    kind: str
    at: datetime.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class OrderOut(Schema):
    id: int
    category: str
    category_label: str
    description: str
    address: str
    wanted_at: datetime.datetime | None
    status: str
    status_label: str
    requester: str
    org: str | None
    member: str | None
    placed_at: datetime.datetime
    dispatch_due: datetime.datetime | None
    take_due: datetime.datetime | None
    overdue: bool
    done_note: str
    hours: Decimal | None
    satisfaction: str
    rating_comment: str
    flagged: bool
    actions: list[str]
    events: list[OrderEventOut] = []


def order_out(order: Any, user: Any, *, events: bool = True) -> dict[str, Any]:
    staff = is_order_staff(user) or order.requester_id == user.pk
    return {
        "id": order.pk,
        "category": order.category,
        "category_label": order.get_category_display(),
        "description": order.description,
        "address": order.address,
        "wanted_at": order.wanted_at,
        "status": order.status,
        "status_label": order.get_status_display(),
        "requester": order.requester_name if staff else mask_name(order.requester_name),
        "org": str(order.org) if order.org_id else None,
        "member": str(order.member.person) if order.member_id else None,
        "placed_at": order.placed_at,
        "dispatch_due": order.dispatch_due,
        "take_due": order.take_due,
        "overdue": selectors.order_is_overdue(order),
        "done_note": order.done_note,
        "hours": order.hours,
        "satisfaction": order.satisfaction,
        "rating_comment": order.rating_comment,
        "flagged": order.flagged,
        "actions": [t.name for t in available_order_actions(order, user)],
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor_name,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in selectors.order_timeline(order)
        ]
        if events
        else [],
    }


class OrderCreateIn(Schema):
    category: OrderCategory
    description: str = Field(..., min_length=1, max_length=4000)
    address: str = Field(..., min_length=1, max_length=200)
    wanted_at: datetime.datetime | None = None
    photo: str | None = Field(None, description="base64 JPEG/PNG")
    # Staff ordering for a resident:
    person_id: int | None = None
    requester_name: str = Field("", max_length=64)
    place_id: int | None = None


class OrderListIn(Schema):
    status: OrderStatus | None = None
    category: OrderCategory | None = None
    overdue: bool = False
    flagged: bool = False
    view: str = Field("desk", description="desk | pool | mine (as requester) | taken (as member)")
    after: int | None = Field(None, description="keyset paging: next_after of the previous page")
    size: int = Field(PAGE_SIZE, ge=1, le=200)


@router.post("/orders", response={201: OrderOut}, summary="居民点单: order a service")
def order_create(request, payload: OrderCreateIn):
    user = request.auth
    if not can_place_order(user) and not is_order_staff(user):
        raise PermissionDenied(_("You may not order services."))
    order = actions.order_place(
        actor=user,
        category=payload.category,
        description=payload.description,
        address=payload.address,
        wanted_at=payload.wanted_at,
        photo=_photo(payload.photo),
        person=payload.person_id,
        requester_name=payload.requester_name,
        place=payload.place_id,
    )
    return Status(201, order_out(access_order(user, order.pk), user))


ORDER_VIEWS = {"pool": selectors.order_pool, "mine": selectors.my_orders, "taken": selectors.member_orders}
WISH_VIEWS = {"mine": selectors.my_wishes, "adopt": selectors.wishes_to_adopt}


def _page(request, filters: Schema, views: dict[str, Any], listed: Any, out: Any) -> dict[str, Any]:
    """One page of orders or wishes: a named view (the pool, my own …) or the filtered list, newest first."""
    user = request.auth
    view = views.get(filters.view)  # type: ignore[attr-defined]
    qs = view(user=user) if view is not None else listed(user=user, filters=filters.dict(exclude={"after"}))
    return paged(qs, lambda row: out(row, user, events=False), after=filters.after, size=filters.size)  # type: ignore[attr-defined]


@router.get("/orders", response=page_of(OrderOut), summary="Orders I may see (desk filters; the pool; my own)")
def order_list(request, filters: Query[OrderListIn]):
    return _page(request, filters, ORDER_VIEWS, selectors.order_list, order_out)


class ServiceCategoryOut(Schema):
    value: str
    label: str


@router.get(
    "/orders/categories", response=list[ServiceCategoryOut], summary="The services one can order (search: q)"
)
def order_category_list(request, q: str = ""):
    return selectors.order_categories(q)


@router.get(
    "/orders/{int:order_id}", response=OrderOut, summary="One order: timeline and the actions I may take"
)
def order_detail(request, order_id: int):
    return order_out(access_order(request.auth, order_id), request.auth)


class ServiceNoteIn(Schema):
    note: str = Field("", max_length=4000)


class ServiceReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class OrderDispatchIn(ServiceNoteIn):
    member: int = Field(..., description="the party member's id")


class OrderDoneIn(Schema):
    note: str = Field(..., min_length=1, max_length=4000)
    hours: Decimal = Field(..., gt=0, le=24)
    photo: str | None = None


class OrderRateIn(Schema):
    satisfaction: Satisfaction
    comment: str = Field("", max_length=1000)


class EmptyIn(Schema):
    pass


ORDER_SCHEMAS: dict[str, type[Schema]] = {  # the rest: EmptyIn
    "dispatch": OrderDispatchIn,
    "publish": ServiceNoteIn,
    "decline": ServiceReasonIn,
    "done": OrderDoneIn,
    "rate": OrderRateIn,
    "cancel": OptionalReasonIn,
    "recall": ServiceReasonIn,
    "return": ServiceReasonIn,
}


def _data(name: str, payload: Schema) -> dict[str, Any]:
    data = payload.dict()
    if "photo" in data:
        data["photo"] = _photo(data["photo"])
    return data


action_routes(
    router, ORDER_TRANSITIONS, name="party_order", path="/orders/{int:order_id}", access=access_order,
    act=lambda actor, order, name, data: actions.order_transition(order=order.pk, name=name, actor=actor, data=data),
    out=order_out, response=OrderOut, schemas=ORDER_SCHEMAS, default=EmptyIn, data=_data,
)  # the actor may no longer see the order after it (a declined order): order_out, no re-read


# --- wishes -----------------------------------------------------------------------------------------------


class WishOut(Schema):
    id: int
    title: str
    description: str
    status: str
    status_label: str
    poster: str
    community: str
    adopter_kind: str
    adopter: str
    posted_at: datetime.datetime
    fulfilled_at: datetime.datetime | None
    fulfil_note: str
    reject_reason: str
    actions: list[str]
    events: list[OrderEventOut] = []


def wish_out(wish: Any, user: Any, *, events: bool = True) -> dict[str, Any]:
    staff = is_wish_staff(wish, user) or wish.poster_id == user.pk
    return {
        "id": wish.pk,
        "title": wish.title,
        "description": wish.description,
        "status": wish.status,
        "status_label": wish.get_status_display(),
        "poster": wish.poster_name if staff else mask_name(wish.poster_name),
        "community": wish.community.name,
        "adopter_kind": wish.adopter_kind,
        "adopter": wish.adopter_name,
        "posted_at": wish.posted_at,
        "fulfilled_at": wish.fulfilled_at,
        "fulfil_note": wish.fulfil_note,
        "reject_reason": wish.reject_reason,
        "actions": [t.name for t in available_wish_actions(wish, user)],
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor_name,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in selectors.wish_timeline(wish)
        ]
        if events
        else [],
    }


class WishCreateIn(Schema):
    title: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=4000)
    photo: str | None = None
    person_id: int | None = None
    poster_name: str = Field("", max_length=64)
    place_id: int | None = None


class WishListIn(Schema):
    status: WishStatus | None = None
    view: str = Field("all", description="all | mine (as poster) | adopt (to adopt, and adopted by me)")
    after: int | None = Field(None, description="keyset paging: next_after of the previous page")
    size: int = Field(PAGE_SIZE, ge=1, le=200)


@router.post("/wishes", response={201: WishOut}, summary="Post a 微心愿")
def wish_create(request, payload: WishCreateIn):
    user = request.auth
    if not can_post_wish(user) and "wishes.manage" not in getattr(user, "perms", ()):
        raise PermissionDenied(_("You may not post wishes."))
    wish = actions.wish_post(
        actor=user,
        title=payload.title,
        description=payload.description,
        photo=_photo(payload.photo),
        person=payload.person_id,
        poster_name=payload.poster_name,
        place=payload.place_id,
    )
    return Status(201, wish_out(access_wish(user, wish.pk), user))


@router.get("/wishes", response=page_of(WishOut), summary="Wishes I may see")
def wish_list(request, filters: Query[WishListIn]):
    return _page(request, filters, WISH_VIEWS, selectors.wish_list, wish_out)


@router.get(
    "/wishes/{int:wish_id}", response=WishOut, summary="One wish: timeline and the actions I may take"
)
def wish_detail(request, wish_id: int):
    return wish_out(access_wish(request.auth, wish_id), request.auth)


class WishAdoptIn(Schema):
    partner: int | None = Field(None, description="staff recording an adoption by a partner unit")


class WishFulfilIn(Schema):
    note: str = Field(..., min_length=1, max_length=4000)
    hours: Decimal | None = Field(None, gt=0, le=24)
    photo: str | None = None


WISH_SCHEMAS: dict[str, type[Schema]] = {  # the rest: EmptyIn
    "reject": ServiceReasonIn,
    "adopt": WishAdoptIn,
    "release": ServiceReasonIn,
    "fulfil": WishFulfilIn,
    "withdraw": OptionalReasonIn,
}


action_routes(
    router, WISH_TRANSITIONS, name="party_wish", path="/wishes/{int:wish_id}", access=access_wish,
    act=lambda actor, wish, name, data: actions.wish_transition(wish=wish.pk, name=name, actor=actor, data=data),
    out=wish_out, response=WishOut, schemas=WISH_SCHEMAS, default=EmptyIn, data=_data,
)
