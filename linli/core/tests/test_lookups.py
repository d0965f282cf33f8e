import pytest
from django.db import connection

from linli.places.models import Place, PlaceKind


def _place(path: str, name: str = "p") -> Place:
    return Place.objects.create(kind=PlaceKind.HOUSE, name=name, path=path)


@pytest.mark.django_db
def test_prefix_matches_exactly_the_paths_under_a_node():
    for path in ("/1/5/", "/1/5/9/", "/1/5/9/12/", "/1/50/", "/1/50/7/", "/1/4/", "/1/6/", "/1/5", "/2/5/"):
        _place(path)
    got = set(Place.objects.filter(path__prefix="/1/5/").values_list("path", flat=True))
    assert got == {"/1/5/", "/1/5/9/", "/1/5/9/12/"}
    assert got == {p for p in Place.objects.values_list("path", flat=True) if p.startswith("/1/5/")}


@pytest.mark.django_db
def test_prefix_is_case_sensitive_on_every_database():
    _place("/1/", name="zs")
    _place("/1/", name="ZS")
    _place("/1/", name="zt")
    assert list(Place.objects.filter(name__prefix="z").order_by("name").values_list("name", flat=True)) == ["zs", "zt"]


@pytest.mark.django_db
def test_prefix_of_the_empty_string_matches_everything():
    _place("/1/")
    _place("/2/")
    assert Place.objects.filter(path__prefix="").count() == 2


@pytest.mark.django_db
def test_prefix_uses_the_path_index_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite plan; PostgreSQL serves LIKE 'p%' from the varchar_pattern_ops index")
    searched = "SEARCH places_place USING INDEX places_place_path"
    assert searched in Place.objects.filter(path__prefix="/1/5/").explain()
    assert searched not in Place.objects.filter(path__startswith="/1/5/").explain()  # why __prefix exists
