"""Who sees what in points. Staff see the ledger, hours, redemptions and shop items under their
places; a resident sees their own through ``selectors`` (by person), and the shop items of the
community they live in."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object
from linli.points.workflow import PERM_FULFIL, PERM_MANAGE

NOTHING = Q(pk__in=[])


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def is_points_staff(user: Any) -> bool:
    return bool({PERM_MANAGE, PERM_FULFIL} & _perms(user))


class _StaffScoped(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        if not is_points_staff(user):
            return NOTHING
        return scope.place_q("place_path")


class EntryQuerySet(_StaffScoped):
    def update(self, **kwargs):  # type: ignore[override]
        from linli.core.models import AppendOnlyError

        raise AppendOnlyError("The points ledger is append-only.")

    def delete(self):  # type: ignore[override]
        from linli.core.models import AppendOnlyError

        raise AppendOnlyError("The points ledger is append-only.")


class HoursQuerySet(_StaffScoped):
    def update(self, **kwargs):  # type: ignore[override]
        from linli.core.models import AppendOnlyError

        raise AppendOnlyError("The hours ledger is append-only.")

    def delete(self):  # type: ignore[override]
        from linli.core.models import AppendOnlyError

        raise AppendOnlyError("The hours ledger is append-only.")


class RedemptionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        q = Q(user_id=user.pk)
        if is_points_staff(user):
            q |= scope.place_q("place_path")
        return q | Q(item__provider_user_id=user.pk)


class ShopItemQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        if PERM_MANAGE not in _perms(user):
            return NOTHING
        return scope.place_q("place_path")


class SelectionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        if PERM_MANAGE not in _perms(user):
            return NOTHING
        return scope.place_q("place_path")


def can_manage_path(user: Any, path: str) -> bool:
    scope = getattr(user, "scope", None)
    return PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(path)


def access_item(user: Any, pk: Any):
    from linli.points.models import ShopItem

    return access_object(ShopItem.objects.all(), user, pk)


def access_redemption(user: Any, pk: Any):
    from linli.points.models import Redemption

    return access_object(Redemption.objects.select_related("item", "person"), user, pk)


def access_selection(user: Any, pk: Any):
    from linli.points.models import Selection

    return access_object(Selection.objects.all(), user, pk)
