"""Dashboard fixtures: a few residents of known ages and tags in the personas' street."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

import pytest

from linli.core.idnumber import make_id_number

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_point_index():
    from linli.places import geo

    geo.reset_index()
    yield
    geo.reset_index()


def born_aged(years: int, today: datetime.date | None = None) -> datetime.date:
    """A birth date that makes someone ``years`` old today (their birthday was a month ago)."""
    from django.utils import timezone

    from linli.residents.selectors_profile import years_before

    return years_before(today or timezone.localdate(), years) - datetime.timedelta(days=30)


def id_for(years: int, *, male: bool) -> str:
    n = next(_seq)
    return make_id_number("330102", born_aged(years), (n * 2 + (1 if male else 0)) % 1000)


def square(lon: float, lat: float, size: float = 0.004) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


@dataclass
class Street:
    world: Any
    house_a1: Any
    house_a2: Any
    house_b1: Any
    old_alone: Any  # grid A, 75, man, living alone
    mother: Any  # grid A, 40, woman
    father: Any  # grid A, 42, man, migrant worker away
    child: Any  # grid A, 8, boy
    widow: Any  # grid B, 65, woman, disabled (a sensitive tag)
    other: Any  # the other community, 30, man


@pytest.fixture
def street(world) -> Street:
    """测试一社区: grid A (a compound, a building with a shop, two houses) and grid B (one house), with
    boundaries on the grids only; five residents in three households. The other community: one resident."""
    from linli.places.actions import place_create, place_set_geometry
    from linli.places.models import PlaceKind
    from linli.residents.actions import (
        household_add_member,
        household_create,
        organisation_create,
        person_create,
        person_tag_add,
    )
    from linli.residents.builtin import ensure_builtin_tags
    from linli.residents.models import Tag

    ensure_builtin_tags(Tag)  # a transactional test (the browser's) flushed the migration's rows

    def tag(person, code):
        person_tag_add(person=person, tag=Tag.objects.get(code=code, community__isnull=True), actor=None)

    world.grid_a = place_set_geometry(place=world.grid_a, geometry=square(120.16, 30.25), actor=None)
    world.grid_b = place_set_geometry(place=world.grid_b, geometry=square(120.164, 30.25), actor=None)
    compound_a = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a,
                              geometry=square(120.161, 30.251, 0.002))
    building_a = place_create(kind=PlaceKind.BUILDING, name="1栋", parent=compound_a,
                              geometry={"type": "Point", "coordinates": [120.162, 30.252]})
    entrance_a = place_create(kind=PlaceKind.ENTRANCE, name="1单元", parent=building_a)
    a1 = place_create(kind=PlaceKind.HOUSE, name="101", parent=entrance_a, usage="residential")
    a2 = place_create(kind=PlaceKind.HOUSE, name="102", parent=entrance_a, usage="residential")
    shop = place_create(kind=PlaceKind.HOUSE, name="1号商铺", parent=building_a, usage="shop")
    organisation_create(name="好邻居便利店", place=shop, actor=None)
    compound_b = place_create(kind=PlaceKind.COMPOUND, name="幸福里", parent=world.grid_b)
    building_b = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=compound_b)
    b1 = place_create(kind=PlaceKind.HOUSE, name="201", parent=building_b)
    c_house = place_create(kind=PlaceKind.HOUSE, name="301", parent=place_create(
        kind=PlaceKind.BUILDING, name="3栋", parent=world.grid_c))

    def person(place, name, years, *, male):
        return person_create(actor=None, name=name, place=place, id_number=id_for(years, male=male))

    old_alone = person(a1, "张大爷", 75, male=True)
    tag(old_alone, "living_alone")
    household_create(head=old_alone, house=a1, actor=None)
    mother = person(a2, "李丽", 40, male=False)
    father = person(a2, "陈刚", 42, male=True)
    child = person(a2, "陈子轩", 8, male=True)
    tag(father, "migrant_away")
    family = household_create(head=mother, house=a2, actor=None)
    household_add_member(household=family, person=father, relationship="11", actor=None)
    household_add_member(household=family, person=child, relationship="20", actor=None)
    widow = person(b1, "王秀英", 65, male=False)
    tag(widow, "disabled")
    household_create(head=widow, house=b1, actor=None)
    other = person(c_house, "赵伟", 30, male=True)
    return Street(world, a1, a2, b1, old_alone, mother, father, child, widow, other)


def login(client, user):
    from linli.core.testing.personas import PASSWORD

    assert client.login(username=user.username, password=PASSWORD)
    return client


def json_script(response, element_id: str) -> Any:
    """The JSON a page passes to its scripts with ``json_script``."""
    import json
    import re

    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))
