"""Points test helpers: registry persons in grid A (one linked to a resident login), a shop item."""

from __future__ import annotations

import pytest

from linli.core.testing.personas import make_user


@pytest.fixture
def person(world):
    from linli.residents.actions import person_create

    return person_create(actor=None, name="积分测试", place=world.grid_a, phone="13900000001")


@pytest.fixture
def other_person(world):
    from linli.residents.actions import person_create

    return person_create(actor=None, name="积分其他", place=world.grid_c)


@pytest.fixture
def member(world, person):
    """A resident login whose registry person is ``person``."""
    return make_user("resident_pts", "resident", place=world.grid_a, phone="13900000001")


@pytest.fixture
def item(world):
    from linli.points.actions import item_create

    return item_create(community=world.community, actor=None, name="理发", kind="service", cost=5, stock=None)


@pytest.fixture
def goods(world):
    from linli.points.actions import item_create

    return item_create(community=world.community, actor=None, name="洗衣液", kind="goods", cost=5, stock=1)


@pytest.fixture
def award():
    from linli.points.actions import points_award

    counter = {"n": 0}

    def _award(person, amount, rule="service"):
        counter["n"] += 1
        return points_award(
            person_id=person.pk, rule_code=rule, source=f"test:{counter['n']}", actor=None, amount=amount
        )

    return _award
