"""Helpers the care actions share."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from linli.core.access import path_prefixes

logger = logging.getLogger("linli.care.notify")


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
    *, ref: str, kind: str, user_ids: Iterable[int | None], text: str, exclude: int | None = None
) -> None:
    """Tell these users once the transaction commits. The one place to swap for the notifications outbox
    (``linli.notifications.actions.notice_queue``) when it lands."""
    ids = sorted({uid for uid in user_ids if uid is not None and uid != exclude})
    if not ids:
        return
    message = str(text)

    def deliver() -> None:
        for uid in ids:
            logger.info("notice to user %s: %s %s %s", uid, ref, kind, message)

    transaction.on_commit(deliver)
