"""Volunteers test helpers: persons and volunteers in grid A, activities driven through the real actions."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

_phones = itertools.count(13900000001)


@pytest.fixture
def make_person(world):
    from linli.residents.actions import person_create

    def _make(name="志愿者", *, place=None, phone=None):
        return person_create(
            actor=None, name=name, place=place or world.grid_a, phone=phone or str(next(_phones))
        )

    return _make


@pytest.fixture
def make_volunteer_user(world, make_person):
    """A resident account with a registry person (same phone), registered as a volunteer by themself."""
    from linli.core.testing.personas import make_user
    from linli.volunteers.actions import volunteer_register

    counter = itertools.count(1)

    def _make(username=None, *, register=True, place=None, **kwargs):
        phone = str(next(_phones))
        user = make_user(
            username or f"vol_{next(counter)}", "resident", place=place or world.grid_a, phone=phone
        )
        person = make_person(f"志愿者{user.username}", place=place or world.grid_a, phone=phone)
        if register:
            volunteer_register(actor=user, **kwargs)
        user.person = person
        return user

    return _make


@pytest.fixture
def volunteer_user(make_volunteer_user):
    return make_volunteer_user("vol_main")


@pytest.fixture
def make_activity(world, community_staff):
    from django.utils import timezone

    from linli.volunteers.actions import activity_create

    def _make(*, actor=None, start_in=timedelta(minutes=-10), hours=2, **kwargs):
        now = timezone.now()
        kwargs.setdefault("title", "清理楼道杂物")
        kwargs.setdefault("location", "幸福小区3号楼")
        kwargs.setdefault("quota", 5)
        kwargs.setdefault("area", "civility")
        kwargs.setdefault("points", 2)
        kwargs.setdefault("community", world.community)
        kwargs.setdefault("starts_at", now + start_in)
        kwargs.setdefault("ends_at", kwargs["starts_at"] + timedelta(hours=hours))
        return activity_create(actor=actor or community_staff, **kwargs)

    return _make


# The path through the table to each state.
PATHS: dict[str, list[tuple[str, dict]]] = {
    "draft": [],
    "recruiting": [("publish", {})],
    "closed": [("publish", {}), ("close", {})],
    "ongoing": [("publish", {}), ("start", {})],
    "finished": [("publish", {}), ("start", {}), ("finish", {})],
    "verified": [("publish", {}), ("start", {}), ("finish", {}), ("verify", {})],
    "cancelled": [("cancel", {"reason": "天气原因"})],
}


@pytest.fixture
def activity_in_state(make_activity, community_staff):
    from linli.volunteers.actions import activity_transition

    def _drive(state: str, **kwargs):
        activity = make_activity(**kwargs)
        for name, data in PATHS[state]:
            activity = activity_transition(activity=activity, name=name, actor=community_staff, data=data)
        assert activity.status == state
        return activity

    return _drive


def points_ready() -> bool:
    try:
        from linli.points import actions, selectors  # noqa: F401
    except ImportError:
        return False
    return hasattr(actions, "points_award") and hasattr(selectors, "hours_by_person")
