"""Deliberation's part of the demo street (``linli demo``), in the first community: a residents' day (居民议事日)
that decided a pocket park, the project it opened (funded by residents' contributions, donations and the
community budget, works in progress with two milestones and their photos, a deposit paid to the builder),
a finished stairway micro-renewal, and the 党员扶助基金 with party members' donations and this year's payment
run of medical insurance for the residents aged 70 and over. Money is written in bulk through the ledger's
one door (``ledger_post_many``). Idempotent: a community with a project is left as it is. Fictional data."""

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


def demo_extend(demo: Any) -> None:
    from linli.deliberation.models import Project

    community = demo.community
    if Project.objects.filter(community=community).exists():
        return
    rng = random.Random(20261207)
    _park(community, demo.users.get("community"), rng)
    _stairs(community)
    _fund(community, rng)
