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
    assert {"cases.Case", "orders.ServiceOrder", "volunteers.Activity", "cases.KpiRollup"} <= followed


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


def _place_key_models() -> dict[str, tuple[type[models.Model], tuple[str, ...]]]:
    """Every concrete model that locates its rows below a place (a path column or a ``place`` key) and
    also keeps a key to the community or grid above them: what a move across communities can leave behind.
    A row whose only place is its community (a key and that community's ``community_path``) has nothing
    above it to follow."""
    out = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.label == "places.Place":
            continue
        fields = meta.concrete_fields
        keys = tuple(f.name for f in fields if isinstance(f, models.ForeignKey)
                     and f.related_model._meta.label == "places.Place" and ("community" in f.name or "grid" in f.name))
        own = {f"{key}_path" for key in keys}
        located = any(isinstance(f, models.CharField) and "path" in f.name and f.name not in own for f in fields) or any(
            f.name == "place" and isinstance(f, models.ForeignKey) for f in fields)
        if located and keys:
            out[meta.db_table] = (model, keys)
    return out


def test_a_move_rewrites_the_community_and_grid_keys_of_every_model_that_keeps_one(world, street_supervisor):
    """A compound moved from grid A (community 1) to grid C (community 2): every model's community and grid
    keys below it are rewritten, or the model says why it keeps them."""
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福里", parent=world.grid_a, actor=street_supervisor)
    with CaptureQueriesContext(connection) as ctx:
        place_move(place=compound, new_parent=world.grid_c, actor=street_supervisor)
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    missed = []
    for table, (model, keys) in sorted(_place_key_models().items()):
        kept = getattr(model, "place_kinds_kept", "") or getattr(model, "place_paths_kept", "")
        if kept:
            assert len(kept) > 20, f"{model._meta.label} must say why its place keys stay"
            continue
        sets = " ".join(q for q in updates if f'UPDATE "{table}"' in q)
        missed += [f"{model._meta.label}.{key}" for key in keys if f'"{key}_id"' not in sets]
    assert missed == [], f"place_move leaves these keys behind: {missed}"


def test_hall_rows_of_a_moved_grid_name_its_new_community(world, street_supervisor):
    """Applications, classes and the year's class totals follow a grid moved to another community; a
    certificate already issued stays the old community's (who issued it is a fact)."""
    from linli.core.testing.personas import make_user
    from linli.hall.actions import application_submit, application_transition, course_save
    from linli.hall.catalog import ensure_default_catalog
    from linli.hall.models import Application, Certificate, ServiceItem
    from linli.hall.selectors import class_totals
    from linli.places.paths import place_kind_columns
    from linli.residents.actions import person_create

    ensure_default_catalog(ServiceItem)
    user = make_user("mover", "resident", place=world.grid_a, phone="13700009999")
    person_create(actor=None, name="王秀英", place=world.grid_a, phone="13700009999", current_address="幸福里3幢")
    service = ServiceItem.objects.get(code="residence_proof", place__isnull=True)
    app = application_submit(actor=user, service=service, details="办理入学")
    done = application_submit(actor=user, service=service, details="办理社保")
    for name, data in (("accept", {}), ("complete", {"purpose": "办理社保"})):
        application_transition(application=done, name=name, actor=None, data=data)
    course = course_save(actor=None, place=world.grid_a.pk, kind="skills", title="家政服务培训", quota=20,
                         starts_on="2026-03-02", ends_on="2026-03-30")
    assert app.community_id == course.community_id == world.community.pk
    year = course.starts_on.year
    assert [r.community for r in class_totals(user=street_supervisor, year=year)[0]] == [world.community.name]

    grid = place_move(place=world.grid_a, new_parent=world.community_2, code=NEW_CODE, actor=street_supervisor)

    for row in (app, course):
        row.refresh_from_db()
        assert row.place_path.startswith(grid.path) and row.community_id == world.community_2.pk
    assert [r.community for r in class_totals(user=street_supervisor, year=year)[0]] == [world.community_2.name]
    assert Certificate.objects.get(application=done).community_id == world.community.pk
    # No followed model keeps a row below the moved grid that names the old community.
    for model, keys in place_kind_columns():
        if "community" in keys:
            left = model._base_manager.filter(place_path__startswith=grid.path).exclude(community=world.community_2)
            assert not left.exists(), model._meta.label
    assert Application.objects.filter(community=world.community).count() == 0
