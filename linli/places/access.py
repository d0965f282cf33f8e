"""Who sees which places: a node is visible when it lies under one of the user's scope nodes, or is
one of their ancestors (a grid worker sees the name of their community and street)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, path_prefixes


class PlaceQuerySet(ScopedQuerySet):
    scope_path_field = "path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = scope.place_q("path")
        ancestor_paths = {a for p in scope.place_paths for a in path_prefixes(p)}
        if ancestor_paths:
            q |= Q(path__in=ancestor_paths)
        return q


def access_place(user: Any, pk: Any, *, kind: str | None = None):
    """The place with this id among what ``user`` may see (of ``kind`` when given), or Http404."""
    from linli.core.access import access_object
    from linli.places.models import Place

    qs = Place.objects.all()
    if kind is not None:
        qs = qs.filter(kind=kind)
    return access_object(qs, user, pk)


def can_change_place(user: Any, place: Any) -> bool:
    """The user may edit this node (and create, move and delete under it)."""
    from linli.places.actions import can_change_path

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return can_change_path(user, place.path)
