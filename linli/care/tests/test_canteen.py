"""The elders' canteen: the half-price rule on the 60th birthday (rules as data), ordering for oneself,
delivery list, the monthly subsidy report in Excel."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.care.actions import (
    canteen_save,
    delivery_list,
    meal_order,
    meal_order_cancel,
    meal_price,
    menu_item_add,
)
from linli.care.models import PriceRule
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.idnumber import make_id_number
from linli.core.testing.personas import PASSWORD, make_user


@pytest.fixture
def price_rules(db):
    PriceRule.objects.get_or_create(code="age60", defaults={"label": "60岁以上老人半价", "min_age": 60, "percent": 50})


@pytest.mark.parametrize(("day", "expected", "rule"), [
    (dt.date(2026, 12, 9), Decimal("12.00"), ""),  # the day before the 60th birthday: full price
    (dt.date(2026, 12, 10), Decimal("6.00"), "age60"),  # the 60th birthday: half price
    (dt.date(2027, 3, 1), Decimal("6.00"), "age60"),
])
def test_half_price_from_the_60th_birthday(price_rules, day, expected, rule):
    assert meal_price(birth=dt.date(1966, 12, 10), day=day, full=Decimal("12")) == (expected, rule)


def test_born_on_29_february_turns_60_on_29_february(price_rules):
    """Sixty is a multiple of four: the 60th birthday of someone born on 29 February falls in a leap year."""
    birth = dt.date(1964, 2, 29)
    assert meal_price(birth=birth, day=dt.date(2024, 2, 28), full=Decimal("10"))[1] == ""
    assert meal_price(birth=birth, day=dt.date(2024, 2, 29), full=Decimal("10"))[1] == "age60"
    assert meal_price(birth=birth, day=dt.date(2025, 2, 28), full=Decimal("10"))[1] == "age60"


def test_rules_are_data_and_the_lowest_price_wins(price_rules):
    PriceRule.objects.create(code="age80", label="80岁以上免费", min_age=80, percent=0)
    assert meal_price(birth=dt.date(1940, 1, 1), day=dt.date(2026, 6, 1), full=Decimal("12")) == (Decimal("0.00"), "age80")
    assert meal_price(birth=dt.date(1960, 1, 1), day=dt.date(2026, 6, 1), full=Decimal("12"))[1] == "age60"
    assert meal_price(birth=None, day=dt.date(2026, 6, 1), full=Decimal("12")) == (Decimal("12.00"), "")


@pytest.fixture
def canteen(world):
    return canteen_save(actor=None, place=world.community, name="幸福食堂", order_until=dt.time(23, 59))


@pytest.fixture
def elder_user(world):
    from linli.residents.actions import person_create

    today = timezone.localdate()
    birth = today.replace(year=today.year - 70)
    person_create(actor=None, name="周大爷", place=world.grid_a, phone="13500000001",
                  id_number=make_id_number("330102", birth, 11), current_address="幸福里2幢301")
    return make_user("elder_u", "resident", place=world.grid_a, phone="13500000001")


def test_an_elder_orders_at_half_price_and_gets_it_delivered(price_rules, canteen, elder_user):
    item = menu_item_add(actor=None, canteen=canteen, day=timezone.localdate() + dt.timedelta(days=1),
                         name="红烧鱼套餐", price="14")
    order = meal_order(actor=elder_user, item=item.pk, deliver=True)
    assert order.price == Decimal("7.00") and order.full_price == Decimal("14.00") and order.rule == "age60"
    assert order.address == "幸福里2幢301"
    assert delivery_list(canteen=canteen, day=item.day) == [order]
    meal_order_cancel(actor=elder_user, order=order)
    assert delivery_list(canteen=canteen, day=item.day) == []


def test_a_past_day_is_closed_and_a_stranger_canteen_is_not_found(price_rules, canteen, elder_user, world):
    past = menu_item_add(actor=None, canteen=canteen, day=timezone.localdate() - dt.timedelta(days=1),
                         name="面条", price="8")
    with pytest.raises(Invalid):
        meal_order(actor=elder_user, item=past.pk)
    other = canteen_save(actor=None, place=world.community_2, name="二社区食堂")
    dish = menu_item_add(actor=None, canteen=other, day=timezone.localdate() + dt.timedelta(days=1), name="饺子",
                         price="10")
    with pytest.raises(NotFound):
        meal_order(actor=elder_user, item=dish.pk)


def test_a_grid_worker_cannot_order_meals(price_rules, canteen, grid_worker_a):
    item = menu_item_add(actor=None, canteen=canteen, day=timezone.localdate() + dt.timedelta(days=1), name="粥",
                         price="3")
    with pytest.raises(PermissionDenied):
        meal_order(actor=grid_worker_a, item=item.pk)


def test_ordering_on_the_page_and_the_subsidy_excel(client, price_rules, canteen, elder_user, community_staff):
    from openpyxl import load_workbook

    day = timezone.localdate() + dt.timedelta(days=1)
    item = menu_item_add(actor=None, canteen=canteen, day=day, name="番茄炒蛋饭", price="12")
    client.login(username=elder_user.username, password=PASSWORD)
    body = client.get(reverse("care:canteen")).content.decode()
    assert "番茄炒蛋饭" in body and "6.00" in body
    client.post(reverse("care:meal_order", args=[item.pk]), {"quantity": "2", "deliver": "1"})
    client.logout()
    client.login(username=community_staff.username, password=PASSWORD)
    kitchen = client.get(reverse("care:kitchen", args=[canteen.pk]), {"day": day.isoformat()}).content.decode()
    assert "幸福里2幢301" in kitchen
    xlsx = client.get(reverse("care:subsidy", args=[canteen.pk]), {"year": day.year, "month": day.month})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][1:] == (2, 24.0, 12.0, 12.0)  # the 60+ rule: 2 meals, 24 full, 12 paid, 12 subsidy


def test_the_kitchen_is_not_for_residents(client, canteen, elder_user):
    client.login(username=elder_user.username, password=PASSWORD)
    assert client.get(reverse("care:kitchen", args=[canteen.pk])).status_code == 403
