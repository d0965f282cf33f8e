"""Copies of place paths follow a moved place: one mechanism for every app.

Rows keep a copy of their place's path (``place_path``, ``community_path``, ``area_path``, …) so that
scope is one indexed prefix test. ``place_move`` rewrites the paths of the moved subtree and then calls
``place_paths_follow``, which walks every installed model and rewrites, in the same transaction, every
``CharField`` named ``place_path`` or ending in ``_path``: a new module's copies follow without
registering anything. A model that must not follow says so with a class attribute
``place_paths_kept = "<why>"`` (the append-only ledgers: an entry records where it was written, and the
database refuses to update it). Apps whose rows hold more than a path (a community's id, a rollup's
street) add a hook to ``MOVE_HOOKS``, called after the paths are rewritten.
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


def move_hook_register(hook: Callable[..., int]) -> None:
    if hook not in MOVE_HOOKS:
        MOVE_HOOKS.append(hook)
