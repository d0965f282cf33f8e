"""Every (state, action) pair of the order table: allowed pairs succeed for their rightful actor and
leave an event and an audit row; every other pair is refused (409) and writes nothing."""

from __future__ import annotations

import pytest

from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.orders import actions
from linli.orders.models import OrderEvent
from linli.orders.tests.service_fixtures import make_order, svc  # noqa: F401
from linli.orders.workflow import ORDER_TRANSITIONS, OrderStatus

STATES = [s.value for s in OrderStatus]

# The rightful actor (a field of ``svc``; None is the system) and the input of each action.
RIGHTFUL = {
    "dispatch": ("secretary", lambda s: {"member": s.member1.pk}),
    "publish": ("secretary", lambda s: {}),
    "accept": ("m1", lambda s: {}),
    "decline": ("m1", lambda s: {"reason": "没空"}),
    "take": ("m2", lambda s: {}),
    "done": ("m1", lambda s: {"note": "完成", "hours": "2"}),
    "rate": ("resident", lambda s: {"satisfaction": "satisfied"}),
    "close": (None, lambda s: {}),
    "cancel": ("resident", lambda s: {}),
    "recall": ("staff", lambda s: {"reason": "重新安排"}),
    "return": ("staff", lambda s: {"reason": "不在服务范围"}),
}


def test_every_action_has_a_rightful_actor():
    assert set(RIGHTFUL) == set(ORDER_TRANSITIONS)


@pytest.mark.parametrize("name", list(ORDER_TRANSITIONS))
@pytest.mark.parametrize("state", STATES)
def test_state_action_pair(svc, state, name):  # noqa: F811
    order = make_order(svc, status=state)
    t = ORDER_TRANSITIONS[name]
    who, data = RIGHTFUL[name]
    actor = getattr(svc, who) if who else None
    events = OrderEvent.objects.filter(order=order).count()
    if state not in t.sources:
        with pytest.raises(Refused):  # the system (no actor check): refused for the state alone
            actions.order_transition(order=order, name=name, actor=None, data=data(svc))
        assert OrderEvent.objects.filter(order=order).count() == events
        return
    if name == "close":  # the rating window must be over
        from datetime import timedelta

        from linli.orders.models import ServiceOrder

        ServiceOrder.objects.filter(pk=order.pk).update(done_at=order.done_at - timedelta(days=8))
    done = actions.order_transition(order=order, name=name, actor=actor, data=data(svc))
    done.refresh_from_db()
    assert done.status == (t.target or state)
    assert done.version == order.version + 1
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.kind, event.from_status, event.to_status) == (name, state, done.status)
    assert AuditEntry.objects.filter(action=f"party.order_{name}", target_id=str(order.pk)).exists()


def test_a_stranger_to_the_order_is_denied(svc):  # noqa: F811
    order = make_order(svc, status="dispatched")
    with pytest.raises(NotFound):  # dispatched to m1: m2 does not even see it
        actions.order_accept(order=order, actor=svc.m2)
    published = make_order(svc, status="published")
    actions.order_take(order=published, actor=svc.m1)
    with pytest.raises(PermissionDenied):  # m2 sees the branch's published order, but it is m1's
        actions.order_done(order=published, actor=svc.m2, note="x", hours="1")
    with pytest.raises(NotFound):  # a placed order is the desk's: members do not see it
        actions.order_publish(order=make_order(svc), actor=svc.m1)


def test_staff_cannot_close_inside_the_rating_window(svc):  # noqa: F811
    order = make_order(svc, status="done")
    with pytest.raises(Refused):
        actions.order_close(order=order, actor=svc.staff)


def test_the_secretary_who_served_an_order_cannot_rate_it(svc):  # noqa: F811
    from linli.orders.workflow import available_order_actions
    from linli.party.models import PartyMember
    from linli.residents.actions import person_create

    person = person_create(actor=None, name="赵书记", place=svc.world.grid_a, phone="13800000009")
    served = PartyMember.objects.create(person=person, user=svc.secretary, org=svc.branch,
                                        place_path=svc.world.grid_a.path)
    order = make_order(svc)
    actions.order_dispatch(order=order, member=served, actor=svc.secretary)
    actions.order_accept(order=order, actor=svc.secretary)
    actions.order_done(order=order, actor=svc.secretary, note="已清洗", hours="1")
    order.refresh_from_db()
    assert "rate" not in [t.name for t in available_order_actions(order, svc.secretary)]
    with pytest.raises(Refused):
        actions.order_rate(order=order, actor=svc.secretary, satisfaction="satisfied")
    assert "rate" in [t.name for t in available_order_actions(order, svc.resident)]
    actions.order_rate(order=order, actor=svc.resident, satisfaction="satisfied")
