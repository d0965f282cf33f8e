"""Every (state, action) pair of the wish table."""

from __future__ import annotations

import pytest

from linli.core.errors import PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.orders import actions
from linli.orders.models import WishEvent
from linli.orders.tests.service_fixtures import make_wish, svc  # noqa: F401
from linli.orders.workflow import WISH_TRANSITIONS, WishStatus

STATES = [s.value for s in WishStatus]

RIGHTFUL = {
    "publish": ("staff", lambda s: {}),
    "reject": ("staff", lambda s: {"reason": "不合适"}),
    "adopt": ("volunteer", lambda s: {}),
    "release": ("volunteer", lambda s: {"reason": "临时有事"}),
    "fulfil": ("volunteer", lambda s: {"note": "已送到", "hours": "1"}),
    "confirm": ("resident", lambda s: {}),
    "withdraw": ("resident", lambda s: {}),
}


def test_every_action_has_a_rightful_actor():
    assert set(RIGHTFUL) == set(WISH_TRANSITIONS)


@pytest.mark.parametrize("name", list(WISH_TRANSITIONS))
@pytest.mark.parametrize("state", STATES)
def test_state_action_pair(svc, state, name):  # noqa: F811
    wish = make_wish(svc, status=state)
    t = WISH_TRANSITIONS[name]
    who, data = RIGHTFUL[name]
    actor = getattr(svc, who)
    events = WishEvent.objects.filter(wish=wish).count()
    if state not in t.sources:
        with pytest.raises(Refused):  # the system (no actor check): refused for the state alone
            actions.wish_transition(wish=wish, name=name, actor=None, data=data(svc))
        assert WishEvent.objects.filter(wish=wish).count() == events
        return
    done = actions.wish_transition(wish=wish, name=name, actor=actor, data=data(svc))
    done.refresh_from_db()
    assert done.status == (t.target or state)
    event = WishEvent.objects.filter(wish=wish).latest("id")
    assert (event.kind, event.from_status, event.to_status) == (name, state, done.status)
    assert AuditEntry.objects.filter(action=f"party.wish_{name}", target_id=str(wish.pk)).exists()


def test_only_the_adopter_fulfils(svc):  # noqa: F811
    wish = make_wish(svc, status="adopted")
    with pytest.raises(PermissionDenied):
        actions.wish_fulfil(wish=wish, actor=svc.m1, note="x")


def test_staff_confirm_for_the_resident_only_after_the_wait(svc):  # noqa: F811
    from datetime import timedelta

    from linli.orders.models import Wish

    wish = make_wish(svc, status="fulfilled")
    with pytest.raises(Refused):
        actions.wish_confirm(wish=wish, actor=svc.staff)
    Wish.objects.filter(pk=wish.pk).update(fulfilled_at=wish.fulfilled_at - timedelta(days=8))
    assert actions.wish_confirm(wish=wish, actor=svc.staff).status == "confirmed"


def test_a_partner_unit_adopts_through_staff(svc):  # noqa: F811
    wish = make_wish(svc, status="confirmed", adopter="partner")
    assert (
        wish.adopter_kind == "partner"
        and wish.adopter_name == "测试共建单位"
        and wish.adopter_person_id is None
    )
