"""The mediation part of the demo street (``linli demo``): in each of the three communities a mediation team
(幸福社区's 百·和 team of 网格员, 法律明白人 and 人民调解员 with the community lawyer and the police; 和睦社区's
和事佬 room; 平安社区's rule-of-law team with its legal adviser), and a year of disputes in every state:
most settled, followed up and archived, a few failed, referred, withdrawn or not accepted, and this month's
open ones: registered, accepted, in mediation (one past its deadline, red), settled awaiting the follow-up.
The ``mediator`` login (郑海) leads most of 幸福社区's open ones.

History is written in bulk (rows, their timelines and agreements with their serials) so that the demo
stays fast; everything a person does from today on goes through the actions. Idempotent: a community that
already has disputes is left as it is. Fictional data only."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.core.inserts import insert_many
from linli.mediation.workflow import DisputeStatus as S

TEAMS = [
    ("百·和调解队", "网格员 + 法律明白人 + 人民调解员，社区律师、民警、家庭教育指导师共同参与"),
    ("和事佬调解室", "小事当场调、大事专题调"),
    ("法治共建调解队", "法治社区：法律顾问坐班，红色物业化解业主与物业纠纷"),
]
MEDIATORS = [
    # (name, kinds, organisation)
    ("郑海", ["peoples_mediator"], "社区人民调解委员会"),
    ("周律师", ["lawyer"], "浙江明理律师事务所"),
    ("钱警官", ["police"], "城关派出所"),
    ("何老师", ["family_counsellor"], ""),
    ("老孙", ["legal_literate", "peoples_mediator"], ""),
]
CASES = [
    # (kind, title, facts, amount)
    ("neighbour", "楼上漏水", "楼上卫生间漏水渗到楼下天花板，双方就维修费用协商未果。", 1500),
    ("neighbour", "装修噪音", "楼上装修周末早上七点开工，楼下老人休息受影响。", None),
    ("neighbour", "楼道堆物", "邻居在楼道长期堆放纸板杂物，影响通行和消防安全。", None),
    ("neighbour", "宠物扰民", "邻居家犬只夜间吠叫，多次沟通无果。", None),
    ("property", "物业费争议", "业主认为电梯长期故障，拒交物业费，物业公司要求补缴。", 3600),
    ("property", "车位纠纷", "业主车位被他人长期占用，物业未及时处理。", None),
    ("family", "赡养纠纷", "兄妹三人就母亲赡养费分担发生争执。", 12000),
    ("marriage", "婚姻家庭矛盾", "夫妻因家务和子女教育长期争吵，一方提出离婚。", None),
    ("land", "违章搭建", "一楼住户在公共绿地搭建阳光房，楼上住户反对。", None),
    ("labour", "装修工欠薪", "装修工人称户主拖欠工钱。", 4800),
    ("consumer", "预付卡退费", "小区门口理发店关门，居民预付卡余额无法退还。", 2000),
    ("other", "广场舞噪音", "广场舞音响声音过大，附近住户意见大。", None),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国红梅平刚桂兰玉珍德成"
PER_COMMUNITY = 70
# Every state in every community: the first rows of each community are these, the rest drawn by age.
FORCED = [S.REGISTERED, S.ACCEPTED, S.MEDIATING, S.MEDIATING, S.SETTLED, S.FAILED, S.REFERRED, S.FOLLOWED_UP,
          S.WITHDRAWN, S.REFUSED]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return "17" + "".join(rng.choice("0123456789") for _ in range(9))


def _places(community: Any) -> tuple[list[Any], list[Any]]:
    from linli.places.models import Place, PlaceKind

    grids = list(Place.objects.filter(path__startswith=community.path, kind=PlaceKind.GRID).order_by("path"))
    compounds = list(Place.objects.filter(path__startswith=community.path, kind=PlaceKind.COMPOUND).order_by("path"))
    return grids, compounds


def _team(demo: Any, community: Any, index: int) -> list[Any]:
    from linli.mediation.actions_team import mediator_create, team_create
    from linli.residents.models import Person

    name, description = TEAMS[index % len(TEAMS)]
    team = team_create(actor=None, community=community, name=name, description=description)
    persons = list(Person.objects.filter(place_path__startswith=community.path).order_by("id")[:20:4])
    out = []
    for i, (mname, kinds, org) in enumerate(MEDIATORS):
        user = demo.users.get("mediator") if index == 0 and i == 0 else None
        if index != 0 and i == 0:
            mname = ("刘调解", "陈调解")[index % 2]
        person = persons[i] if i < len(persons) and i > 0 else None
        out.append(mediator_create(actor=None, name=mname if person is None else person.name, kinds=kinds,
                                   place=community, user=user, person=person, team=team, organisation=org))
    # The grid workers of the community serve on the team too.
    for username in ("grid1", "grid2"):
        user = demo.users.get(username)
        if index == 0 and user is not None:
            out.append(mediator_create(actor=None, name=user.display_name or username, kinds=["grid_worker"],
                                       place=community, user=user, team=team))
    return out


def _state_for(age: int, rng: random.Random) -> str:
    if age <= 3:
        return rng.choice([S.REGISTERED, S.ACCEPTED])
    if age <= 25:
        return rng.choice([S.MEDIATING, S.MEDIATING, S.SETTLED, S.ACCEPTED])
    if age <= 50:
        return rng.choices([S.FOLLOWED_UP, S.SETTLED, S.FAILED, S.REFERRED], [14, 3, 0.3, 1])[0]
    return rng.choices([S.ARCHIVED, S.WITHDRAWN, S.REFUSED], [92, 5, 3])[0]


def demo_extend(demo: Any) -> None:
    from linli.mediation.models import Dispute

    rng = random.Random(12)
    for index, community in enumerate(demo.communities[:3]):
        if Dispute.objects.filter(community=community).exists():
            continue
        with transaction.atomic():
            _community_year(demo, community, index, rng)
            _screenings(demo, community, index, rng)


def _community_year(demo: Any, community: Any, index: int, rng: random.Random) -> None:
    from linli.mediation.actions import deadline_from
    from linli.mediation.agreement import serial_format
    from linli.mediation.models import (
        Agreement,
        AgreementSequence,
        Dispute,
        DisputeEvent,
        DisputeParty,
        MediationSession,
    )

    mediators = _team(demo, community, index)
    lead_pool = mediators[:5]
    grids, compounds = _places(community)
    if not grids:
        return
    now = timezone.now()
    ages = sorted((rng.randint(0, 360) for _ in range(PER_COMMUNITY - len(FORCED))), reverse=True)
    plan: list[tuple[int, str]] = [(a, _state_for(a, rng)) for a in ages]
    forced_ages = {S.REGISTERED: 1, S.ACCEPTED: 2, S.MEDIATING: 12, S.SETTLED: 20, S.FAILED: 40, S.REFERRED: 45,
                   S.FOLLOWED_UP: 48, S.WITHDRAWN: 70, S.REFUSED: 80}
    plan += [(forced_ages[s], s) for s in FORCED]
    plan.append((38, S.MEDIATING))  # accepted 38 days ago, still in mediation: past its deadline (red)
    plan.sort(key=lambda p: -p[0])
    rows: list[Dispute] = []
    meta: list[tuple[str, dt.datetime, Any]] = []
    seq: dict[int, int] = {}
    for age, state in plan:
        kind, title, facts, amount = rng.choice(CASES)
        grid = rng.choice(grids)
        inside = [c for c in compounds if c.path.startswith(grid.path)]
        place = rng.choice(inside) if inside and rng.random() < 0.7 else grid
        at = now - dt.timedelta(days=age, hours=rng.randint(0, 8))
        year = timezone.localtime(at).year
        seq[year] = seq.get(year, 0) + 1
        lead = None if state in (S.REGISTERED, S.REFUSED) else (
            lead_pool[0] if index == 0 and state in (S.ACCEPTED, S.MEDIATING, S.SETTLED) else rng.choice(lead_pool))
        if state == S.WITHDRAWN:
            lead = None
        d = Dispute(number=f"{year}-{seq[year]:04d}", title=title, kind=kind, facts=facts,
                    source=rng.choices(["screening", "walk_in", "hotline", "police", "case"], [5, 4, 2, 1, 1])[0],
                    risk=rng.choices(["low", "medium", "high"], [7, 2, 1])[0],
                    amount=Decimal(amount) if amount else None, place=place, place_path=place.path, grid=grid,
                    community=community, compound=place if place in compounds else None, reported_at=at,
                    status=state, lead=lead, created_by=demo.users.get("grid1") if index == 0 else None)
        if d.source == "case":
            d.source = "walk_in"  # a demo case is linked by the cases demo, not drawn here
        rows.append(d)
        meta.append((state, at, lead))
    insert_many(rows)
    parties, events, sessions, agreements = [], [], [], []
    serials: dict[int, int] = {}
    for d, (state, at, _lead) in zip(rows, meta, strict=True):
        parties.append(DisputeParty(dispute=d, role="applicant", name=_name(rng), phone=_phone(rng)))
        if d.kind == "property":
            parties.append(DisputeParty(dispute=d, role="respondent", organisation="城关物业服务有限公司"))
        else:
            parties.append(DisputeParty(dispute=d, role="respondent", name=_name(rng), phone=_phone(rng)))
        t = at

        def ev(kind: str, frm: str, to: str, note: str = "", days: float = 0.0, data: dict | None = None,
               d: Any = d) -> None:
            nonlocal t
            t = min(t + dt.timedelta(days=days), now)
            events.append(DisputeEvent(dispute=d, kind=kind, actor_name="demo", at=t, from_status=frm, to_status=to,
                                       note=note, data=data or {}))

        ev("file", "", S.REGISTERED, data={"source": d.source})
        if state == S.REGISTERED:
            continue
        if state == S.REFUSED:
            d.reason = "不属于人民调解受理范围，已告知当事人向有关部门反映。"
            ev("refuse", S.REGISTERED, S.REFUSED, d.reason, 0.5)
            continue
        if state == S.WITHDRAWN:
            d.reason = "双方已自行和解，申请人撤回。"
            ev("withdraw", S.REGISTERED, S.WITHDRAWN, d.reason, 1)
            continue
        ev("accept", S.REGISTERED, S.ACCEPTED, days=0.3)
        d.accepted_at = t
        d.due_on = deadline_from(timezone.localtime(t).date())
        if state == S.ACCEPTED:
            continue
        if state == S.REFERRED or (state == S.ARCHIVED and rng.random() < 0.03):
            d.method, d.referred_to = "referral", rng.choice(["区人民法院", "区劳动人事争议仲裁院", "区市场监管局"])
            ev("refer", S.ACCEPTED, S.REFERRED, days=2, data={"referred_to": d.referred_to})
            if state == S.ARCHIVED:
                ev("archive", S.REFERRED, S.ARCHIVED, days=7)
                d.archived_at = t
            continue
        d.method = rng.choices(["on_spot", "session", "joint_judicial", "joint_police"], [5, 3, 1, 1])[0]
        ev("triage", S.ACCEPTED, S.MEDIATING, days=0.2, data={"method": d.method})
        held = timezone.localtime(t).date()
        sessions.append(MediationSession(dispute=d, held_on=held, venue="社区调解室", participants="双方当事人、调解员",
                                         notes="听取双方陈述，调解员释法明理，引导双方互谅互让。"))
        ev("session", S.MEDIATING, S.MEDIATING, "第一次调解", days=0.1)
        if state == S.MEDIATING:
            continue
        failed = state == S.FAILED or (state == S.ARCHIVED and rng.random() < 0.022)
        if failed:
            d.outcome, d.reason = "failed", "双方分歧较大，告知通过诉讼途径解决。"
            ev("fail", S.MEDIATING, S.FAILED, d.reason, days=rng.uniform(1, 10))
            d.outcome_at = t
            if state == S.ARCHIVED:
                ev("archive", S.FAILED, S.ARCHIVED, days=3)
                d.archived_at = t
            continue
        ev("settle", S.MEDIATING, S.SETTLED, days=rng.uniform(0, 12))
        d.outcome, d.outcome_at = "settled", t
        signed = timezone.localtime(t).date()
        written = d.method != "on_spot" or rng.random() < 0.3
        serial, sq = "", None
        if written:
            serials[signed.year] = serials.get(signed.year, 0) + 1
            sq = serials[signed.year]
            serial = serial_format(community.name, signed.year, sq)
        agreements.append(Agreement(dispute=d, community=community, form="written" if written else "oral",
                                    serial=serial, year=signed.year if written else None, seq=sq, facts=d.facts,
                                    terms=rng.choice(["双方互谅互让，责任方一次性补偿对方损失，其他事项互不追究。",
                                                      "责任方于两周内完成维修，双方今后友好相处。",
                                                      "双方约定今后遵守作息时间，不再发生类似情况。"]),
                                    signed_on=signed, performance_due=signed + dt.timedelta(days=14)))
        if state == S.SETTLED:
            continue
        d.fulfilled = rng.random() < 0.96
        ev("follow_up", S.SETTLED, S.FOLLOWED_UP, "回访：协议已履行" if d.fulfilled else "回访：尚未履行", days=20,
           data={"fulfilled": d.fulfilled})
        d.followed_up_at = t
        if state == S.ARCHIVED:
            ev("archive", S.FOLLOWED_UP, S.ARCHIVED, days=2)
            d.archived_at = t
    Dispute.objects.bulk_update(rows, ["status", "reason", "accepted_at", "due_on", "method", "referred_to",
                                       "outcome", "outcome_at", "fulfilled", "followed_up_at", "archived_at"])
    insert_many(parties)
    insert_many(events)
    insert_many(sessions)
    insert_many(agreements)
    for year, last in seq.items():
        AgreementSequence.objects.create(community=community, year=year, kind="dispute", last=last)
    for year, last in serials.items():
        AgreementSequence.objects.create(community=community, year=year, kind="agreement", last=last)


def _screenings(demo: Any, community: Any, index: int, rng: random.Random) -> None:
    """Twelve months of screening rounds for every grid of the community: past months done (most places
    none found, a few with disputes), this month done in some grids and not yet in others (幸福社区's first
    grid, grid1's, is left for the demo's grid worker)."""
    from linli.mediation.models import ScreeningEntry, ScreeningRound
    from linli.mediation.screening import month_of, screening_places

    grids, _compounds = _places(community)
    this_month = month_of()
    tz = timezone.get_current_timezone()
    rounds, entries = [], []
    for gi, grid in enumerate(grids):
        places = screening_places(grid)
        month = this_month
        for back in range(12):
            if back:
                month = (month - dt.timedelta(days=1)).replace(day=1)
            if back == 0 and (gi == 0 and index == 0 or gi % 2 == 1):
                continue  # this month: not screened yet
            done = dt.datetime.combine(month + dt.timedelta(days=rng.randint(3, 20)), dt.time(16), tzinfo=tz)
            if done > timezone.now():
                done = timezone.now()
            r = ScreeningRound(grid=grid, month=month, place_path=grid.path, done_at=done,
                               done_by=demo.users.get("grid1") if index == 0 and gi == 0 else None)
            rounds.append(r)
            for p in places:
                entries.append((r, ScreeningEntry(place=p, found=1 if rng.random() < 0.08 else 0, recorded_at=done)))
    insert_many(rounds)
    for r, e in entries:
        e.round = r
    insert_many([e for _r, e in entries], batch_size=2000)
