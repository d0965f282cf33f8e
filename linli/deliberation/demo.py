"""Deliberation's part of the demo street (``linli demo``), in the first community: a residents' day (居民议事日)
that decided a pocket park, the project it opened (funded by residents' contributions, donations and the
community budget, works in progress with two milestones and their photos, a deposit paid to the builder),
a finished stairway micro-renewal, and the 党员扶助基金 with party members' donations and this year's payment
run of medical insurance for the residents aged 70 and over. Money is written in bulk through the ledger's
one door (``ledger_post_many``). Honours: last year's round published (nominees from the registry, paper
ballots entered by staff through the vote's own door, winners counted), this year's taking nominations. The
think tank: four experts, two invited to the parking topic with their opinions. Idempotent: a community with a
project is left as it is. Fictional data."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.utils import timezone

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _photo(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(img)
    for x in range(0, 480, 40):
        draw.line([(x, 360), (x + 120, 180)], fill=(255, 255, 255), width=3)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _park(community: Any, staff: Any, rng: random.Random) -> None:
    from linli.deliberation import actions
    from linli.deliberation.models import Project

    now = timezone.now()
    meeting = actions.meeting_create(actor=None, community=community, kind="residents_day", title="居民议事日：口袋公园",
                                     starts_at=now - dt.timedelta(days=60), location="社区议事厅")
    actions.meeting_transition(meeting=meeting, name="start", actor=None)
    actions.meeting_transition(meeting=meeting, name="finish", actor=None,
                               data={"minutes": "居民代表、业委会、物业三方议定：原办公楼围墙拆除后的空地建设口袋公园，居民自愿出资，社区经费补足。"})
    decision = actions.decision_record(actor=None, meeting=meeting, text="建设口袋公园，居民自愿出资、社会捐赠、社区经费共同筹集",
                                       owner_name="陈静", owner=staff, deadline=timezone.localdate() + dt.timedelta(days=90))
    project = actions.project_from_decision(actor=None, decision=decision, title="幸福里口袋公园", kind="pocket_park",
                                            budget="86000", description="在原办公楼围墙拆除后的空地建设口袋公园：步道、座椅、健身器材和绿化。")
    rows: list[tuple[str, Any, Any, str, str]] = []
    for i in range(120):  # households' contributions of 100 to 500 yuan
        rows.append(("contribution", rng.choice([100, 200, 200, 300, 500]) * 100, None,
                     f"{rng.choice(SURNAMES)}先生" if i % 2 else f"{rng.choice(SURNAMES)}女士", "居民自愿出资"))
    rows.append(("donation", 1_500_000, None, "辖区共建单位", "捐赠"))
    rows.append(("donation", 800_000, None, "物业公司", "捐赠"))
    raised = sum(fen for _k, fen, *_r in rows)
    rows.append(("budget", max(8_600_000 - raised, 100_000), None, "社区为民服务经费", "补足预算"))
    actions.ledger_post_many(ledger=project.ledger_id, rows=rows, actor=None)
    actions.project_transition(project=project, name="start", actor=None, data={"note": "资金到位，开工"})
    actions.milestone_add(actor=None, project=project, title="方案公示", done_on=timezone.localdate() - dt.timedelta(days=40),
                          note="设计方案在小区公告栏和线上公示7天", photos=[_photo((70, 130, 180))])
    actions.milestone_add(actor=None, project=project, title="场地平整、步道铺设", done_on=timezone.localdate() - dt.timedelta(days=10),
                          photos=[_photo((110, 160, 90)), _photo((150, 140, 110))])
    actions.milestone_add(actor=None, project=project, title="绿化种植、座椅安装", planned_on=timezone.localdate() + dt.timedelta(days=20))
    actions.milestone_add(actor=None, project=project, title="竣工验收", planned_on=timezone.localdate() + dt.timedelta(days=45))
    actions.project_pay(actor=None, project=project, amount="30000", counterparty="某园林工程公司", note="预付款")
    Project.objects.filter(pk=project.pk).update(created_at=now - dt.timedelta(days=60))


def _stairs(community: Any) -> None:
    from linli.deliberation import actions
    from linli.deliberation.models import Project

    project = actions.project_propose(actor=None, title="3幢楼道微改造", kind="micro_renewal", place=community, budget="12000",
                                      description="楼道粉刷、扶手更换、声控灯")
    actions.project_transition(project=project, name="deliberate", actor=None, data={"note": "居民代表会议通过"})
    Project.objects.filter(pk=project.pk).update(status="funding")  # decided at the residents' representatives' meeting
    actions.ledger_post_many(ledger=project.ledger_id, actor=None, rows=[
        ("contribution", 600_000, None, "3幢居民", "每户出资"), ("budget", 600_000, None, "社区经费", "")])
    actions.project_transition(project=project, name="start", actor=None)
    actions.milestone_add(actor=None, project=project, title="完工", done_on=timezone.localdate() - dt.timedelta(days=5),
                          photos=[_photo((200, 190, 170))])
    actions.project_pay(actor=None, project=project, amount="12000", counterparty="某装饰工程队", note="结算")
    actions.project_transition(project=project, name="complete", actor=None, data={"note": "楼道焕然一新，扶手和声控灯已更换"})


def _fund(community: Any, rng: random.Random) -> None:
    from linli.deliberation import actions
    from linli.residents.selectors import persons_aged_at_least

    fund = actions.fund_create(actor=None, community=community, name="党员扶助基金",
                               description="社区党员自愿捐助，为辖区70岁及以上老人代缴城乡居民医保个人缴费部分。")
    year = timezone.localdate().year
    elders = len(persons_aged_at_least(community.path, 70, year))
    rows: list[tuple[str, Any, Any, str, str]] = [
        ("donation", rng.choice([200, 300, 500, 1000]) * 100, None, f"党员{rng.choice(SURNAMES)}某", "党员捐助") for _ in range(80)
    ]
    given = sum(fen for _k, fen, *_r in rows)
    rows.append(("budget", max(elders * 38_000 - given, 0) + 500_000, None, "街道党工委", "专项拨款"))
    actions.ledger_post_many(ledger=fund.ledger_id, rows=rows, actor=None)
    actions.fund_payment_run(actor=None, fund=fund, year=year, amount="380")


def _nominate(rnd: Any, community: Any, rng: random.Random, per_category: int) -> None:
    """Nominations of registry persons and households of the community (the demo's history: residents'
    nominations written as the action writes them, masked labels, one nominator household each)."""
    from linli.core.masking import mask_name
    from linli.deliberation.models import HonourCategory, HonourNomination, HonourNominator
    from linli.residents.models import HouseholdMember, Person

    reasons = {
        "好婆婆": ["照顾卧病的儿媳十余年，邻里称道", "帮邻居接送孩子，热心肠", "把儿媳当女儿疼，家庭和睦"],
        "好媳妇": ["悉心照料瘫痪在床的公公", "孝敬老人，操持家务任劳任怨", "带着婆婆参加社区活动"],
        "最美家庭": ["三代同堂，家风淳朴", "全家常年参加志愿服务", "邻里有事总是第一个帮忙"],
    }
    members = list(HouseholdMember.objects.filter(person__place_path__startswith=community.path, end_date__isnull=True)
                   .values_list("household_id", "person_id")[:400])
    households = sorted({h for h, _p in members})
    people = {p.pk: p for p in Person.objects.filter(pk__in=[p for _h, p in members]).only("id", "name")}
    if len(households) < 2 * per_category + 2:
        return
    for cat in HonourCategory.objects.filter(community=community).order_by("id")[:3]:
        picks = rng.sample(members, per_category)
        voters = rng.sample(households, per_category)
        for (hid, pid), voter in zip(picks, voters, strict=True):
            person = people[pid]
            household = cat.nominee_kind == "household"
            key = f"h{hid}" if household else f"p{pid}"
            label = mask_name(person.name) + ("家" if household else "")
            nomination, made = HonourNomination.objects.get_or_create(
                round=rnd, category=cat, nominee_key=key,
                defaults={"person_id": None if household else pid, "household_id": hid if household else None,
                          "label": label, "reason": rng.choice(reasons.get(cat.name, ["热心公益"]))},
            )
            if made:
                HonourNominator.objects.get_or_create(round=rnd, category=cat, voter_key=f"h{voter}",
                                                      defaults={"nomination": nomination})


def _honours(community: Any, staff: Any, rng: random.Random) -> None:
    from linli.deliberation import actions
    from linli.deliberation.models import HonourContest, RollEntry

    year = timezone.localdate().year
    last = actions.honour_round_create(actor=None, community=community, year=year - 1,
                                       title=f"{year - 1}年度“好婆婆、好媳妇、最美家庭”评选")
    _nominate(last, community, rng, per_category=4)
    actions.honour_round_create(actor=None, community=community, year=year,
                                title=f"{year}年度“好婆婆、好媳妇、最美家庭”评选")
    if staff is None or not last.nominations.exists():
        return
    last = actions.honour_transition(round=last, name="open_vote", actor=None,
                                     data={"closes_at": (timezone.now() + dt.timedelta(days=1)).isoformat()})
    for contest in HonourContest.objects.filter(round=last).select_related("vote"):
        keys = [k for k, _label in contest.vote.options]
        weights = [rng.randint(1, 6) for _ in keys]
        for i, entry in enumerate(RollEntry.objects.filter(vote=contest.vote).order_by("id")[:60]):
            actions.ballot_enter_paper(actor=staff, vote=contest.vote_id, entry=entry.pk,
                                       choice=rng.choices(keys, weights=weights)[0], paper_number=f"{contest.pk}-{i + 1:03d}")
    last = actions.honour_transition(round=last, name="count", actor=None)
    actions.honour_transition(round=last, name="publish", actor=None)


def _think_tank(community: Any) -> None:
    from linli.deliberation import actions

    experts = [
        actions.expert_add(actor=None, community=community, name=name, kind=kind, specialties=fields, title=title)
        for name, kind, fields, title in [
            ("周国平", "retired_cadre", "基层治理、群众工作", "退休街道干部"),
            ("林淑芬", "teacher", "青少年教育、社区文化", "退休中学教师"),
            ("郑浩", "lawyer", "物业纠纷、业主大会、合同", "律师事务所执业律师"),
            ("何建军", "technician", "电梯维保、停车场设计、消防", "高级工程师"),
        ]
    ]
    topic = actions.topic_raise(actor=None, title="小区停车位不足，能否利用围墙拆除后的空地", place=community, source="staff",
                                description="晚上车位紧张，消防通道常被占用。")
    for expert, opinion in [
        (experts[2], "空地属全体业主共有，改建停车场须经业主大会表决（民法典第278条），收费标准另行表决。"),
        (experts[3], "建议划设32个车位并保留4米消防通道，夜间照明和充电桩一并设计。"),
    ]:
        actions.expert_invite(actor=None, topic=topic, expert=expert.pk)
        actions.expert_opinion_record(actor=None, topic=topic, expert=expert.pk, text=opinion)
    actions.expert_invite(actor=None, topic=topic, expert=experts[0].pk)


def demo_extend(demo: Any) -> None:
    from linli.deliberation.models import Project

    community = demo.community
    if Project.objects.filter(community=community).exists():
        return
    rng = random.Random(20261207)
    _park(community, demo.users.get("community"), rng)
    _stairs(community)
    _fund(community, rng)
    _honours(community, demo.users.get("community"), rng)
    _think_tank(community)
