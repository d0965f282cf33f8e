"""The access kit every app uses.

- ``Scope``: what a user may see: place-tree paths (a node covers everything under it), departments,
  roles. ``accounts`` computes it; ``user.scope`` returns it.
- ``ScopedQuerySet.visible_to(user)``: the rows within the user's scope. Each model's queryset says how
  a row maps to the scope by overriding ``scope_q``.
- ``access_object(queryset, user, pk)``: the object, or 404 when it is missing *or* out of scope: the
  two must look the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    place_paths: tuple[str, ...] = ()
    department_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.place_paths and not self.department_ids

    def covers_path(self, path: str | None) -> bool:
        return bool(path) and any(path.startswith(p) for p in self.place_paths)  # type: ignore[union-attr]

    def place_q(self, path_field: str) -> Q:
        """Rows whose place path lies under one of the scope's nodes (``Q(pk__in=[])`` when none).

        A node below the root (community, grid, ...) is tested with ``__prefix`` (an index range on
        SQLite, see linli/core/lookups.py). A root (a street, ``/1/``) keeps ``__startswith``: nearly
        every row lies under it, and SQLite, which keeps no statistics of ranges, would read the whole
        street through the path index and sort it rather than walk the ids and stop at the first page.
        On PostgreSQL both are the same ``LIKE 'p%'``."""
        q = Q(pk__in=[])
        for prefix in self.place_paths:
            lookup = "startswith" if prefix.count("/") <= 2 else "prefix"
            q |= Q(**{f"{path_field}__{lookup}": prefix})
        return q

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


EMPTY_SCOPE = Scope()


def scope_of(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return EMPTY_SCOPE
    return getattr(user, "scope", EMPTY_SCOPE)


def path_prefixes(path: str) -> list[str]:
    """The paths of a place and of every place above it: ``/1/4/9/`` → ``['/1/', '/1/4/', '/1/4/9/']``."""
    parts = [p for p in (path or "").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def scope_prefixes(user: Any) -> list[str]:
    """Every place at or above the user's scope nodes, as paths: a resident's community (its canteens,
    classes, rooms, wish wall) is among them."""
    out: set[str] = set()
    for path in scope_of(user).place_paths:
        out.update(path_prefixes(path))
    return sorted(out)


def paths_q(field: str, paths: Iterable[str]) -> Q:
    """Rows whose ``field`` (a place path) lies under any of ``paths``: one prefix match on their deepest
    common ancestor when they share one (the rows of other places under it are then left to
    ``path_owner``), else one prefix match per path. For grouped reads over many places in one query."""
    wanted = [p for p in paths if p]
    if not wanted:
        return Q(pk__in=[])
    split = [[s for s in p.split("/") if s] for p in wanted]
    common: list[str] = []
    for segments in zip(*split, strict=False):
        if any(s != segments[0] for s in segments):
            break
        common.append(segments[0])
    if common:
        return Q(**{f"{field}__startswith": "/" + "/".join(common) + "/"})
    q = Q()
    for p in wanted:
        q |= Q(**{f"{field}__startswith": p})
    return q


def path_owner(paths: dict[Any, str]) -> Callable[[str], Any]:
    """A function giving, for a row's place path, the key of the deepest of ``paths`` (key → path) at or
    above it, or None: how a grouped read attributes its rows to the places it ranks or counts."""
    by_path = {p: k for k, p in paths.items() if p}

    def owner(path: str) -> Any:
        for prefix in reversed(path_prefixes(path)):
            if prefix in by_path:
                return by_path[prefix]
        return None

    return owner


class ScopedQuerySet(models.QuerySet[M]):
    """Base queryset. Subclasses set ``scope_path_field`` or override ``scope_q``."""

    scope_path_field: str | None = None

    def scope_q(self, scope: Scope, user: Any) -> Q:
        if self.scope_path_field is None:
            raise NotImplementedError(f"{self.model.__name__} does not define its scope")
        return scope.place_q(self.scope_path_field)

    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        scope = scope_of(user)
        if scope is EMPTY_SCOPE:
            return self.none()
        return self.filter(self.scope_q(scope, user))


def access_object(queryset: ScopedQuerySet[M], user: Any, pk: Any) -> M:
    """The object with this primary key among what ``user`` may see, or Http404."""
    try:
        return queryset.visible_to(user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc
