"""The elders' canteen (老年幸福食堂): menus, meal orders at the price the rules give (half price for
residents of 60 or more by default, from the registry's date of birth on the day of the meal), delivery to
the door (助老送餐) with a daily list per canteen, and the monthly subsidy report (meals × rule) in Excel."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.actions._common import clean_text
from linli.care.workflow import PERM_CANTEEN, PERM_ORDER_MEAL, MealKind, MealOrderStatus
from linli.core.audit import audit_record
from linli.core.batches import keyset_iter
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.excel import Workbook
from linli.residents.selectors import person_get

CENT = Decimal("0.01")
MAX_QUANTITY = 5


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def meal_price(*, birth: dt.date | None, day: dt.date, full: Decimal, rules: list[Any] | None = None
               ) -> tuple[Decimal, str]:
    """The price a person pays for a dish of price ``full`` on ``day``, and the rule that gave it ("" for
    the full price). Rules are data (``PriceRule``): the lowest price of the rules that apply wins. Pass
    ``rules`` (the active ones) to price many meals with one query."""
    from linli.care.models import PriceRule

    age = age_on(birth, day)
    best, code = Decimal(full), ""
    if age is None:
        return best.quantize(CENT), code
    if rules is None:
        rules = list(PriceRule.objects.filter(active=True).order_by("percent", "id"))
    for rule in rules:
        if rule.min_age > age:
            continue
        price = (Decimal(full) * rule.percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if price < best:
            best, code = price, rule.code
    return best.quantize(CENT), code


def canteen_save(*, actor: Any, place: Any, name: str, address: str = "", delivers: bool = True,
                 order_until: dt.time = dt.time(10, 0)):
    from linli.care.models import Canteen
    from linli.places.selectors import place_get

    if actor is not None and PERM_CANTEEN not in getattr(actor, "perms", frozenset()):
        raise PermissionDenied(_("You may not manage canteens."))
    place = place_get(place)
    if place is None or (actor is not None and not actor.scope.covers_path(place.path)):
        raise NotFound(_("Not found."))
    name = clean_text(name, limit=80)
    if not name:
        raise Invalid(_("Please check the canteen."), fields={"name": [_("This field is required.")]})
    canteen = Canteen.objects.create(place=place, place_path=place.path, name=name, address=clean_text(address, limit=200),
                                     delivers=delivers, order_until=order_until)
    audit_record(action="care.canteen_save", actor=actor, actor_name="" if actor else "system", target=canteen,
                 detail={"name": name})
    return canteen


def menu_item_add(*, actor: Any, canteen: Any, day: dt.date, name: str, price: Any, meal: str = MealKind.LUNCH):
    from linli.care.models import Canteen, MenuItem

    canteen = canteen if isinstance(canteen, Canteen) else Canteen.objects.filter(pk=canteen).first()
    if canteen is None or (actor is not None and not (PERM_CANTEEN in getattr(actor, "perms", frozenset())
                                                     and actor.scope.covers_path(canteen.place_path))):
        raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    name = clean_text(name, limit=100)
    if not name:
        errors["name"] = [_("This field is required.")]
    try:
        price = Decimal(str(price)).quantize(CENT)
        if not Decimal("0") < price <= Decimal("500"):
            raise ValueError
    except (ArithmeticError, ValueError):
        errors["price"] = [_("A price between 0.01 and 500.")]
    if meal not in MealKind.values:
        errors["meal"] = [_("Choose one.")]
    if errors:
        raise Invalid(_("Please check the dish."), fields=errors)
    item = MenuItem.objects.create(canteen=canteen, day=day, meal=meal, name=name, price=price)
    audit_record(action="care.menu_item_add", actor=actor, actor_name="" if actor else "system", target=item,
                 detail={"day": day.isoformat(), "price": str(price)})
    return item


def meal_order(*, actor: Any, item: Any, quantity: Any = 1, deliver: bool = False, address: str = "",
               person: Any = None):
    """A resident orders a meal for themself (the registry person behind the login: their age sets the
    price); canteen staff may order for a person of their area (``person``)."""
    from linli.care.models import Canteen, MealOrder, MenuItem
    from linli.residents.selectors import person_for_user

    perms = getattr(actor, "perms", frozenset()) if actor is not None else frozenset({PERM_CANTEEN})
    pk = getattr(item, "pk", item)
    item = MenuItem.objects.select_related("canteen").filter(pk=pk).first() if str(pk).isdigit() else None
    visible = Canteen.objects.visible_to(actor) if actor is not None else Canteen.objects.all()
    if item is None or not visible.filter(pk=item.canteen_id, active=True).exists():
        raise NotFound(_("Not found."))
    if person is not None and PERM_CANTEEN in perms:
        ppk = getattr(person, "pk", person)
        person = person_get(ppk)
        if person is None or (actor is not None and not actor.scope.covers_path(person.place_path)):
            raise NotFound(_("Not found."))
    elif PERM_ORDER_MEAL in perms:
        person = person_for_user(actor)
    else:
        raise PermissionDenied(_("You may not order meals."))
    errors: dict[str, list[str]] = {}
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = [_("Between 1 and %(n)s.") % {"n": MAX_QUANTITY}]
    now = timezone.localtime()
    if item.day < now.date() or (item.day == now.date() and now.time() > item.canteen.order_until):
        errors["item"] = [_("Orders for this day are closed.")]
    address = clean_text(address, limit=200) or (person.current_address if person is not None else "")
    if deliver and not item.canteen.delivers:
        errors["deliver"] = [_("This canteen does not deliver.")]
    if deliver and not address:
        errors["address"] = [_("Where should the meal be delivered?")]
    if errors:
        raise Invalid(_("Please check the order."), fields=errors)
    birth = person.birth_date if person is not None else None
    price, rule = meal_price(birth=birth, day=item.day, full=item.price)
    name = person.name if person is not None else (getattr(actor, "display_name", "") or str(actor))
    with transaction.atomic():
        order = MealOrder.objects.create(
            item=item, canteen=item.canteen, day=item.day, person=person, person_name=name[:64],
            orderer=actor if getattr(actor, "is_authenticated", False) else None,
            place_path=person.place_path if person is not None else "", quantity=quantity,
            full_price=item.price * quantity, price=price * quantity, rule=rule, deliver=deliver,
            address=address if deliver else "",
        )
        audit_record(action="care.meal_order", actor=actor, actor_name="" if actor else "system", target=order,
                     detail={"item": item.pk, "rule": rule, "deliver": deliver})
    return order


def meal_order_cancel(*, actor: Any, order: Any):
    from linli.care.models import MealOrder

    pk = getattr(order, "pk", order)
    found = MealOrder.objects.select_related("canteen").filter(pk=pk).first()
    if found is None or (actor is not None and found.orderer_id != actor.pk and not (
            PERM_CANTEEN in getattr(actor, "perms", frozenset()) and actor.scope.covers_path(found.canteen.place_path))):
        raise NotFound(_("Not found."))
    now = timezone.localtime()
    if found.day < now.date() or (found.day == now.date() and now.time() > found.canteen.order_until):
        raise Refused(_("It is too late to cancel this meal."), code="refused_transition")
    if not MealOrder.objects.filter(pk=pk, status=MealOrderStatus.ORDERED).update(status=MealOrderStatus.CANCELLED):
        raise Refused(_("This order is already cancelled."), code="refused_transition")
    audit_record(action="care.meal_order_cancel", actor=actor, actor_name="" if actor else "system", target=found,
                 detail={})
    found.refresh_from_db()
    return found


def deliveries(*, canteen: Any, day: dt.date) -> Any:
    """The day's meals to deliver (助老送餐), a queryset to page (the API) or to order by address."""
    from linli.care.models import MealOrder

    return MealOrder.objects.filter(canteen=canteen, day=day, deliver=True, status=MealOrderStatus.ORDERED
                                    ).select_related("item")


def delivery_list(*, canteen: Any, day: dt.date) -> list[Any]:
    """The day's meals to deliver, by address: the printed list of one canteen's day."""
    return list(deliveries(canteen=canteen, day=day).order_by("address", "id"))


def subsidy_rows(*, canteen: Any, year: int, month: int) -> list[dict[str, Any]]:
    """Per rule: meals, full price, paid, subsidy (full − paid) for the month."""
    from django.db.models import Count, Sum

    from linli.care.models import MealOrder, PriceRule

    labels = dict(PriceRule.objects.values_list("code", "label"))
    qs = (MealOrder.objects.filter(canteen=canteen, day__year=year, day__month=month, status=MealOrderStatus.ORDERED)
          .values("rule").annotate(orders=Count("id"), meals=Sum("quantity"), full=Sum("full_price"), paid=Sum("price"))
          .order_by("rule"))
    out = []
    for row in qs:
        full, paid = row["full"] or Decimal(0), row["paid"] or Decimal(0)
        out.append({"rule": row["rule"], "label": labels.get(row["rule"], _("Full price")) if row["rule"] else _("Full price"),
                    "meals": row["meals"] or 0, "full": full, "paid": paid, "subsidy": full - paid})
    return out


def subsidy_xlsx(*, canteen: Any, year: int, month: int) -> bytes:
    """The monthly subsidy report in Excel: one row per rule, a total, and one sheet of the meals."""
    from linli.care.models import MealOrder

    book = Workbook(streaming=True)
    sheet = book.sheet(_("Subsidy"), widths=[16, 8, 10, 10, 10])
    sheet.row([f"{canteen.name} {year}-{month:02d} " + _("meal subsidy")], style="title")
    sheet.header([_("Rule"), _("Meals"), _("Full price"), _("Paid"), _("Subsidy")])
    rows = subsidy_rows(canteen=canteen, year=year, month=month)
    sheet.rows([r["label"], r["meals"], r["full"], r["paid"], r["subsidy"]] for r in rows)
    sheet.row([_("Total"), *(sum(r[k] for r in rows) for k in ("meals", "full", "paid", "subsidy"))])
    detail = book.sheet(_("Meals"), [_("Day"), _("Name"), _("Dish"), _("Meals"), _("Full price"), _("Paid"), _("Rule"),
                                     _("Delivered")], widths=[11, 10, 16, 6, 10, 8, 10, 8])
    meals = MealOrder.objects.filter(canteen=canteen, day__year=year, day__month=month,
                                     status=MealOrderStatus.ORDERED).select_related("item")
    detail.rows([o.day.isoformat(), o.person_name, o.item.name, o.quantity, o.full_price, o.price, o.rule,
                 _("yes") if o.deliver else ""] for o in keyset_iter(meals))
    return book.getvalue()
