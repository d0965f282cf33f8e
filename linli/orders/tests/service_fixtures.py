"""Fixtures of the order and wish tests (imported by tests/test_order*.py and tests/test_wish*.py).

``svc``: community 1 has a committee and, in grid A, a branch whose secretary is ``svc.secretary``; two
members of the branch (``m1``, ``m2``, with logins and registry persons), a volunteer, a partner unit, and
the resident of grid A (who has a registry person through their phone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from linli.core.testing.personas import make_user

RESIDENT_PHONE = "13800000001"


@dataclass
class Svc:
    world: Any
    resident: Any
    resident_person: Any
    staff: Any
    secretary: Any
    committee: Any
    branch: Any
    m1: Any
    m2: Any
    member1: Any
    member2: Any
    volunteer: Any
    partner: Any
    outsider: Any


def _member(username: str, name: str, world, branch, phone: str):
    from linli.party.models import PartyMember
    from linli.residents.actions import person_create

    user = make_user(username, "party_member", place=world.grid_a, phone=phone)
    person = person_create(actor=None, name=name, place=world.grid_a, phone=phone)
    member = PartyMember.objects.create(person=person, user=user, org=branch, place_path=world.grid_a.path)
    return user, member


@pytest.fixture
def svc(world, community_staff, outsider) -> Svc:
    from linli.party.models import Partner, PartyOrg
    from linli.residents.actions import person_create

    resident = make_user("resident_a", "resident", place=world.grid_a, phone=RESIDENT_PHONE)
    person = person_create(actor=None, name="王小明", place=world.grid_a, phone=RESIDENT_PHONE)
    secretary = make_user("secretary_a", "party_member", place=world.grid_a, phone="13800000009")
    committee = PartyOrg.objects.create(
        name="测试一社区党委", kind="committee", place=world.community, place_path=world.community.path
    )
    branch = PartyOrg.objects.create(
        name="第一网格党支部",
        kind="branch",
        parent=committee,
        place=world.grid_a,
        place_path=world.grid_a.path,
        secretary=secretary,
    )
    m1, member1 = _member("member_1", "李党员", world, branch, "13800000002")
    m2, member2 = _member("member_2", "张党员", world, branch, "13800000003")
    volunteer = make_user("volunteer_a", "volunteer", place=world.grid_a, phone="13800000004")
    partner = Partner.objects.create(
        name="测试共建单位", community=world.community, place_path=world.community.path
    )
    return Svc(
        world,
        resident,
        person,
        community_staff,
        secretary,
        committee,
        branch,
        m1,
        m2,
        member1,
        member2,
        volunteer,
        partner,
        outsider,
    )


def make_order(svc: Svc, *, status: str = "placed", actor=None):
    """An order of the resident, walked to ``status`` by the rightful people."""
    from linli.orders import actions

    order = actions.order_place(
        actor=actor or svc.resident, category="cleaning", description="厨房油烟机清洗", address="1幢1单元101"
    )
    if status == "placed":
        return order
    if status in ("dispatched", "taken", "done", "rated", "closed"):
        actions.order_dispatch(order=order, member=svc.member1, actor=svc.secretary)
        if status != "dispatched":
            actions.order_accept(order=order, actor=svc.m1)
        if status in ("done", "rated", "closed"):
            actions.order_done(order=order, actor=svc.m1, note="已清洗", hours="1.5")
        if status == "rated":
            actions.order_rate(order=order, actor=svc.resident, satisfaction="satisfied")
        if status == "closed":
            from linli.orders.models import ServiceOrder

            order.refresh_from_db()
            ServiceOrder.objects.filter(pk=order.pk).update(done_at=order.done_at - timedelta(days=8))
            actions.orders_close_unrated()
    elif status == "published":
        actions.order_publish(order=order, actor=svc.secretary)
    elif status == "cancelled":
        actions.order_cancel(order=order, actor=svc.resident)
    elif status == "returned":
        actions.order_return(order=order, actor=svc.staff, reason="不在服务范围")
    order.refresh_from_db()
    assert order.status == status
    return order


def make_wish(svc: Svc, *, status: str = "posted", adopter: str = "volunteer"):
    from linli.orders import actions

    wish = actions.wish_post(actor=svc.resident, title="想要一台收音机", description="听戏用")
    if status == "posted":
        return wish
    if status == "rejected":
        actions.wish_reject(wish=wish, actor=svc.staff, reason="重复")
    elif status == "withdrawn":
        actions.wish_withdraw(wish=wish, actor=svc.resident)
    else:
        actions.wish_publish(wish=wish, actor=svc.staff)
        if status != "open":
            if adopter == "partner":
                actions.wish_adopt(wish=wish, actor=svc.staff, partner=svc.partner.pk)
            else:
                actions.wish_adopt(wish=wish, actor=getattr(svc, adopter))
        if status in ("fulfilled", "confirmed"):
            who = svc.staff if adopter == "partner" else getattr(svc, adopter)
            actions.wish_fulfil(wish=wish, actor=who, note="已送到", hours="2")
        if status == "confirmed":
            actions.wish_confirm(wish=wish, actor=svc.resident)
    wish.refresh_from_db()
    assert wish.status == status
    return wish


# --- races (the threads and databases: linli/core/testing/concurrency.py) ---------------------------------


def slow(monkeypatch, apply_table: dict, name: str, seconds: float = 0.3) -> None:
    """Hold the row lock a while inside ``name``, so that the other press surely arrives meanwhile."""
    import time

    original = apply_table[name]

    def slowly(*args):
        time.sleep(seconds)
        return original(*args)

    monkeypatch.setitem(apply_table, name, slowly)
