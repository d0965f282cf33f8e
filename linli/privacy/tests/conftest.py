"""Fixtures of the personal-data tests: a resident whose login is linked (by phone) to a registry person
with a household, a house, tags (one sensitive), a case, an order, points, and a care visit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from linli.core.idnumber import make_id_number
from linli.core.testing.personas import PASSWORD, make_user

PHONE = "13811112222"
ID_NUMBER = make_id_number("330102", datetime.date(1950, 3, 9), 123)
NAME = "欧阳明远"


@dataclass
class Me:
    user: Any
    person: Any
    house: Any
    spouse: Any


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def me(world) -> Me:
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.residents.actions import household_add_member, household_create, person_create, person_tag_add
    from linli.residents.models import Tag

    compound = place_create(kind=PlaceKind.COMPOUND, name="明月小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="1栋", parent=compound)
    house = place_create(kind=PlaceKind.HOUSE, name="101", parent=building)
    person = person_create(actor=None, name=NAME, place=house, phone=PHONE, id_number=ID_NUMBER,
                           registered_address="杭州市西湖区文三路8号", notes="腿脚不便")
    spouse = person_create(actor=None, name="司马秀英", place=house, phone="13933334444")
    household = household_create(head=person, actor=None)
    household_add_member(household=household, person=spouse, relationship="10", actor=None)
    person_tag_add(person=person, tag=Tag.objects.get(code="living_alone", community__isnull=True), actor=None)
    person_tag_add(person=person, tag=Tag.objects.get(code="low_income", community__isnull=True), actor=None)
    user = make_user("me_resident", "resident", place=world.grid_a, phone=PHONE)
    return Me(user, person, house, spouse)
