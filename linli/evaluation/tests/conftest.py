"""Evaluation test helpers: a compound of five buildings in grid A (and one in grid B), a round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Estate:
    compound: Any
    buildings: list[Any]
    other_compound: Any
    other_building: Any


@pytest.fixture
def estate(world) -> Estate:
    from linli.evaluation.defaults import defaults_ensure
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    defaults_ensure()  # a transactional test earlier in this process may have emptied the tables

    compound = place_create(kind=PlaceKind.COMPOUND, name="评比小区", parent=world.grid_a)
    buildings = [place_create(kind=PlaceKind.BUILDING, name=f"{i}幢", parent=compound) for i in (1, 2, 3, 4, 10)]
    other = place_create(kind=PlaceKind.COMPOUND, name="别的小区", parent=world.grid_b)
    other_building = place_create(kind=PlaceKind.BUILDING, name="1幢", parent=other)
    return Estate(compound, buildings, other, other_building)


@pytest.fixture
def make_round(estate, community_staff):
    from linli.evaluation import actions

    def _make(month: dt.date = dt.date(2026, 11, 1), closes_on: dt.date | None = None):
        from django.utils import timezone

        return actions.round_open(
            compound=estate.compound, month=month, organiser="branch",
            closes_on=closes_on or max(timezone.localdate(), month.replace(day=25)), actor=community_staff,
        )

    return _make


@pytest.fixture
def building_head(estate):
    from linli.core.testing.personas import make_user

    return make_user("head_1", "building_head", place=estate.buildings[0])


def sheet_for(rnd, building, buildings, value=8, per: dict | None = None):
    """Scores from ``building`` for every other building: ``value`` for each criterion, or ``per[target
    index]`` (a value or a {code: value} dict)."""
    out = {}
    for i, t in enumerate(buildings):
        if t.pk == building.pk:
            continue
        v = (per or {}).get(i, value)
        out[str(t.pk)] = v if isinstance(v, dict) else {c["code"]: v for c in rnd.criteria}
    return out
