"""Copies of place paths follow a moved place: one mechanism for every app.

Rows keep a copy of their place's path (``place_path``, ``community_path``, ``area_path``, …) so that
scope is one indexed prefix test. ``place_move`` rewrites the paths of the moved subtree and then calls
``place_paths_follow``, which walks every installed model and rewrites, in the same transaction, every
``CharField`` named ``place_path`` or ending in ``_path``: a new module's copies follow without
registering anything. A model that must not follow says so with a class attribute
``place_paths_kept = "<why>"`` (the append-only ledgers: an entry records where it was written, and the
database refuses to update it). A row's foreign keys that name the place of a kind above it
(``community``, ``grid``, ``compound``, … : a field named like a place kind, beside a ``place_path``) follow
the same way (``place_kinds_follow``): rows below a place moved under another community name that
community (and its ``community_path``, if the row keeps one); a model whose such keys record a fact that
must not change says so with ``place_kinds_kept = "<why>"``. Apps whose rows hold more than that (a
rollup's plain ids) add a hook to ``MOVE_HOOKS``, called after the paths are rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

# Called by ``place_move`` after the paths, as ``hook(old_path=..., new_path=...)``; registered by apps
# in ``AppConfig.ready`` (the places app cannot import them: dependencies point one way).
MOVE_HOOKS: list[Callable[..., int]] = []


def is_place_path(field: models.Field) -> bool:
    return isinstance(field, models.CharField) and (field.name == "place_path" or field.name.endswith("_path"))


@cache
def place_path_columns() -> tuple[tuple[type[models.Model], tuple[str, ...]], ...]:
    """Every (model, path columns) that follows a move: concrete models other than Place itself."""
    out = []
    for model in apps.get_models():
        meta = model._meta
        kept = bool(getattr(model, "place_paths_kept", ""))
        if meta.proxy or not meta.managed or meta.label == "places.Place" or kept:
            continue
        names = tuple(f.name for f in meta.concrete_fields if is_place_path(f))
        if names:
            out.append((model, names))
    return tuple(out)


def place_paths_follow(*, old_path: str, new_path: str) -> int:
    """Replace the prefix ``old_path`` by ``new_path`` in every path column of every app; returns rows."""
    if not old_path or old_path == new_path:
        return 0
    changed = 0
    for model, names in place_path_columns():
        for name in names:
            changed += model._base_manager.filter(**{f"{name}__startswith": old_path}).update(
                **{name: Concat(Value(new_path), Substr(name, len(old_path) + 1))}
            )
    return changed


def _is_kind_key(field: models.Field) -> bool:
    from linli.places.models import PlaceKind

    return (
        isinstance(field, models.ForeignKey)
        and field.related_model is not None
        and field.related_model._meta.label == "places.Place"
        and field.name in PlaceKind.values
    )


@cache
def place_kind_columns() -> tuple[tuple[type[models.Model], tuple[str, ...]], ...]:
    """Every (model, foreign keys named after a place kind) that follows a move: models with a
    ``place_path`` (the place the keys are read from) that do not say why they keep their keys."""
    out = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label == "places.Place":
            continue
        if getattr(model, "place_kinds_kept", "") or getattr(model, "place_paths_kept", ""):
            continue
        if not any(f.name == "place_path" for f in meta.concrete_fields):
            continue
        names = tuple(f.name for f in meta.concrete_fields if _is_kind_key(f))
        if names:
            out.append((model, names))
    return tuple(out)


def place_kinds_follow(*, new_path: str) -> int:
    """After the paths: rows below the moved place (``new_path``) name the community, grid, … above it.

    For each kind, the nearest place of that kind strictly above the moved one is what every row below
    it belongs to now (kinds do not nest). When the moved place is itself of that kind, or there is none
    above it, the rows' key names the moved place or one below it, which moved along: nothing to do."""
    from linli.places.models import Place

    ids = [int(x) for x in new_path.strip("/").split("/") if x.isdigit()]
    if len(ids) < 2:
        return 0
    above = Place.objects.filter(pk__in=ids[:-1]).values_list("pk", "kind", "path")
    nearest: dict[str, tuple[int, str]] = {}
    depth = {pk: i for i, pk in enumerate(ids)}
    for pk, kind, path in sorted(above, key=lambda row: depth[row[0]]):
        nearest[kind] = (pk, path)  # the deepest one wins
    moved_kind = Place.objects.filter(pk=ids[-1]).values_list("kind", flat=True).first()
    changed = 0
    for model, names in place_kind_columns():
        for name in names:
            if name == moved_kind or name not in nearest:
                continue
            values: dict[str, object] = {f"{name}_id": nearest[name][0]}
            if name == "community" and any(f.name == "community_path" for f in model._meta.concrete_fields):
                values["community_path"] = nearest[name][1]
            # An empty key stays empty (a party member kept without a grid is not given one by a move).
            rows = model._base_manager.filter(place_path__startswith=new_path, **{f"{name}__isnull": False})
            changed += rows.update(**values)
    return changed


def move_hook_register(hook: Callable[..., int]) -> None:
    if hook not in MOVE_HOOKS:
        MOVE_HOOKS.append(hook)
