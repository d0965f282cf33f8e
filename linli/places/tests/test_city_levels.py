"""City and district levels above the street (a city deployment), with GB/T 2260 codes, and the roles
bound to them: district and city supervisors and the 12345 dispatch centre."""

import pytest

from linli.core.errors import Invalid
from linli.places.actions import child_kinds, place_create, place_move
from linli.places.models import Place, PlaceKind
from linli.places.selectors import district_code_of


def test_a_city_holds_districts_and_a_district_holds_streets(city):
    assert city.district_a.parent == city.city and city.street_a.parent == city.district_a
    assert city.street_a.path == f"{city.city.path}{city.district_a.pk}/{city.street_a.pk}/"
    assert city.street_a.depth == 2
    assert child_kinds(PlaceKind.CITY) == [PlaceKind.DISTRICT]
    assert child_kinds(PlaceKind.DISTRICT) == [PlaceKind.STREET]
    assert PlaceKind.CITY in child_kinds(None) and PlaceKind.STREET in child_kinds(None)


def test_a_street_takes_its_districts_county_code(city):
    assert city.street_a.district_code == "330105"
    street = place_create(kind=PlaceKind.STREET, name="丙街道", parent=city.district_b)
    assert street.district_code == "330106"


@pytest.mark.parametrize(
    ("kind", "code", "parent"),
    [
        (PlaceKind.CITY, "33010", None),  # 5 digits
        (PlaceKind.CITY, "990100", None),  # no such province
        (PlaceKind.CITY, "330106", None),  # a city's code ends in 00
        (PlaceKind.DISTRICT, "330100", "city"),  # a district's does not
        (PlaceKind.DISTRICT, "320106", "city"),  # not in its city
        (PlaceKind.STREET, "330106001000", "district_a"),  # its code is district B's
    ],
)
def test_bad_codes_are_refused_and_nothing_is_written(city, kind, code, parent):
    before = Place.objects.count()
    with pytest.raises(Invalid) as err:
        place_create(kind=kind, name="坏", code=code, parent=getattr(city, parent) if parent else None)
    assert err.value.fields
    assert Place.objects.count() == before


def test_a_municipality_holds_its_districts_by_province_prefix(db):
    beijing = place_create(kind=PlaceKind.CITY, name="北京市", code="110000")
    assert place_create(kind=PlaceKind.DISTRICT, name="朝阳区", code="110105", parent=beijing).code == "110105"


def test_a_district_cannot_sit_under_a_street(city):
    with pytest.raises(Invalid):
        place_create(kind=PlaceKind.DISTRICT, name="错", code="330109", parent=city.street_a)


def test_an_existing_street_moves_under_a_new_district(world, city):
    """A street deployment grows into a city: its street is re-rooted under a district and every path
    below it follows (place_move walks the registered path copies)."""
    from linli.cases.actions import case_create

    district = place_create(kind=PlaceKind.DISTRICT, name="上城区", code="330102", parent=city.city)
    case = case_create(actor=None, channel="hotline", category=_category(), title="路灯", place=world.grid_a)
    place_move(place=world.street, new_parent=district, actor=None)
    world.grid_a.refresh_from_db()
    case.refresh_from_db()
    assert world.grid_a.path.startswith(district.path) and world.grid_a.depth == 4
    assert case.place_path == world.grid_a.path
    assert district_code_of(world.grid_a.path) == "330102"


def test_a_street_of_another_county_cannot_move_under_a_district(world, city):
    with pytest.raises(Invalid):
        place_move(place=world.street, new_parent=city.district_a, actor=None)


def test_district_code_of_a_path(world, city):
    assert district_code_of(city.grid_b.path) == "330106"
    assert district_code_of(world.grid_a.path) == "330102"  # no district node: the street's county code
    assert district_code_of("") == ""


def _category():
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()
    return "MUNI.STREETLIGHT"
