"""Helpers the care actions share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from linli.core.access import path_prefixes


def clean_text(value: Any, *, limit: int = 4000) -> str:
    return str(value or "").strip()[:limit]


def users_over(path: str, *, perm: str = "", roles: Iterable[str] = ()) -> list[int]:
    """Users with a role (given, or holding ``perm``) bound at or above ``path``, nearest first."""
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import ROLE_PERMISSIONS

    ups = path_prefixes(path)
    wanted = set(roles) | ({r for r, perms in ROLE_PERMISSIONS.items() if perm in perms} if perm else set())
    if not ups or not wanted:
        return []
    rows = RoleAssignment.objects.filter(role__in=sorted(wanted), place__path__in=ups, user__is_active=True)
    ordered = sorted(rows.values_list("user_id", "place__path"), key=lambda r: -len(r[1]))
    return list(dict.fromkeys(uid for uid, _p in ordered))


def notify(
    *, ref: str, kind: str, user_ids: Iterable[int | None], text: str, exclude: int | None = None, url: str = ""
) -> None:
    """Tell these users through the one outbox (``linli.notifications``): notice rows written in the
    caller's transaction, delivered by the worker after the commit."""
    from linli.notifications.actions import notice_queue

    notice_queue(user_ids=user_ids, kind=kind, ref=ref, text=text, url=url, exclude=exclude)
