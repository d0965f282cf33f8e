"""Points in the demo street: a few points-shop items per community (haircut, shoe repair, lock repair,
housekeeping and goods) and some awarded points and hours for demo residents (sources ``demo:...``),
the demo user ``resident`` among them. Idempotent (items are looked up by name, awards and hours by
source) and small: a dozen residents per community."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from linli.core.inserts import insert_many
from linli.points.actions import hours_record, points_award
from linli.points.models import ItemKind, ShopItem

ITEMS = [
    ("理发", ItemKind.SERVICE, 10, None, "社区便民理发点"),
    ("修鞋", ItemKind.SERVICE, 5, None, "社区修鞋摊"),
    ("开锁修锁", ItemKind.SERVICE, 8, None, "社区便民锁匠"),
    ("家政保洁（2小时）", ItemKind.SERVICE, 30, None, "社区家政服务站"),
    ("洗衣液", ItemKind.GOODS, 15, 40, "社区积分超市"),
    ("大米（5斤）", ItemKind.GOODS, 25, 20, "社区积分超市"),
]
RULES = [
    "service",
    "activity",
    "case_verified",
    "area_democracy",
    "area_civility",
    "area_mutual_aid",
    "area_safety",
    "area_mediation",
]
PER_COMMUNITY = 12


@transaction.atomic
def demo_extend(demo) -> None:
    from linli.residents.models import Person, PersonStatus
    from linli.residents.selectors import person_for_user

    today = timezone.localdate()
    for community in demo.communities:
        have = set(ShopItem.objects.filter(community=community).values_list("name", flat=True))
        insert_many(
            [
                ShopItem(
                    community=community,
                    place_path=community.path,
                    name=name,
                    kind=kind,
                    cost=cost,
                    stock=stock,
                    provider_name=provider,
                )
                for name, kind, cost, stock, provider in ITEMS
                if name not in have
            ]
        )
        rng = random.Random(f"points:{community.code}")
        people = list(
            Person.objects.filter(place_path__startswith=community.path, status=PersonStatus.ACTIVE)
            .order_by("id")
            .values_list("id", flat=True)[:PER_COMMUNITY]
        )
        for pid in people:
            for n in range(3):
                points_award(
                    person_id=pid,
                    rule_code=rng.choice(RULES),
                    source=f"demo:{pid}:{n}",
                    actor=None,
                    amount=rng.randint(1, 5),
                    note="演示数据",
                )
            hours_record(
                person_id=pid,
                hours=Decimal(rng.choice([1, 2, 3])),
                source=f"demo:hours:{pid}",
                kind="activity",
                actor=None,
                occurred_on=today - datetime.timedelta(days=rng.randint(0, 60)),
                note="演示数据",
            )
    user = demo.users.get("resident")
    person = person_for_user(user) if user is not None else None
    if person is not None:
        points_award(
            person_id=person.pk,
            rule_code="service",
            source="demo:resident:service",
            actor=None,
            amount=20,
            note="演示数据",
        )
        points_award(
            person_id=person.pk,
            rule_code="area_civility",
            source="demo:resident:civility",
            actor=None,
            note="演示数据",
        )
