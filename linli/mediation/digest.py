"""The mediation section of a member of staff's daily digest (linli.notifications.digest): new disputes in
their area since the last digest, disputes past their one-month deadline, and, from the 25th, the grids
whose screening of the month is not finished (overdue screenings). Counts over what they may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


def mediation_digest(user: Any, since: datetime, now: datetime) -> list[Any]:
    from linli.mediation.access import can_view
    from linli.mediation.screening import screenings_overdue_count
    from linli.mediation.selectors import DisputeFilters, dispute_queryset
    from linli.notifications.digest import DigestLine

    if not can_view(user):
        return []
    ledger = reverse("mediation:disputes")
    new = dispute_queryset(user).filter(reported_at__gte=since, reported_at__lt=now).count()
    overdue = dispute_queryset(user, DisputeFilters(status="overdue")).count()
    screenings = screenings_overdue_count(user, timezone.localtime(now).date())
    return [
        DigestLine(_("new disputes"), new, ledger),
        DigestLine(_("overdue disputes"), overdue, ledger + "?status=overdue"),
        DigestLine(_("grids not screened this month"), screenings, reverse("mediation:screening")),
    ]
