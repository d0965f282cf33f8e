"""Adopting a wish: one adopter wins under a race; confirmation earns hours and a point for a person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from linli.core.errors import Invalid, NotFound, Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.orders import actions
from linli.orders.actions import wishes as wish_actions
from linli.orders.models import Wish, WishEvent
from linli.orders.tests.service_fixtures import make_wish, slow, svc  # noqa: F401


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_adopters_of_one_wish_one_wins(svc, tmp_path, monkeypatch):  # noqa: F811
    wish = make_wish(svc, status="open")
    slow(monkeypatch, wish_actions.APPLY, "adopt")
    db = sqlite_file(tmp_path)
    results, errors = race(
        [
            lambda: actions.wish_adopt(wish=wish.pk, actor=svc.m1),
            lambda: actions.wish_adopt(wish=wish.pk, actor=svc.volunteer),
        ],
        settings_dict=db,
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        fresh = Wish.objects.get(pk=wish.pk)
        return (
            WishEvent.objects.filter(wish_id=wish.pk, kind="adopt").count(),
            fresh.status,
            fresh.adopter_user_id,
        )

    adopts, status, adopter = in_thread(outcome, db)
    assert (adopts, status) == (1, "adopted")
    assert adopter == results[0].adopter_user_id


def test_a_member_adopts_and_earns_on_confirmation(svc):  # noqa: F811
    from linli.points import selectors as points_selectors

    wish = make_wish(svc, status="fulfilled", adopter="m1")
    assert wish.adopter_kind == "member" and wish.adopter_person_id == svc.member1.person_id
    person = svc.member1.person_id
    before = points_selectors.balance_of(person)
    actions.wish_confirm(wish=wish, actor=svc.resident)
    today = dt.date.today()
    assert points_selectors.balance_of(person) == before + 1
    hours = points_selectors.hours_by_person(
        [person], since=today - dt.timedelta(days=1), until=today + dt.timedelta(days=1)
    )
    assert hours.get(person) == Decimal("2")


def test_a_partner_unit_earns_nothing(svc):  # noqa: F811
    from linli.points.models import PointsEntry

    count = PointsEntry.objects.count()
    make_wish(svc, status="confirmed", adopter="partner")
    assert PointsEntry.objects.count() == count


def test_release_puts_the_wish_back_on_the_wall(svc):  # noqa: F811
    wish = make_wish(svc, status="adopted")
    back = actions.wish_release(wish=wish, actor=svc.volunteer, reason="搬家了")
    assert back.status == "open" and back.adopter_user_id is None and back.adopter_name == ""


def test_a_resident_cannot_adopt_without_the_permission(svc):  # noqa: F811
    from linli.core.testing.personas import make_user

    wish = make_wish(svc, status="open")
    other = make_user("resident_2", "resident", place=svc.world.grid_a)
    with pytest.raises(NotFound):  # a resident does not see the wall through the API
        actions.wish_adopt(wish=wish, actor=other)
    assert Wish.objects.get(pk=wish.pk).status == "open"


def test_staff_must_name_a_partner_of_the_community(svc):  # noqa: F811
    from linli.party.models import Partner

    wish = make_wish(svc, status="open")
    elsewhere = Partner.objects.create(
        name="外社区单位", community=svc.world.community_2, place_path=svc.world.community_2.path
    )
    with pytest.raises(Invalid):
        actions.wish_adopt(wish=wish, actor=svc.staff)
    with pytest.raises(Invalid):
        actions.wish_adopt(wish=wish, actor=svc.staff, partner=elsewhere.pk)


def test_the_wall_masks_posters_and_counts_the_fulfilled(svc, client):  # noqa: F811
    from linli.orders.selectors import wish_wall

    make_wish(svc, status="open")
    make_wish(svc, status="confirmed")
    make_wish(svc, status="posted")  # not yet reviewed: not on the wall
    wall = wish_wall(community=svc.world.community)
    assert [w.poster for w in wall.open] == ["王**"]
    assert len(wall.done) == 1 and wall.fulfilled_this_year == 1
    assert wish_wall(community=svc.world.community_2).open == []
