"""Who sees which places: a node is visible when it lies under one of the user's scope nodes, or is
one of their ancestors (a grid worker sees the name of their community and street)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet


class PlaceQuerySet(ScopedQuerySet):
    scope_path_field = "path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = scope.place_q("path")
        ancestor_paths = {a for p in scope.place_paths for a in _prefixes(p)}
        if ancestor_paths:
            q |= Q(path__in=ancestor_paths)
        return q


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def access_place(user: Any, pk: Any):
    from linli.core.access import access_object
    from linli.places.models import Place

    return access_object(Place.objects.all(), user, pk)
