"""Reads sent together (linli/core/rawsql.py): one statement gives each read's figures and the listing's,
the same as each read alone; a listing with no rows, a reader's constant and no listing."""

from __future__ import annotations

import pytest

from linli.core.rawsql import Read, read_one, read_together, under

pytestmark = pytest.mark.django_db


def _reads(world):
    path_sql, params = under("path", world.community.path)
    grids = Read(f"SELECT COUNT(*), MIN(name) FROM places_place WHERE kind = 'grid' AND {path_sql}", params, 2,  # noqa: S608
                 lambda row: {"grids": int(row[0]), "first": row[1]})
    streets = Read("SELECT COUNT(*) FROM places_place WHERE kind = %s", ["street"], 1, lambda row: int(row[0]))
    listing = Read(f"SELECT id, name FROM places_place WHERE kind = 'grid' AND {path_sql} ORDER BY name LIMIT %s",  # noqa: S608
                   [*params, 5], 2, lambda rows: sorted(name for _id, name in rows))
    return grids, streets, listing


def test_reads_together_are_each_read_alone(world, django_assert_num_queries):
    grids, streets, listing = _reads(world)
    with django_assert_num_queries(1):
        together, listed = read_together([grids, Read.constant("none"), streets], listing=listing)
    assert together == [read_one(grids), "none", read_one(streets)] == [
        {"grids": 2, "first": min(world.grid_a.name, world.grid_b.name)}, "none", 1]
    assert listed == read_one(listing, listing=True) == sorted([world.grid_a.name, world.grid_b.name])


def test_an_empty_listing_a_constant_listing_and_none(world, django_assert_num_queries):
    grids, streets, _listing = _reads(world)
    nothing = Read("SELECT id, name FROM places_place WHERE kind = %s", ["nowhere"], 2, lambda rows: rows)
    alone = read_one(grids)
    with django_assert_num_queries(1):
        assert read_together([grids, streets], listing=nothing) == ([alone, 1], [])
    with django_assert_num_queries(1):
        assert read_together([streets], listing=Read.constant([])) == ([1], [])
    with django_assert_num_queries(1):
        assert read_together([streets]) == ([1], None)
    with django_assert_num_queries(0):
        assert read_together([Read.constant(0)], listing=Read.constant({})) == ([0], {})
