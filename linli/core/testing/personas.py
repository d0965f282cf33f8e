"""Test personas (pytest plugin): a small street with two communities and three grids, and one user
per role placed in it. ``world`` builds the places; each persona fixture builds its user.

    def test_worker_sees_own_grid(world, grid_worker_a, grid_worker_b): ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

PASSWORD = "Test-pass-2026"


@dataclass
class World:
    street: Any
    community: Any
    grid_a: Any
    grid_b: Any
    community_2: Any
    grid_c: Any
    department: Any


@pytest.fixture
def world(db) -> World:
    from linli.accounts.models import Department
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    street = place_create(kind=PlaceKind.STREET, name="测试街道", code="330102001000")
    community = place_create(kind=PlaceKind.COMMUNITY, name="测试一社区", code="330102001001", parent=street)
    grid_a = place_create(kind=PlaceKind.GRID, name="第一网格", code="330102001001-01", parent=community)
    grid_b = place_create(kind=PlaceKind.GRID, name="第二网格", code="330102001001-02", parent=community)
    community_2 = place_create(kind=PlaceKind.COMMUNITY, name="测试二社区", code="330102001002", parent=street)
    grid_c = place_create(kind=PlaceKind.GRID, name="二社区第一网格", code="330102001002-01", parent=community_2)
    department = Department.objects.create(name="测试城管中队", code="D-TEST", place=street)
    return World(street, community, grid_a, grid_b, community_2, grid_c, department)


@dataclass
class City:
    """A city deployment: a city, two districts, a street with a community and a grid in each."""

    city: Any
    district_a: Any
    district_b: Any
    street_a: Any
    street_b: Any
    grid_a: Any
    grid_b: Any


@pytest.fixture
def city(db) -> City:
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    hz = place_create(kind=PlaceKind.CITY, name="测试市", code="330100")
    district_a = place_create(kind=PlaceKind.DISTRICT, name="甲区", code="330105", parent=hz)
    district_b = place_create(kind=PlaceKind.DISTRICT, name="乙区", code="330106", parent=hz)
    street_a = place_create(kind=PlaceKind.STREET, name="甲街道", code="330105001000", parent=district_a)
    street_b = place_create(kind=PlaceKind.STREET, name="乙街道", code="330106001000", parent=district_b)
    grids = []
    for street in (street_a, street_b):
        community = place_create(kind=PlaceKind.COMMUNITY, name=f"{street.name}社区", code=street.code[:9] + "001",
                                 parent=street)
        grids.append(place_create(kind=PlaceKind.GRID, name=f"{street.name}网格", parent=community,
                                  code=f"{community.code}-01"))
    return City(hz, district_a, district_b, street_a, street_b, *grids)


def make_user(username: str, role: str | None = None, *, place=None, department=None, **extra):
    from linli.accounts.actions import role_assign, user_create

    user = user_create(username=username, password=PASSWORD, actor=None, display_name=extra.pop("display_name", username), **extra)
    if role:
        role_assign(user=user, role=role, place=place, department=department, actor=None)
    return user


@pytest.fixture
def resident(world):
    return make_user("resident_a", "resident", place=world.grid_a)


@pytest.fixture
def grid_worker_a(world):
    return make_user("worker_a", "grid_worker", place=world.grid_a)


@pytest.fixture
def grid_worker_b(world):
    return make_user("worker_b", "grid_worker", place=world.grid_b)


@pytest.fixture
def community_staff(world):
    return make_user("staff_c", "community_staff", place=world.community)


@pytest.fixture
def street_supervisor(world):
    return make_user("supervisor", "street_supervisor", place=world.street)


@pytest.fixture
def department_staff(world):
    return make_user("dept_staff", "department_staff", department=world.department)


@pytest.fixture
def system_admin(db):
    return make_user("sys_admin", "system_admin")


@pytest.fixture
def security_admin(db):
    return make_user("sec_admin", "security_admin")


@pytest.fixture
def audit_admin(db):
    return make_user("audit_admin", "audit_admin")


@pytest.fixture
def outsider(world):
    """Community staff of the other community: must see nothing of the first."""
    return make_user("staff_c2", "community_staff", place=world.community_2)
