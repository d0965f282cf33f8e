"""Pages of the elders' canteen: residents see the week's menus of their community's canteens with the price
they will pay and order (to eat in or delivered); staff see the day's orders and delivery list, add dishes
and download the monthly subsidy report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.care import actions
from linli.care.models import Canteen, MealOrder, MenuItem
from linli.care.workflow import PERM_CANTEEN, MealKind
from linli.core.errors import DomainError
from linli.core.excel import download
from linli.core.ui import perm_required, raise_http


def _perms(request: HttpRequest) -> frozenset[str]:
    return getattr(request.user, "perms", frozenset())


@login_required
def canteen(request: HttpRequest) -> HttpResponse:
    from linli.residents.selectors import person_for_user

    today = timezone.localdate()
    canteens = list(Canteen.objects.visible_to(request.user).filter(active=True).order_by("place_path", "name")[:20])
    items = list(MenuItem.objects.filter(canteen__in=canteens, day__gte=today, day__lte=today + dt.timedelta(days=6))
                 .select_related("canteen").order_by("day", "meal", "id")[:300])
    person = person_for_user(request.user)
    birth = person.birth_date if person is not None else None
    for item in items:
        price, rule = actions.meal_price(birth=birth, day=item.day, full=item.price)
        setattr(item, "my_price", price)  # noqa: B010 (shown on the page)
        setattr(item, "my_rule", rule)  # noqa: B010
    mine = list(MealOrder.objects.filter(orderer_id=request.user.pk, day__gte=today).select_related("item", "canteen")
                .order_by("day", "id")[:50])
    return render(request, "care/canteen.html", {
        "canteens": canteens, "items": items, "mine": mine, "person": person,
        "staff": PERM_CANTEEN in _perms(request), "today": today,
    })


@require_POST
@login_required
def order(request: HttpRequest, item: int) -> HttpResponse:
    try:
        placed = actions.meal_order(actor=request.user, item=item, quantity=request.POST.get("quantity", 1),
                                    deliver=request.POST.get("deliver") == "1", address=request.POST.get("address", ""))
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message) + " " + " ".join(str(m) for v in exc.fields.values() for m in v))
    else:
        if placed.rule:
            messages.success(request, _("Ordered: %(dish)s, you pay %(price)s yuan (%(full)s yuan before the discount).")
                             % {"dish": placed.item.name, "price": placed.price, "full": placed.full_price})
        else:
            messages.success(request, _("Ordered: %(dish)s, %(price)s yuan.") % {"dish": placed.item.name,
                                                                               "price": placed.price})
    return redirect("care:canteen")


@require_POST
@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.meal_order_cancel(actor=request.user, order=pk)
    except DomainError as exc:
        raise_http(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The meal is cancelled."))
    return redirect("care:canteen")


def _staff_canteen(request: HttpRequest, pk: int) -> Canteen:
    found = Canteen.objects.visible_to(request.user).filter(pk=pk).first()
    if found is None or not getattr(request.user, "scope").covers_path(found.place_path):  # noqa: B009
        raise Http404
    return found


@perm_required(PERM_CANTEEN)
def kitchen(request: HttpRequest, pk: int) -> HttpResponse:
    the = _staff_canteen(request, pk)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    if request.method == "POST":
        try:
            actions.menu_item_add(actor=request.user, canteen=the, day=dt.date.fromisoformat(request.POST.get("day", "")),
                                  name=request.POST.get("name", ""), price=request.POST.get("price", ""),
                                  meal=request.POST.get("meal", MealKind.LUNCH))
        except (DomainError, ValueError) as exc:
            if isinstance(exc, DomainError):
                raise_http(exc)
            messages.error(request, str(getattr(exc, "message", _("Please check the dish."))))
        else:
            messages.success(request, _("The dish is on the menu."))
        return redirect(f"{request.path}?day={day.isoformat()}")
    orders = list(MealOrder.objects.filter(canteen=the, day=day, status="ordered").select_related("item")
                  .order_by("deliver", "address", "id")[:1000])
    today = timezone.localdate()
    return render(request, "care/kitchen.html", {
        "canteen": the, "day": day, "orders": orders, "deliveries": actions.delivery_list(canteen=the, day=day),
        "menu": list(MenuItem.objects.filter(canteen=the, day=day)), "meals": MealKind.choices,
        "prev": (day - dt.timedelta(days=1)).isoformat(), "next": (day + dt.timedelta(days=1)).isoformat(),
        "month": today.replace(day=1) - dt.timedelta(days=1), "this_month": today,
        "rows": actions.subsidy_rows(canteen=the, year=day.year, month=day.month),
    })


@perm_required(PERM_CANTEEN)
def subsidy(request: HttpRequest, pk: int) -> HttpResponse:
    the = _staff_canteen(request, pk)
    try:
        year, month = int(request.GET.get("year", "")), int(request.GET.get("month", ""))
        dt.date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc
    return download(actions.subsidy_xlsx(canteen=the, year=year, month=month),
                    f"canteen-{the.pk}-{year}-{month:02d}.xlsx")
