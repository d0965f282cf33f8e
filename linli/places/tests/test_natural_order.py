"""Places sort in the order people count: 第一, 第二, … 第十一网格 (Chinese numerals as numbers), in the
tree and in the KPI rankings."""

from __future__ import annotations

import pytest

from linli.places.selectors import natural_key


def test_chinese_numerals_sort_as_numbers():
    names = ["第十一网格", "第二网格", "第十网格", "第五网格", "第一网格", "第四网格", "第三网格"]
    assert sorted(names, key=natural_key) == [
        "第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第十网格", "第十一网格"]
    assert sorted(["10号楼", "2号楼", "二十号楼", "一百零五号楼"], key=natural_key) == [
        "2号楼", "10号楼", "二十号楼", "一百零五号楼"]


@pytest.mark.django_db
def test_the_kpi_ranking_puts_the_fourth_grid_before_the_fifth(world, street_supervisor):
    from linli.cases.kpi import kpi_table
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.places.selectors import children_of

    for name in ("第十一网格", "第五网格", "第四网格", "第十网格", "第三网格"):
        place_create(kind=PlaceKind.GRID, name=name, parent=world.community)
    rows = kpi_table(user=street_supervisor, by="grid", place_path=world.community.path, every_place=True)
    labels = [r["label"] for r in rows if r["key"]]
    assert labels == ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第十网格", "第十一网格"]
    tree = [p.name for p in children_of(street_supervisor, world.community)]
    assert tree == labels
