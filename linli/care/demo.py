"""Care's part of the demo street (``linli demo``): visit plans from the registry's tags (独居老人 weekly,
特殊困难 monthly) with a year of visits (a few plans overdue now), the needs they found (most handled, some
open), one canteen per community with a year of menus and meals at the rule's price (half price at 60+),
some delivered, and home services. A login ``elder`` (password as the other demo users) is a resident of
grid1 aged 60+, so the half price can be tried. Written in bulk; idempotent (a community with a canteen
is left as it is). Fictional data only."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from linli.core.inserts import insert_many

DISHES = [("红烧肉套餐", "15"), ("清蒸鱼套餐", "16"), ("番茄炒蛋饭", "12"), ("青菜香菇面", "10"), ("土豆牛腩饭", "16"),
          ("小米粥配包子", "6"), ("鸡蛋羹套餐", "12"), ("冬瓜排骨汤饭", "14")]
NEEDS = [("repair", "厨房水龙头漏水"), ("meals", "希望每天送午餐"), ("medical", "需要陪同去医院复查"),
         ("company", "想有人常来聊聊天"), ("safety", "燃气灶老化"), ("policy", "咨询高龄津贴"), ("care", "需要助浴服务")]
NOTES = ["身体状况良好，精神不错", "血压偏高，已提醒按时吃药", "家中整洁，子女周末来看望", "行动不便，需要关注", "情绪稳定，聊了家常"]


def _elder_user(demo: Any, community: Any) -> None:
    from linli.accounts.actions import role_assign, user_create
    from linli.accounts.models import User
    from linli.residents.models import Person, PersonStatus
    from linli.residents.selectors import elderly_cutoff

    if User.objects.filter(username="elder").exists() or not demo.grids:
        return
    grid = demo.grids[0]
    person = (Person.objects.filter(place_path__startswith=grid.path, status=PersonStatus.ACTIVE,
                                    birth_month__lte=elderly_cutoff()).exclude(phone_hash="").order_by("birth_month", "id")
              .last())
    if person is None or not person.phone:
        return
    from linli.accounts.demo import DEMO_PASSWORD

    user = user_create(username="elder", password=DEMO_PASSWORD, actor=None, display_name=person.name,
                       phone=person.phone)
    role_assign(user=user, role="resident", place=grid, actor=None)
    demo.users["elder"] = user


def _visits(community: Any, rng: random.Random) -> None:
    from linli.care.models import Need, Visit, VisitPlan

    plans = list(VisitPlan.objects.filter(place_path__startswith=community.path, active=True, last_visit_at__isnull=True)
                 .select_related("person", "assignee"))
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    visits, needs, updates = [], [], []
    for plan in plans:
        day = today - dt.timedelta(days=365 - rng.randint(0, plan.every_days))
        last = None
        late = rng.random() < 0.08  # a few plans are overdue now
        while day <= today:
            if late and (today - day).days < plan.every_days + 4:
                break
            at = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59)), tz)
            if at > now:
                break
            found = rng.choices(["well", "needs", "unwell", "away"], [80, 10, 6, 4])[0]
            visits.append({"person_id": plan.person_id, "plan_id": plan.pk, "place_path": plan.place_path,
                           "visitor_id": plan.assignee_id, "visited_at": at, "found": found, "note": rng.choice(NOTES),
                           "visitor_name": plan.assignee.display_name if plan.assignee else "网格员"})
            if found == "needs":
                kind, text = rng.choice(NEEDS)
                status = "open" if (today - day).days < 20 and rng.random() < 0.6 else "resolved"
                needs.append((len(visits) - 1, {
                    "person_id": plan.person_id, "place_path": plan.place_path, "kind": kind, "text": text,
                    "status": status, "created_at": at, "handled_at": None if status == "open" else at}))
            last = at
            day += dt.timedelta(days=plan.every_days + rng.choice([-1, 0, 0, 0, 1, 2]))
        if last is not None:
            plan.last_visit_at = last
            plan.next_due = timezone.localtime(last).date() + dt.timedelta(days=plan.every_days)
            updates.append(plan)
    made = insert_many(visits, model=Visit, batch_size=2000)
    insert_many([{**n, "visit_id": made[i].pk} for i, n in needs], model=Need)
    VisitPlan.objects.bulk_update(updates, ["last_visit_at", "next_due"])


def _canteen(community: Any, rng: random.Random) -> None:
    from linli.care.actions import canteen_save, meal_price
    from linli.care.models import Canteen, MealOrder, MenuItem, PriceRule
    from linli.residents.models import Person, PersonStatus
    from linli.residents.selectors import elderly_cutoff

    name = community.name.replace("社区", "") + "老年幸福食堂"
    the = canteen_save(actor=None, place=community, name=name, address=f"{community.name}党群服务中心一楼",
                       order_until=dt.time(10, 0))
    today = timezone.localdate()
    menu = []
    for back in range(-365, 8):
        day = today + dt.timedelta(days=back)
        for dish, price in rng.sample(DISHES, 3):
            menu.append({"canteen_id": the.pk, "day": day, "meal": "lunch", "name": dish, "price": Decimal(price)})
    by_day: dict[dt.date, list[Any]] = {}
    for item in insert_many(menu, model=MenuItem):
        by_day.setdefault(item.day, []).append(item)
    elders = list(Person.objects.filter(place_path__startswith=community.path, status=PersonStatus.ACTIVE,
                                        birth_month__lte=elderly_cutoff()).only("id", "name", "birth_month", "id_number", "place_path",
                                                                               "current_address")[:60])
    if not elders:
        return
    regulars = elders[:25]
    rules = list(PriceRule.objects.filter(active=True).order_by("percent", "id"))
    orders = []
    for day, dishes in by_day.items():
        if day > today:
            continue
        for person in rng.sample(regulars, min(len(regulars), rng.randint(8, 14))):
            item = rng.choice(dishes)
            paid, rule = meal_price(birth=person.birth_date, day=day, full=item.price, rules=rules)
            deliver = person.pk % 4 == 0
            orders.append({"item_id": item.pk, "canteen_id": the.pk, "day": day, "person_id": person.pk,
                           "person_name": person.name, "place_path": person.place_path, "full_price": item.price,
                           "price": paid, "rule": rule, "deliver": deliver,
                           "address": person.current_address if deliver else ""})
    insert_many(orders, model=MealOrder, batch_size=2000)
    assert Canteen.objects.filter(pk=the.pk).exists()


def _home_services(demo: Any, community: Any, rng: random.Random) -> None:
    from linli.care.actions import home_service_request, home_service_transition
    from linli.care.models import VisitPlan

    staff = demo.users.get("community")
    worker = demo.users.get("grid1")
    if staff is None or worker is None:
        return
    plans = list(VisitPlan.objects.filter(place_path__startswith=community.path, active=True)[:3])
    today = timezone.localdate()
    for n, plan in enumerate(plans):
        req = home_service_request(actor=None, kind="haircut" if n % 2 else "health", person=plan.person,
                                   wanted_on=today + dt.timedelta(days=n + 1))
        if n == 0:
            when = timezone.now() + dt.timedelta(days=1, hours=2)
            home_service_transition(request=req, name="schedule", actor=staff,
                                    data={"provider": worker.pk, "when": when.isoformat()})


def demo_extend(demo: Any) -> None:
    from linli.care.actions import plans_sync
    from linli.care.models import Canteen, PriceRule, VisitRule
    from linli.care.workflow import DEFAULT_PRICE_RULES, DEFAULT_RULES

    for code, every, escalate in DEFAULT_RULES:
        VisitRule.objects.get_or_create(tag_code=code, defaults={"every_days": every, "escalate_after_days": escalate})
    for code, label, min_age, percent in DEFAULT_PRICE_RULES:
        PriceRule.objects.get_or_create(code=code, defaults={"label": label, "min_age": min_age, "percent": percent})
    _elder_user(demo, demo.community)
    for n, community in enumerate(demo.communities):
        if Canteen.objects.filter(place=community).exists():
            continue
        rng = random.Random(20260801 + n)
        plans_sync(place_path=community.path)
        _visits(community, rng)
        _canteen(community, rng)
        if community.pk == demo.community.pk:
            _home_services(demo, community, rng)
