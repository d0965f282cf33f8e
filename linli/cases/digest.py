"""The cases' section of a member of staff's daily digest (linli.notifications.digest): new cases for them
since the last digest, cases due soon (yellow light), overdue, and summons waiting for their department.
Counts over their own worklists, each one indexed COUNT."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


def case_digest(user: Any, since: datetime, now: datetime) -> list[Any]:
    from linli.cases.models import CaseSummons
    from linli.cases.selectors import _overdue_q, _view_qs
    from linli.cases.worklists import warning_q
    from linli.core.access import scope_of
    from linli.notifications.digest import DigestLine

    perms: frozenset[str] = getattr(user, "perms", frozenset())
    mine = _view_qs(user, "mine")
    lines = []
    new = mine.filter(reported_at__gte=since).count()
    desk_url = ""
    if "cases.dispatch" in perms:
        new += _view_qs(user, "desk").filter(reported_at__gte=since).count()
        desk_url = reverse("cases:dispatch")
    worklist = reverse("cases:worklist") + "?overdue="
    lines.append(DigestLine(_("new cases"), new, desk_url or reverse("cases:worklist")))
    lines.append(DigestLine(_("due soon"), mine.filter(warning_q(now)).count(), worklist + "warning"))
    lines.append(DigestLine(_("overdue"), mine.filter(_overdue_q(now)).count(), worklist + "overdue"))
    departments = sorted(scope_of(user).department_ids)
    if departments:
        summoned = CaseSummons.objects.filter(department_id__in=departments).exclude(status="answered").count()
        lines.append(DigestLine(_("summoned"), summoned, reverse("cases:department")))
    return lines
