"""Demo data of the 三单制 orders and 微心愿 wishes (see demo.py): in each demo community, a handful of
orders and wishes in each state, walked there through the actions (so events, audit rows, hours and
points are real). Idempotent: a community that already has demo orders is left alone. Runs after the
party's demo (``INSTALLED_APPS`` order); without a party branch or members it makes only the states that need none."""

from __future__ import annotations

import logging
from typing import Any

from linli.core.errors import DomainError

logger = logging.getLogger("linli.orders.demo")

DEMO_MARK = "（演示）"

ORDERS = [
    # (category, description, address, the state to walk it to)
    ("cleaning", "家里油烟机很久没洗了，想请人帮忙清洗", "1幢2单元301", "placed"),
    ("plumbing", "卫生间水龙头一直滴水", "2幢1单元102", "published"),
    ("escort", "下周二上午去市一医院复查，需要有人陪同", "3幢1单元501", "dispatched"),
    ("appliance", "洗衣机不脱水", "1幢1单元201", "taken"),
    ("meals", "老人腿脚不便，希望每天中午送餐", "5幢2单元101", "done"),
    ("haircut", "卧床老人需要上门理发", "4幢1单元402", "rated"),
    ("errands", "帮忙代缴物业费和水电费", "6幢1单元302", "rated_unsatisfied"),
    ("legal", "想咨询一下房屋租赁合同的问题", "2幢2单元601", "cancelled"),
]

WISHES = [
    ("想要一台收音机听戏", "家里的收音机坏了，平时就喜欢听越剧", "posted"),
    ("希望有人教我用智能手机挂号", "子女不在身边，不会在手机上预约挂号", "open"),
    ("想给孙子买一套课外书", "孩子喜欢看科普书", "adopted"),
    ("想要一副老花镜", "看报纸越来越吃力了", "fulfilled"),
    ("希望有人帮忙修一下轮椅", "轮椅刹车不灵了", "confirmed"),
    ("想要一张新床垫", "（与已有心愿重复）", "rejected"),
]

REQUESTERS = ["王秀兰", "李桂英", "张建国", "刘淑珍", "陈志强", "杨玉梅", "赵德明", "黄丽华"]


def _members(community: Any) -> list[Any]:
    from linli.party.models import PartyMember

    return list(
        PartyMember.objects.filter(active=True, user__isnull=False, place_path__startswith=community.path)
        .select_related("org")
        .order_by("id")[:3]
    )


def _grid_of(demo: Any, community: Any) -> Any:
    for grid in demo.grids:
        if grid.path.startswith(community.path):
            return grid
    from linli.places.models import Place, PlaceKind

    return (
        Place.objects.filter(kind=PlaceKind.GRID, path__startswith=community.path).order_by("path").first()
        or community
    )


def _walk_order(order: Any, state: str, members: list[Any]) -> None:
    from linli.orders import actions

    if state == "placed":
        return
    if state == "cancelled":
        actions.order_cancel(order=order, actor=None, reason="已自行解决")
        return
    if order.org_id is None:
        return  # without a branch the order waits at the desk
    if state == "published":  # a branch without member logins yet can still publish
        actions.order_publish(order=order, actor=None)
        return
    member = next((m for m in members if order.org_id in _chain(m)), None)
    if member is None:
        return
    actions.order_dispatch(order=order, member=member.pk, actor=None)
    if state == "dispatched":
        return
    actions.order_accept(order=order, actor=None)
    if state == "taken":
        return
    actions.order_done(order=order, actor=None, note="已上门完成服务", hours="1.5")
    if state == "rated":
        actions.order_rate(order=order, actor=None, satisfaction="satisfied", comment="党员同志很热心")
    elif state == "rated_unsatisfied":
        actions.order_rate(order=order, actor=None, satisfaction="unsatisfied", comment="来得比约定晚了")


def _chain(member: Any) -> list[int]:
    from linli.party.selectors import org_ancestor_ids

    return org_ancestor_ids(member.org_id)


def _walk_wish(wish: Any, state: str, adopter: Any, partner: Any) -> None:
    from linli.orders import actions

    if state == "posted":
        return
    if state == "rejected":
        actions.wish_reject(wish=wish, actor=None, reason="与已有心愿重复")
        return
    actions.wish_publish(wish=wish, actor=None)
    if state == "open":
        return
    if partner is not None and state == "confirmed":
        actions.wish_adopt(wish=wish, actor=None, partner=partner.pk)
        actions.wish_fulfil(wish=wish, actor=None, note="共建单位已送达", hours="2")
    elif adopter is not None:
        actions.wish_adopt(wish=wish, actor=adopter)
        if state in ("fulfilled", "confirmed"):
            actions.wish_fulfil(wish=wish, actor=adopter, note="已送到老人家中", hours="1")
    else:
        return
    if state == "confirmed":
        actions.wish_confirm(wish=wish, actor=None)


def demo_extend(demo: Any) -> None:
    from linli.orders import actions
    from linli.orders.models import ServiceOrder
    from linli.party.models import Partner

    resident = demo.users.get("resident")
    volunteer = demo.users.get("volunteer")
    for index, community in enumerate(demo.communities):
        if ServiceOrder.objects.filter(
            place_path__startswith=community.path, description__endswith=DEMO_MARK
        ).exists():
            continue
        grid = _grid_of(demo, community)
        members = _members(community)
        partner = Partner.objects.filter(community=community, active=True).order_by("id").first()
        for n, (category, description, address, state) in enumerate(ORDERS):
            own = index == 0 and resident is not None and n % 2 == 0
            order = actions.order_place(
                actor=resident if own else None,
                category=category,
                description=description + DEMO_MARK,
                address=address,
                place=None if own else grid,
                requester_name="" if own else REQUESTERS[n],
            )
            try:
                _walk_order(order, state, members)
            except DomainError as exc:  # a demo community without the people a state needs: leave it
                logger.warning("demo order %s stays %s: %s", order.pk, order.status, exc.message)
        adopter = volunteer if index == 0 else (members[0].user if members else None)
        for n, (title, description, state) in enumerate(WISHES):
            wish = actions.wish_post(
                actor=None,
                title=title,
                description=description + DEMO_MARK,
                place=grid,
                poster_name=REQUESTERS[-1 - n],
            )
            try:
                _walk_wish(wish, state, adopter, partner)
            except DomainError as exc:
                logger.warning("demo wish %s stays %s: %s", wish.pk, wish.status, exc.message)
