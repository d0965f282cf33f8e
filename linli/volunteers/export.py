"""The hours export (.xlsx): one sheet per activity total, one per volunteer, one with every attendance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.excel import Workbook
from linli.core.masking import mask_phone
from linli.volunteers.selectors import verified_signups


def hours_workbook(*, user: Any, since: dt.date, until: dt.date) -> bytes:
    rows = list(verified_signups(user=user, since=since, until=until))
    activities: dict[int, list[Any]] = {}
    volunteers: dict[int, list[Any]] = {}
    for s in rows:
        a = s.activity
        entry = activities.setdefault(
            a.pk, [a.title, timezone.localtime(a.starts_at).strftime("%Y-%m-%d"), a.location, 0, Decimal(0)]
        )
        entry[3] += 1
        entry[4] += s.hours or Decimal(0)
        person = s.volunteer.person
        v = volunteers.setdefault(
            s.volunteer_id, [person.name, mask_phone(getattr(person, "phone", "") or ""), 0, Decimal(0)]
        )
        v[2] += 1
        v[3] += s.hours or Decimal(0)
    by_hours = sorted(volunteers.values(), key=lambda v: -v[3])
    book = Workbook()
    book.sheet(_("Per activity"), [_("Activity"), _("Date"), _("Location"), _("Volunteers"), _("Hours")],
               widths=[24, 11, 20, 8, 8]).rows(activities.values())
    book.sheet(_("Per volunteer"), [_("Volunteer"), _("Phone"), _("Activities"), _("Hours")],
               widths=[12, 14, 8, 8]).rows(by_hours)
    book.sheet(_("Attendances"), [_("Activity"), _("Date"), _("Volunteer"), _("Checked in at"), _("Checked out at"),
                                  _("Hours")], widths=[24, 11, 12, 8, 8, 8]).rows([
        s.activity.title,
        timezone.localtime(s.activity.starts_at).strftime("%Y-%m-%d"),
        s.volunteer.person.name,
        timezone.localtime(s.checked_in_at).strftime("%H:%M") if s.checked_in_at else "",
        timezone.localtime(s.checked_out_at).strftime("%H:%M") if s.checked_out_at else "",
        s.hours or 0,
    ] for s in rows)
    audit_record(
        action="volunteers.hours_export",
        actor=user,
        target_type="volunteers.signup",
        detail={"since": since.isoformat(), "until": until.isoformat(), "rows": len(rows)},
    )
    return book.getvalue()
