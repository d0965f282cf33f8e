"""Case test helpers: default categories (restored after a flush), a case in grid A, a flow driver."""

from __future__ import annotations

import pytest


@pytest.fixture
def categories(db):
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Category

    categories_restore_default()
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def category(categories):
    return categories["MUNI.STREETLIGHT"]


@pytest.fixture
def make_case(world, category):
    """A case reported in grid A (by the system unless ``actor`` is given)."""
    from linli.cases.actions import case_create

    def _make(**kwargs):
        kwargs.setdefault("actor", None)
        kwargs.setdefault("category", category)
        kwargs.setdefault("title", "路灯坏了")
        kwargs.setdefault("description", "小区门口的路灯坏了好几天")
        kwargs.setdefault("place", world.grid_a)
        kwargs.setdefault("channel", "hotline" if kwargs["actor"] is None else "snapshot")
        return case_create(**kwargs)

    return _make
