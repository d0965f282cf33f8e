"""Reads of the outbox: a user's inbox (keyset-paged), the unread count, preferences with defaults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from linli.notifications.models import Notice, NoticePreference


@dataclass
class Preference:
    """A user's preferences, or the defaults for one who never set them (the inbox only; staff on the
    daily digest at 08:00)."""

    user_id: int
    channels: list[str] = field(default_factory=list)
    digest: bool = True
    digest_at: time = time(8, 0)
    wechat_openid: str = ""
    is_staff: bool = False
    saved: bool = False

    @property
    def digest_applies(self) -> bool:
        return self.is_staff and self.digest


def _staff_ids(ids: list[int]) -> set[int]:
    from linli.accounts.roles import STAFF_ROLES
    from linli.accounts.selectors import users_with_roles

    return users_with_roles(ids, STAFF_ROLES)


def preferences_of(user_ids: Iterable[int]) -> dict[int, Preference]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    staff = _staff_ids(ids)
    out = {uid: Preference(user_id=uid, is_staff=uid in staff) for uid in ids}
    for row in NoticePreference.objects.filter(user_id__in=ids):
        out[row.user_id] = Preference(
            user_id=row.user_id,
            channels=list(row.channels or []),
            digest=row.digest,
            digest_at=row.digest_at,
            wechat_openid=row.wechat_openid,
            is_staff=row.user_id in staff,
            saved=True,
        )
    return out


def preference_for(user: Any) -> Preference:
    return preferences_of([user.pk])[user.pk]


def unread_count(user: Any) -> int:
    return Notice.objects.visible_to(user).filter(read_at__isnull=True).count()


INBOX_PAGE = 30


def inbox(user: Any, *, unread: bool = False) -> Any:
    """``user``'s notices (``unread``: those not read yet), for the one pager (newest first)."""
    qs = Notice.objects.visible_to(user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notices_about(user: Any, *, ref_prefix: str, limit: int = 5) -> list[Notice]:
    """The latest notices to ``user`` about one app's objects (a module's own page shows them)."""
    return list(Notice.objects.visible_to(user).filter(ref__startswith=ref_prefix).order_by("-id")[:limit])
