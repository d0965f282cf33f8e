"""Party test helpers: a compound, building and house in grid A; the organisation tree on them; persons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Tree:
    compound: Any
    building: Any
    house: Any
    compound_b: Any
    committee: Any
    branch: Any
    group: Any


@pytest.fixture
def places(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="1幢", parent=compound)
    house = place_create(kind=PlaceKind.HOUSE, name="101室", parent=building)
    compound_b = place_create(kind=PlaceKind.COMPOUND, name="和谐小区", parent=world.grid_b)
    return compound, building, house, compound_b


@pytest.fixture
def tree(world, places) -> Tree:
    from linli.party.actions import org_create

    compound, building, house, compound_b = places
    committee = org_create(kind="committee", name="测试一社区党委", place=world.community, actor=None)
    branch = org_create(kind="branch", name="幸福小区党支部", place=compound, parent=committee, actor=None)
    group = org_create(kind="group", name="1幢党小组", place=building, parent=branch, actor=None)
    return Tree(compound, building, house, compound_b, committee, branch, group)


@pytest.fixture
def make_person(world):
    from linli.residents.actions import person_create

    counter = {"n": 0}

    def _make(name: str = "", place=None, phone: str = ""):
        counter["n"] += 1
        return person_create(
            actor=None, name=name or f"党员{counter['n']}", place=place or world.grid_a, phone=phone
        )

    return _make


@pytest.fixture
def categories(db):
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()


@pytest.fixture
def partners(world):
    """Four 大党委 member units of community 1, in rotation order."""
    from linli.party.actions import partner_create

    return [
        partner_create(community=world.community, name=name, big_committee=True, rotation_order=i, actor=None)
        for i, name in enumerate(["区供电局", "区人民医院", "实验小学", "物业公司"], start=1)
    ]
