"""The volunteers part of the demo street (``manage.py demo``): in the first community, 30 volunteers
drawn from the demo residents (a few riders and couriers among them), the four teams with their leaders,
two talent pools with skills, and activities: two past ones with verified hours (so the rankings and the
points have something to show), one under way now and two upcoming. Everything goes through the actions.
Idempotent: a community that already has the teams is left as it is. Fictional data only."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.residents.demo import DEMO_USER_PERSONS

TEAMS = [
    ("银辉先锋", "低龄老人帮高龄老人"),
    ("金姐姐", "楼道里的热心大姐，邻里互助"),
    ("红星驿站", "快递小哥、外卖骑手志愿服务站"),
    ("新火先锋队", "青年志愿者，文明创建与安全巡查"),
]
POOLS = [("银发人才库", "退休的老师、医生、工程师"), ("讲师团", "社区课堂的讲师")]
SKILLS = [
    "first_aid",
    "medical",
    "law",
    "mediation",
    "teaching",
    "calligraphy",
    "music",
    "computer",
    "repair",
    "haircut",
    "elderly_care",
    "patrol",
    "fire_safety",
    "photography",
]
ACTIVITIES = [
    # (title, location, area, days from today, start hour, hours, quota, team index, points)
    ("楼道杂物清理", "幸福小区3号楼", "civility", -20, 9, 2, 8, 1, 2),
    ("防诈骗宣传进小区", "社区广场", "safety", -6, 14, 2, 10, 3, None),
    ("敲门问安：独居老人探访", "社区党群服务中心", "mutual_aid", 0, None, 2, 6, 0, None),
    ("居民议事会：加装电梯", "社区议事厅", "democracy", 5, 19, 2, 20, None, 1),
    ("邻里纠纷调解员培训", "社区会议室", "mediation", 10, 9, 3, 15, None, 3),
]


def _persons(community, n: int) -> list[Any]:
    from linli.residents.models import Person, PersonStatus

    return list(
        Person.objects.filter(place_path__startswith=community.path, status=PersonStatus.ACTIVE)
        .exclude(volunteer__isnull=False)
        .order_by("id")[:n]
    )


# The demo user ``volunteer``: a registry person of the residents demo, linked by phone.
VOLUNTEER_NAME, VOLUNTEER_PHONE, _political = DEMO_USER_PERSONS["volunteer"]


def _link_volunteer_user(demo) -> Any:
    """The demo user ``volunteer`` gets a registry person (sharing their phone) and a volunteer record:
    without a person, 我的积分 and 我的活动 stay empty. Idempotent."""
    from linli.accounts.actions import user_update
    from linli.residents.actions import person_create
    from linli.residents.selectors import person_for_user
    from linli.volunteers import actions

    user = demo.users.get("volunteer")
    if user is None or not demo.grids:
        return None
    if user.phone != VOLUNTEER_PHONE:
        user = user_update(user=user, actor=None, changes={"phone": VOLUNTEER_PHONE})
        demo.users["volunteer"] = user
    if person_for_user(user) is None:
        person_create(actor=None, name=VOLUNTEER_NAME, place=demo.grids[0], phone=VOLUNTEER_PHONE)
    return actions.volunteer_of(user) or actions.volunteer_register(actor=user, skills=["first_aid"])


def _ensure_default_skills() -> None:
    """The shipped skills (a data migration) when a test's flush took them: the demo picks from them."""
    from importlib import import_module

    from django.apps import apps

    import_module("linli.volunteers.migrations.0002_default_skills").add(apps, None)


@transaction.atomic
def demo_extend(demo) -> None:
    from linli.volunteers import actions
    from linli.volunteers.models import Team

    community = demo.community
    staff = demo.users.get("community")
    if staff is None or Team.objects.filter(community=community, name=TEAMS[0][0]).exists():
        return
    _ensure_default_skills()
    rng = random.Random(20260505)
    volunteers = []
    for i, person in enumerate(_persons(community, 30)):
        kind = "rider" if i % 10 == 7 else "courier" if i % 10 == 8 else "resident"
        volunteers.append(
            actions.volunteer_register(
                actor=None, person=person, kind=kind, skills=rng.sample(SKILLS, k=rng.randint(1, 3))
            )
        )
    resident_user = demo.users.get("resident")
    if resident_user is not None and actions.volunteer_of(resident_user) is None:
        from linli.residents.selectors import person_for_user

        if person_for_user(resident_user) is not None:
            volunteers.insert(0, actions.volunteer_register(actor=resident_user, skills=["computer"]))
    if len(volunteers) < 8:
        return  # the registry is not there (a bare demo): nothing to build on
    demo_volunteer = _link_volunteer_user(demo)
    if demo_volunteer is not None:
        volunteers.insert(1, demo_volunteer)
    teams = []
    for t, (name, description) in enumerate(TEAMS):
        members = volunteers[t::4]
        team = actions.team_create(
            actor=staff, community=community, name=name, description=description, leader=members[0]
        )
        for v in members[1:]:
            actions.team_member_add(team=team, volunteer=v, actor=staff)
        teams.append(team)
    for p, (name, description) in enumerate(POOLS):
        pool = actions.pool_create(actor=staff, community=community, name=name, description=description)
        for v in volunteers[p::5][:6]:
            actions.pool_member_add(pool=pool, volunteer=v, actor=staff, speciality="")
    now = timezone.localtime()
    mine = actions.volunteer_of(resident_user) if resident_user is not None else None
    for n, (title, location, area, days, hour, hours, quota, team_ix, points) in enumerate(ACTIVITIES):
        if hour is None:  # under way now: started half an hour ago
            starts = now - timedelta(minutes=30)
        else:
            starts = (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        activity = actions.activity_create(
            actor=staff,
            community=community,
            title=title,
            location=location,
            area=area,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            quota=quota,
            waitlist=True,
            points=points,
            team=teams[team_ix] if team_ix is not None else None,
            description="社区志愿服务活动（演示数据）。",
        )
        actions.activity_publish(activity=activity, actor=staff)
        queue = volunteers[n * 3 :] + volunteers[: n * 3]
        if days >= 0 and mine is not None:
            queue = [mine] + [v for v in queue if v.pk != mine.pk]  # the demo resident: try the QR check-in
        if days >= 0 and demo_volunteer is not None:
            queue = [demo_volunteer] + [v for v in queue if v.pk != demo_volunteer.pk]
        signed = [
            actions.signup_create(activity=activity, actor=None, volunteer=v) for v in queue[: quota + 1]
        ]
        if days < 0:
            actions.activity_finish(activity=activity, actor=staff)
            for s in signed[: quota - 1]:
                if s.status == "confirmed":
                    actions.signup_checkin(signup=s, actor=staff)
                    actions.signup_verify(signup=s, actor=staff, hours=Decimal(hours))
            actions.activity_verify(activity=activity, actor=staff)
        elif days == 0:
            actions.activity_start(activity=activity, actor=staff)
            for s in signed[1 : quota // 2]:
                if s.status == "confirmed":
                    actions.signup_checkin(signup=s, actor=staff)
