"""Deliberation test helpers: a compound with houses of known floor area, residents with accounts (the
same phone as their registry person), households, owners; topics and votes through the real actions."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest

_phones = itertools.count(13700000001)
ADULT = datetime.date(1980, 5, 1)


@pytest.fixture
def compound(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    return place_create(kind=PlaceKind.COMPOUND, name="幸福家园", parent=world.grid_a)


@pytest.fixture
def make_house(compound):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    counter = itertools.count(101)
    building = place_create(kind=PlaceKind.BUILDING, name="1幢", parent=compound)

    def _make(area="100.00", name=None):
        return place_create(
            kind=PlaceKind.HOUSE, name=name or f"{next(counter)}室", parent=building, area_m2=Decimal(area)
        )

    return _make


@pytest.fixture
def make_person(world):
    from linli.residents.actions import person_create
    from linli.residents.models import Person

    def _make(name="居民", *, place=None, owner=False, born=ADULT, phone=None):
        person = person_create(
            actor=None,
            name=name,
            place=place or world.grid_a,
            phone=phone or str(next(_phones)),
            occupancy_kind="owner" if owner else "resident",
        )
        Person.objects.filter(pk=person.pk).update(birth_month=born.replace(day=1))
        person.refresh_from_db()
        return person

    return _make


@pytest.fixture
def make_voter(world, make_person):
    """A resident account with a registry person (same phone); ``household`` joins one (else heads a new
    one when ``new_household``)."""
    from linli.core.testing.personas import make_user
    from linli.residents.actions import household_add_member, household_create

    counter = itertools.count(1)

    def _make(*, place=None, owner=False, household=None, new_household=True, born=ADULT, username=None):
        phone = str(next(_phones))
        n = next(counter)
        user = make_user(username or f"voter_{n}", "resident", place=world.grid_a, phone=phone)
        person = make_person(f"居民{n}", place=place, owner=owner, born=born, phone=phone)
        if household is not None:
            household_add_member(household=household, person=person, relationship="10", actor=None)
        elif new_household:
            household = household_create(head=person, actor=None, house=place if place is not None and place.kind == "house" else None)
        user.person = person
        user.household = household
        return user

    return _make


@pytest.fixture
def topic(world, resident, community_staff):
    from linli.deliberation.actions import topic_raise

    return topic_raise(actor=community_staff, title="小区停车难", description="晚上车位不够", place=world.community)


@pytest.fixture
def make_vote(world, community_staff):
    from django.utils import timezone

    from linli.deliberation.actions import vote_create

    def _make(*, place=None, electorate="households", rule="residents", **kwargs):
        kwargs.setdefault("title", "是否建设口袋公园")
        kwargs.setdefault("closes_at", timezone.now() + datetime.timedelta(days=7))
        return vote_create(
            actor=kwargs.pop("actor", community_staff), place=place or world.community, electorate=electorate,
            rule=rule, **kwargs
        )

    return _make


@pytest.fixture
def project(world, community_staff):
    from linli.deliberation.actions import project_propose

    return project_propose(actor=community_staff, title="城南口袋公园", kind="pocket_park", place=world.community,
                           budget="1000.00", description="把闲置空地改成口袋公园")


@pytest.fixture
def passed_vote(make_vote, community_staff):
    """A closed vote that passed (everything through the real actions, the tally included)."""
    from linli.deliberation.actions import ballot_cast, vote_transition

    def _make(voter):
        vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
        ballot_cast(actor=voter, vote=vote.pk, choice="agree")
        return vote_transition(vote=vote.pk, name="close", actor=community_staff)

    return _make


def jpeg_bytes(size=(64, 48)) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def fund(world, community_staff):
    from linli.deliberation.actions import fund_create

    return fund_create(actor=community_staff, community=world.community, name="党员扶助基金",
                       description="党员捐助，为70岁以上老人缴纳医保")
