"""The case fixtures (categories, make_case) of the cases app, shared with the Open311 tests."""

import pytest  # noqa: E402

from linli.cases.tests.conftest import categories, category, make_case  # noqa: F401


@pytest.fixture
def building(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福家园", parent=world.grid_a)
    return place_create(kind=PlaceKind.BUILDING, name="3幢", parent=compound)
