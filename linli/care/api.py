"""Care API (/api/v1/care): visit plans, visit logs and the needs they raise (to a case or an order in one
call), the elders' canteens, their menus, meal orders (the price from the registry's rules) and the day's
delivery list. Every list pages by keyset (``next_after``); every object comes through the access kit (404
out of scope, as a missing one); errors in the one shape {code, message, fields}; ``status`` is never an
input. Schema names carry the module's prefix (``Care…``): one name, one shape in the OpenAPI schema."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from linli.care import actions
from linli.care.access import access_canteen, access_home_service, access_meal_order, access_need, access_plan
from linli.care.models import Canteen, MealOrder, MenuItem, Need, Visit, VisitPlan
from linli.care.workflow import HOME_SERVICE_TRANSITIONS, PERM_CANTEEN
from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.workflow_api import ActionIn, StateOut, action_routes, state_out

router = Router(tags=["care"])


class CarePlanOut(Schema):
    id: int
    person_id: int
    person_name: str
    rule: str
    every_days: int
    next_due: datetime.date
    last_visit_at: datetime.datetime | None
    overdue: bool
    assignee_id: int | None


CarePlanPageOut = page_of(CarePlanOut)


class CareNeedIn(Schema):
    kind: str = "other"
    text: str


class CareVisitIn(Schema):
    found: str = Field(description="well, unwell, hospital, needs, absent …")
    note: str = ""
    lon: float | None = None
    lat: float | None = None
    visited_at: datetime.datetime | None = None
    needs: list[CareNeedIn] = Field(default_factory=list, max_length=10)


class CareNeedOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    text: str
    status: str
    case_id: int | None
    order_id: int | None
    created_at: datetime.datetime


CareNeedPageOut = page_of(CareNeedOut)


class CareVisitOut(Schema):
    id: int
    plan_id: int | None
    person_id: int
    person_name: str
    visitor_name: str
    visited_at: datetime.datetime
    found: str
    note: str
    lon: float | None
    lat: float | None
    needs: list[CareNeedOut]


CareVisitPageOut = page_of(CareVisitOut)


class CareNeedActionOut(Schema):
    need: CareNeedOut
    case_id: int | None = None
    order_id: int | None = None


class CareCanteenOut(Schema):
    id: int
    name: str
    address: str
    delivers: bool
    order_until: datetime.time


CareCanteenPageOut = page_of(CareCanteenOut)


class CareMenuItemOut(Schema):
    id: int
    canteen_id: int
    day: datetime.date
    meal: str
    name: str
    price: Decimal
    my_price: Decimal | None = Field(description="what I pay (the registry's age and the price rules)")
    my_rule: str


class CareMealOrderIn(Schema):
    item_id: int
    quantity: int = 1
    deliver: bool = False
    address: str = ""
    person_id: int | None = Field(None, description="canteen staff ordering for a person of their area")


class CareMealOrderOut(Schema):
    id: int
    canteen_id: int
    item_id: int
    dish: str
    day: datetime.date
    person_name: str
    quantity: int
    full_price: Decimal
    price: Decimal
    rule: str
    deliver: bool
    address: str
    status: str


CareMealOrderPageOut = page_of(CareMealOrderOut)


def plan_out(p: VisitPlan) -> dict[str, Any]:
    return {
        "id": p.pk, "person_id": p.person_id, "person_name": p.person.name, "rule": p.rule.tag_code,
        "every_days": p.every_days, "next_due": p.next_due, "last_visit_at": p.last_visit_at,
        "overdue": p.next_due < timezone.localdate(), "assignee_id": p.assignee_id,
    }


def need_out(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk, "person_id": n.person_id, "person_name": n.person.name, "kind": n.kind, "text": n.text,
        "status": n.status, "case_id": n.case_id, "order_id": n.order_id, "created_at": n.created_at,
    }


def visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk, "plan_id": v.plan_id, "person_id": v.person_id, "person_name": v.person.name,
        "visitor_name": v.visitor_name, "visited_at": v.visited_at, "found": v.found, "note": v.note,
        "lon": v.lon, "lat": v.lat, "needs": [need_out(n) for n in v.needs.all()],
    }


def order_out(o: MealOrder) -> dict[str, Any]:
    return {
        "id": o.pk, "canteen_id": o.canteen_id, "item_id": o.item_id, "dish": o.item.name, "day": o.day,
        "person_name": o.person_name, "quantity": o.quantity, "full_price": o.full_price, "price": o.price,
        "rule": o.rule, "deliver": o.deliver, "address": o.address, "status": o.status,
    }


# --- visits ----------------------------------------------------------------------------------------------------


@router.get("/plans", response=CarePlanPageOut, summary="Visit plans: mine (default) or my area's")
def plan_list(request, mine: bool = True, overdue: bool = False, after: int | None = None, size: int = 50):
    qs = VisitPlan.objects.filter(active=True).visible_to(request.auth).select_related("person", "rule")
    if mine:
        qs = qs.filter(assignee_id=request.auth.pk)
    if overdue:
        qs = qs.filter(next_due__lt=timezone.localdate())
    return paged(qs, plan_out, after=after, size=size)


@router.get("/plans/{int:plan_id}", response=CarePlanOut, summary="One visit plan")
def plan_get(request, plan_id: int):
    return plan_out(access_plan(request.auth, plan_id))


@router.post("/plans/{int:plan_id}/visits", response={201: CareVisitOut},
             summary="Log a visit of the plan (what was found, location, needs raised)")
def plan_visit_log(request, plan_id: int, payload: CareVisitIn):
    plan = access_plan(request.auth, plan_id)
    visit = actions.visit_log(
        actor=request.auth, plan=plan, found=payload.found, note=payload.note, lon=payload.lon, lat=payload.lat,
        visited_at=payload.visited_at, needs=[n.dict() for n in payload.needs],
    )
    visit = Visit.objects.select_related("person").prefetch_related("needs__person").get(pk=visit.pk)
    return Status(201, visit_out(visit))


@router.get("/visits", response=CareVisitPageOut, summary="Visit logs I may see, newest first")
def visit_list(request, person_id: int | None = None, after: int | None = None, size: int = 30):
    qs = Visit.objects.visible_to(request.auth).select_related("person").prefetch_related("needs__person")
    if person_id:
        qs = qs.filter(person_id=person_id)
    return paged(qs, visit_out, after=after, size=size, max_size=100)


@router.get("/needs", response=CareNeedPageOut, summary="The needs list (群众需求清单), newest first")
def need_list(request, status: str = "open", after: int | None = None, size: int = 50):
    qs = Need.objects.visible_to(request.auth).select_related("person")
    if status:
        qs = qs.filter(status=status)
    return paged(qs, need_out, after=after, size=size)


@router.post("/needs/{int:need_id}/case", response=CareNeedActionOut, summary="Turn a need into a case")
def need_case(request, need_id: int):
    access_need(request.auth, need_id)
    need, case = actions.need_to_case(need=need_id, actor=request.auth)
    return {"need": need_out(access_need(request.auth, need.pk)), "case_id": case.pk}


@router.post("/needs/{int:need_id}/order", response=CareNeedActionOut, summary="Turn a need into a service order")
def need_order(request, need_id: int):
    access_need(request.auth, need_id)
    need, order = actions.need_to_order(need=need_id, actor=request.auth)
    return {"need": need_out(access_need(request.auth, need.pk)), "order_id": order.pk}


@router.post("/needs/{int:need_id}/resolve", response=CareNeedActionOut, summary="Mark a need resolved")
def need_resolve(request, need_id: int):
    access_need(request.auth, need_id)
    need = actions.need_resolve(need=need_id, actor=request.auth)
    return {"need": need_out(access_need(request.auth, need.pk))}


# --- the elders' canteen ---------------------------------------------------------------------------------------


@router.get("/canteens", response=CareCanteenPageOut, summary="Canteens of my community and area")
def canteen_list(request, after: int | None = None, size: int = 50):
    qs = Canteen.objects.filter(active=True).visible_to(request.auth)
    return paged(qs, lambda c: {f: getattr(c, f) for f in ("id", "name", "address", "delivers", "order_until")},
                 after=after, size=size)


@router.get("/canteens/{int:canteen_id}/menu", response=page_of(CareMenuItemOut),
            summary="A day's menu with my price (in the order the dishes were added)")
def canteen_menu(request, canteen_id: int, day: datetime.date | None = None, after: int | None = None,
                 size: int = PAGE_SIZE):
    from linli.care.models import PriceRule
    from linli.residents.selectors import person_for_user

    canteen = access_canteen(request.auth, canteen_id)
    day = day or timezone.localdate()
    person = person_for_user(request.auth)
    rules = list(PriceRule.objects.filter(active=True).order_by("percent", "id"))

    def out(item: MenuItem) -> dict[str, Any]:
        price, rule = (actions.meal_price(birth=person.birth_date, day=day, full=item.price, rules=rules)
                       if person is not None else (None, ""))
        return {"id": item.pk, "canteen_id": canteen.pk, "day": item.day, "meal": item.meal, "name": item.name,
                "price": item.price, "my_price": price, "my_rule": rule}

    return paged(MenuItem.objects.filter(canteen=canteen, day=day), out, after=after, size=size, ascending=True)


@router.post("/meal-orders", response={201: CareMealOrderOut}, summary="Order a meal (my price from the registry)")
def meal_order_create(request, payload: CareMealOrderIn):
    order = actions.meal_order(actor=request.auth, item=payload.item_id, quantity=payload.quantity,
                               deliver=payload.deliver, address=payload.address, person=payload.person_id)
    return Status(201, order_out(access_meal_order(request.auth, order.pk)))


@router.get("/meal-orders", response=CareMealOrderPageOut, summary="Meal orders: mine, or my canteens' (staff)")
def meal_order_list(request, mine: bool = True, canteen_id: int | None = None, day: datetime.date | None = None,
                    after: int | None = None, size: int = 50):
    qs = MealOrder.objects.visible_to(request.auth).select_related("item")
    if mine:
        qs = qs.filter(orderer_id=request.auth.pk)
    if canteen_id:
        qs = qs.filter(canteen_id=canteen_id)
    if day:
        qs = qs.filter(day=day)
    return paged(qs, order_out, after=after, size=size)


@router.post("/meal-orders/{int:meal_order_id}/cancel", response=CareMealOrderOut, summary="Cancel a meal order")
def meal_order_cancel(request, meal_order_id: int):
    access_meal_order(request.auth, meal_order_id)
    actions.meal_order_cancel(actor=request.auth, order=meal_order_id)
    return order_out(access_meal_order(request.auth, meal_order_id))


@router.get("/canteens/{int:canteen_id}/deliveries", response=page_of(CareMealOrderOut),
            summary="The day's meals to deliver (助老送餐; canteen staff), in the order they were ordered")
def canteen_deliveries(request, canteen_id: int, day: datetime.date | None = None, after: int | None = None,
                       size: int = PAGE_SIZE):
    canteen = access_canteen(request.auth, canteen_id)
    perms: frozenset[str] = getattr(request.auth, "perms", frozenset())
    if PERM_CANTEEN not in perms or not request.auth.scope.covers_path(canteen.place_path):
        raise Http404  # like a canteen out of scope
    day = day or timezone.localdate()
    return paged(actions.deliveries(canteen=canteen, day=day), order_out, after=after, size=size, ascending=True)


class CareHomeScheduleIn(ActionIn):
    provider: int = Field(description="who goes (a user who makes visits)")
    when: datetime.datetime


class CareHomeCompleteIn(ActionIn):
    note: str = Field(..., min_length=1, max_length=4000)
    found: str = Field("", max_length=16)


action_routes(  # a home service request (上门服务): schedule, complete, cancel
    router, HOME_SERVICE_TRANSITIONS, name="home_service", path="/home-services/{int:home_service_id}",
    access=access_home_service, response=StateOut, out=state_out(HOME_SERVICE_TRANSITIONS),
    schemas={"schedule": CareHomeScheduleIn, "complete": CareHomeCompleteIn},
    act=lambda actor, r, name, data: actions.home_service_transition(request=r.pk, name=name, actor=actor, data=data),
)
