"""Who sees what of the mediation app.

A dispute, its parties, sessions, agreement and timeline are visible only to holders of
``mediation.view`` (mediators, grid workers, community and street staff) whose scope covers the dispute's
place: a grid worker of another grid, a resident, a department see nothing (404, as if missing). Nothing
of it is public. Screening rounds follow the same rule; the team and its mediators are visible to the
same roles over their community.

``access_<entity>(user, pk)`` returns the object or raises Http404: missing and forbidden look the same.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object, path_prefixes
from linli.core.workflow import covers, perms_of

NOTHING = Q(pk__in=[])


class _ViewScoped(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.mediation.workflow import PERM_VIEW

        if PERM_VIEW not in perms_of(user):
            return NOTHING
        return scope.place_q("place_path")


class DisputeQuerySet(_ViewScoped):
    pass


class ScreeningQuerySet(_ViewScoped):
    pass


class _TeamScoped(ScopedQuerySet):
    """The team of a community is seen from anywhere in the community (a grid worker sees the community's
    mediators): the row's path is the community's, so the user's scope may lie below it."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.mediation.workflow import PERM_VIEW

        if PERM_VIEW not in perms_of(user):
            return NOTHING
        q = scope.place_q("place_path")
        for path in scope.place_paths:
            ancestors = path_prefixes(path)
            q |= Q(place_path__in=ancestors)
        return q


class TeamQuerySet(_TeamScoped):
    pass


class MediatorQuerySet(_TeamScoped):
    pass


def access_dispute(user: Any, pk: Any):
    from linli.mediation.models import Dispute

    return access_object(Dispute.objects.select_related("community", "grid", "place", "lead"), user, pk)


def access_screening(user: Any, pk: Any):
    from linli.mediation.models import ScreeningRound

    return access_object(ScreeningRound.objects.select_related("grid"), user, pk)


def can_view(user: Any) -> bool:
    from linli.mediation.workflow import PERM_VIEW

    return PERM_VIEW in perms_of(user)


def can_file(user: Any, path: str | None = None) -> bool:
    """File a dispute (at ``path`` when given)."""
    from linli.mediation.workflow import PERM_HANDLE, PERM_REPORT

    perms = perms_of(user)
    if PERM_REPORT not in perms and PERM_HANDLE not in perms:
        return False
    return path is None or covers(user, path)


def can_handle(user: Any, dispute: Any) -> bool:
    from linli.mediation.workflow import is_handler

    return bool(getattr(user, "is_authenticated", False)) and is_handler(dispute, user)


def can_unmask(user: Any, dispute: Any) -> bool:
    from linli.mediation.workflow import PERM_UNMASK

    return PERM_UNMASK in perms_of(user) and covers(user, dispute.place_path)


def can_manage(user: Any, path: str | None = None) -> bool:
    from linli.mediation.workflow import PERM_MANAGE

    return PERM_MANAGE in perms_of(user) and (path is None or covers(user, path))


def can_screen(user: Any, grid: Any) -> bool:
    from linli.mediation.workflow import PERM_HANDLE, PERM_REPORT

    perms = perms_of(user)
    return (PERM_REPORT in perms or PERM_HANDLE in perms) and covers(user, grid.path)
