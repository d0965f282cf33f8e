"""The staff's daily digest: instead of a stream of notices on their phone, staff get one message a day at
the time they chose, listing per module what is new, due soon, overdue and summoned in their area.

Modules contribute sections without notifications knowing them:

    digest_section_register("cases", case_digest)   # in the module's AppConfig.ready()

where ``case_digest(user, since, now)`` returns ``[DigestLine(label, count, url), ...]``. The digest is an
inbox notice (kind ``digest``, ref ``digest:<date>``) with a delivery on each of the user's channels; it is
written once per user and day (the preference row is locked and stamped with the day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.notifications.models import Delivery, Notice, NoticePreference


@dataclass(frozen=True)
class DigestLine:
    label: str
    count: int
    url: str = ""


Section = Callable[[Any, datetime, datetime], list[DigestLine]]
_SECTIONS: dict[str, Section] = {}


def digest_section_register(name: str, section: Section) -> None:
    _SECTIONS[name] = section


def digest_sections() -> dict[str, Section]:
    return dict(_SECTIONS)


def digest_lines(user: Any, *, since: datetime, now: datetime) -> list[DigestLine]:
    lines: list[DigestLine] = []
    for section in _SECTIONS.values():
        lines += [line for line in section(user, since, now) if line.count]
    return lines


def digest_text(lines: list[DigestLine]) -> str:
    if not lines:
        return _("Daily digest: nothing new, nothing due or overdue.")
    return _("Daily digest: %(lines)s") % {"lines": "; ".join(f"{ln.label} {ln.count}" for ln in lines)}


def _staff_users(today: date) -> list[Any]:
    """Staff (administrators aside) whose digest is on and not yet written today."""
    from linli.accounts.roles import ADMIN_ROLES, STAFF_ROLES
    from linli.accounts.selectors import users_with_roles_all

    done = NoticePreference.objects.filter(Q(digest_last=today) | Q(digest=False)).values("user_id")
    return users_with_roles_all(sorted(STAFF_ROLES - ADMIN_ROLES), exclude=done)


def digest_write(user: Any, *, day: date, now: datetime) -> Notice | None:
    """Write ``user``'s digest for ``day`` unless it was written already (the preference row is locked)."""
    from linli.notifications.selectors import preference_for

    pref = preference_for(user)
    with transaction.atomic():
        row, _created = NoticePreference.objects.select_for_update().get_or_create(
            user=user, defaults={"digest_at": pref.digest_at, "digest": pref.digest, "channels": pref.channels}
        )
        if row.digest_last == day:
            return None
        previous = Notice.objects.filter(user=user, kind="digest").order_by("-id").values_list("created_at", flat=True).first()
        since = previous or now - timedelta(days=1)
        lines = digest_lines(user, since=since, now=now)
        text = digest_text(lines)
        notice = Notice.objects.create(
            user=user, kind="digest", ref=f"digest:{day.isoformat()}", text=text[:300],
            url=lines[0].url if len(lines) == 1 and lines[0].url else reverse("accounts:home"), created_at=now,
        )
        Delivery.objects.bulk_create([Delivery(notice=notice, channel=ch) for ch in row.channels])
        row.digest_last = day
        row.save(update_fields=["digest_last"])
        if row.channels:
            from linli.notifications.actions import kick_on_commit

            kick_on_commit()
    return notice


def digests_due(*, now: datetime | None = None) -> int:
    """Write the digest of every member of staff on the digest whose time has come today; returns how
    many were written. Run every few minutes; a user's digest is written once a day."""
    from linli.notifications.selectors import preferences_of

    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    users = _staff_users(today)
    prefs = preferences_of([u.pk for u in users])
    written = 0
    for user in users:
        if local.time() < prefs[user.pk].digest_at:
            continue
        if digest_write(user, day=today, now=now) is not None:
            written += 1
    return written
