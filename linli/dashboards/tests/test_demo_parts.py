"""The demo street's parts, quickly: the layout, the household mix that gives exact figures, the seeded
draws, and the small demo the test suite builds."""

from __future__ import annotations

import datetime
import random

import pytest

from linli.residents import demo as registry_demo


def test_layout_gives_happy_community_1_3_km2_tiled_by_its_grids():
    from shapely.ops import unary_union

    from linli.accounts.demo import COMMUNITIES, as_geojson, demo_layout
    from linli.places import geo

    shapes = demo_layout()
    area = {code: geo.area_km2(geo.geometry_of(as_geojson(shape))) for code, shape in shapes.items()}
    name, code, grids = COMMUNITIES[0]
    assert name == "幸福社区"
    assert area[code] == pytest.approx(1.3, abs=1e-4)
    assert sum(area[g] for _n, g in grids) == pytest.approx(1.3, abs=1e-3)
    union = unary_union([shapes[g] for _n, g in grids])
    assert union.symmetric_difference(shapes[code]).area < 1.0  # m²
    # The communities tile the street without overlapping.
    communities = [shapes[c] for _n, c, _g in COMMUNITIES]
    assert unary_union(communities).area == pytest.approx(sum(s.area for s in communities), rel=1e-9)


@pytest.mark.parametrize("spec", registry_demo.COMMUNITY_SPECS, ids=lambda s: s.code)
@pytest.mark.parametrize("small", [False, True])
def test_household_mix_gives_the_exact_figures(spec, small):
    spec = registry_demo.small_spec(spec) if small else spec
    mix = registry_demo.household_mix(households=spec.households, residents=spec.residents, elderly=spec.elderly,
                                      living_alone=spec.living_alone)
    kinds = registry_demo.HOUSEHOLD_KINDS
    assert sum(mix.values()) == spec.households
    assert sum(kinds[k][0] * n for k, n in mix.items()) == spec.residents
    assert sum(kinds[k][1] * n for k, n in mix.items()) == spec.elderly
    assert mix["alone"] == spec.living_alone
    assert min(mix.values()) >= 0


def test_happy_community_spec_is_the_product_s():
    spec = registry_demo.SPECS_BY_CODE["330102900001"]
    assert (spec.households, spec.residents) == (2395, 6779)
    assert sum(len(g.compounds) for g in spec.grids) == 5
    assert sum(1 for g in spec.grids if g.apartment) == 2
    assert sum(c.shops for g in spec.grids for c in g.compounds) == 119
    assert all(300 <= g.households <= 500 for s in registry_demo.COMMUNITY_SPECS for g in s.grids)
    assert round(100 * spec.elderly / spec.residents, 1) == 18.0
    assert round(100 * spec.living_alone / spec.residents, 1) == 5.0
    assert f"{100 * spec.migrant_away / spec.residents:.2f}" == "20.02"


def _draw(seed: str, block: int = 0):
    today = datetime.date(2026, 6, 1)
    people = registry_demo.People(random.Random(seed), today, block=block)
    spec = registry_demo.small_spec(registry_demo.COMMUNITY_SPECS[0])
    plans = registry_demo._plans(people, spec, resident_first=True)
    rows = []
    for plan in plans:
        for m in plan.members:
            birth = people.birth_date(m.age)
            rows.append((m.name or people.name(m), m.sex, birth, people.id_number(birth, m.sex), sorted(m.tags)))
    return rows


def test_demo_draws_are_deterministic_and_ages_avoid_59():
    first, again = _draw("linli-demo-x"), _draw("linli-demo-x")
    assert first == again
    assert first != _draw("linli-demo-y")
    today = datetime.date(2026, 6, 1)
    for _name, _sex, birth, _id, _tags in first:
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        assert age != 59


def test_demo_id_numbers_of_two_communities_never_clash():
    ids = {row[3] for row in _draw("same", block=0)}
    assert not ids & {row[3] for row in _draw("same", block=1)}


def test_small_demo_builds_every_community_with_people(db, settings):
    from linli.accounts.demo import demo_build
    from linli.core.crypto import lookup_hashes
    from linli.places.models import Place, PlaceKind
    from linli.residents.models import Household, Organisation, Person

    settings.LINLI_DEMO_SIZE = "small"
    built = demo_build()
    for community in built.communities:
        spec = registry_demo.small_spec(registry_demo.SPECS_BY_CODE[community.code])
        inside = {"path__startswith": community.path}
        assert Place.objects.filter(kind=PlaceKind.COMPOUND, **inside).count() == sum(len(g.compounds) for g in spec.grids)
        assert Person.objects.filter(place_path__startswith=community.path).count() == spec.residents
        assert Household.objects.filter(place_path__startswith=community.path).count() == spec.households
        assert Organisation.objects.filter(kind="shop", place_path__startswith=community.path).exists()
    resident = built.users["resident"]
    resident.refresh_from_db()
    person = Person.objects.get(phone_hash__in=lookup_hashes(resident.phone))
    assert person.name == "王芳" and person.place_path.startswith(built.grids[0].path)
