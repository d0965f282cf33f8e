"""Test set-up shared by every app: a fresh random data key for the run, personas in a small street."""

from __future__ import annotations

import pytest

from linli.core.crypto import new_key_line

# A key made for this test run only: no key is ever written in the repository.
TEST_DATA_KEY = new_key_line()

pytest_plugins = ["linli.core.testing.personas", "linli.core.testing.browser"]


def pytest_sessionstart(session):
    """Compile the translation catalogues when a .po is newer than its .mo (the .mo files are not in git)."""
    from pathlib import Path

    from linli.core.management.commands.compile_translations import compile_stale

    compile_stale(base=Path(__file__).resolve().parent)


@pytest.fixture(autouse=True)
def _test_data_key_and_caches(settings):
    from django.core.cache import cache

    from linli.core import crypto

    settings.LINLI_DATA_KEY = TEST_DATA_KEY
    cache.clear()
    crypto.reset_key_ring()
    yield
    cache.clear()
    crypto.reset_key_ring()


# --- the API access matrix (linli/accounts/tests/test_api_access_matrix.py) --------------------------------
# For each path parameter of the API, the id of an object in community 1 / grid A that the outsider
# personas (community 2's staff, grid B's worker) must not see. A new kind of id needs a fixture here.


@pytest.fixture
def api_outsider_id_person_id(world):
    from linli.residents.actions import person_create

    return person_create(actor=None, name="矩阵测试", place=world.grid_a).pk


@pytest.fixture
def api_outsider_id_household_id(world):
    from linli.residents.actions import household_create, person_create

    head = person_create(actor=None, name="矩阵户主", place=world.grid_a)
    return household_create(head=head, actor=None).pk


@pytest.fixture
def api_outsider_id_case_id(world):
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()
    return case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="矩阵测试", place=world.grid_a).pk


# points (linli/points): an entry, a shop item, a redemption and a selection in community 1 / grid A.
def _points_person(world):
    from linli.residents.actions import person_create

    return person_create(actor=None, name="矩阵积分", place=world.grid_a, phone="13900009999")


@pytest.fixture
def api_outsider_id_entry_id(world):
    from linli.points.actions import points_award

    return points_award(person_id=_points_person(world).pk, rule_code="service", source="matrix:1", actor=None).pk


@pytest.fixture
def api_outsider_id_item_id(world):
    from linli.points.actions import item_create

    return item_create(community=world.community, actor=None, name="矩阵理发", kind="service", cost=1).pk


@pytest.fixture
def api_outsider_id_redemption_id(world, api_outsider_id_item_id):
    from linli.core.testing.personas import make_user
    from linli.points.actions import points_award, redemption_create

    person = _points_person(world)
    points_award(person_id=person.pk, rule_code="service", source="matrix:2", actor=None, amount=5)
    user = make_user("matrix_pts", "resident", place=world.grid_a, phone="13900009999")
    return redemption_create(item_id=api_outsider_id_item_id, actor=user).pk


@pytest.fixture
def api_outsider_id_selection_id(world):
    from linli.points.actions import selection_create

    return selection_create(community=world.community, year=2026, half="H1", actor=None).pk
