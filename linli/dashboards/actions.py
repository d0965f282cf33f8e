"""The dashboards' only writes: the monthly reports, generated (or regenerated) for a street or a community."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid
from linli.dashboards.models import MonthlyReport
from linli.dashboards.reports import REPORT_KINDS, report_figures, report_pdf, report_xlsx
from linli.dashboards.screen import month_add, this_month


def report_generate(*, place: Any, month: int, actor: Any = None, now: datetime | None = None) -> MonthlyReport:
    """Generate (or regenerate) the report of ``place`` for ``month`` (yyyymm, a past or the current
    month). The caller checks the scope."""
    if place.kind not in REPORT_KINDS:
        raise Invalid(_("Reports are made for streets and communities."), fields={"place": [_("A street or a community.")]})
    if not 200001 <= month <= this_month(now) or not 1 <= month % 100 <= 12:
        raise Invalid(_("Choose a past month."), fields={"month": [_("A month up to this one.")]})
    figures = report_figures(place, month)
    xlsx, pdf = report_xlsx(figures), report_pdf(figures)
    summary = {"reported": figures["total"].get("reported", 0), "closed": figures["total"].get("closed", 0),
               "alarms": len(figures["alarms"])}
    with transaction.atomic():
        report, _created = MonthlyReport.objects.update_or_create(
            place=place, month=month,
            defaults={"place_path": place.path, "generated_at": timezone.now(), "xlsx": xlsx, "pdf": pdf,
                      "summary": summary, "generated_by": actor if getattr(actor, "is_authenticated", False) else None},
        )
        audit_record(action="dashboards.report_generate", actor=actor, actor_name="" if actor else "system",
                     target=report, detail={"place": place.pk, "month": month})
    return report


def reports_generate_month(month: int | None = None) -> int:
    """Every street's and community's report of ``month`` (default: the month before this one) that is not
    there yet. Returns how many were made. Run on the 1st by the periodic task."""
    from linli.places.selectors import places_of_kind

    month = month or month_add(this_month(), -1)
    have = set(MonthlyReport.objects.filter(month=month).values_list("place_id", flat=True))
    made = 0
    for place in places_of_kind(*REPORT_KINDS).order_by("path"):
        if place.pk not in have:
            report_generate(place=place, month=month)
            made += 1
    return made
