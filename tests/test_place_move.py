"""Scope follows a moved place, in every app (issue 11, item 3).

``place_move`` rewrites every copy of a place path through one mechanism (linli/places/paths.py). The
first test enumerates every model of every installed app that holds a column named like a path and
fails when a move does not rewrite it (and the model does not say why it keeps its paths); the second
moves a grid to another community and checks that its cases and KPI rollups answer to the new
community and not the old.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from linli.places.actions import place_move
from linli.places.paths import place_path_columns

NEW_CODE = "330102001002-09"


def _path_models() -> dict[str, type[models.Model]]:
    """Every concrete model with a character column whose name mentions a path, but Place itself."""
    out = {}
    for model in apps.get_models():
        if model._meta.proxy or model._meta.label == "places.Place":
            continue
        if any(isinstance(f, models.CharField) and "path" in f.name for f in model._meta.concrete_fields):
            out[model._meta.db_table] = model
    return out


def test_a_move_rewrites_the_paths_of_every_model_that_keeps_one(world, street_supervisor):
    with CaptureQueriesContext(connection) as ctx:
        place_move(place=world.grid_a, new_parent=world.community_2, code=NEW_CODE, actor=street_supervisor)
    updated = " ".join(q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE"))
    missed = []
    for table, model in sorted(_path_models().items()):
        kept = getattr(model, "place_paths_kept", "")
        if kept:
            assert len(kept) > 20, f"{model._meta.label} must say why its paths stay"
            continue
        if f'"{table}"' not in updated:
            missed.append(model._meta.label)
    assert missed == [], f"place_move does not rewrite the place paths of {missed}"
    followed = {m._meta.label for m, _names in place_path_columns()}
    assert {"cases.Case", "party.ServiceOrder", "volunteers.Activity", "cases.KpiRollup"} <= followed


def test_a_moved_grid_answers_to_its_new_community(world, community_staff, outsider, street_supervisor):
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Case, Category
    from linli.cases.models_kpi import KpiRollup

    categories_restore_default()
    case = case_create(actor=None, category=Category.objects.get(code="MUNI.STREETLIGHT"), title="路灯坏了",
                       description="小区门口的路灯坏了好几天", place=world.grid_a, channel="hotline")
    assert KpiRollup.objects.filter(place_path=world.grid_a.path).exists()
    assert Case.objects.visible_to(community_staff).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(outsider).filter(pk=case.pk).exists()

    grid = place_move(place=world.grid_a, new_parent=world.community_2, code=NEW_CODE, actor=street_supervisor)

    case.refresh_from_db()
    assert case.place_path.startswith(grid.path) and case.community_id == world.community_2.pk
    assert Case.objects.visible_to(outsider).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(community_staff).filter(pk=case.pk).exists()
    rollups = KpiRollup.objects.filter(place_path__startswith=grid.path)
    assert rollups.exists() and set(rollups.values_list("community_id", flat=True)) == {world.community_2.pk}
    assert not KpiRollup.objects.visible_to(community_staff).filter(place_path__startswith=grid.path).exists()
    assert KpiRollup.objects.visible_to(outsider).filter(place_path__startswith=grid.path).exists()
