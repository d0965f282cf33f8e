"""Who sees which monthly report: holders of ``reports.view`` over the report's street or community."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linli.core.access import ScopedQuerySet, access_object

if TYPE_CHECKING:
    from linli.dashboards.models import MonthlyReport


class MonthlyReportQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"


def access_report(user: Any, pk: Any) -> MonthlyReport:
    """The report ``pk`` if ``user`` may see it, or Http404."""
    from linli.dashboards.models import MonthlyReport

    return access_object(MonthlyReport.objects.select_related("place"), user, pk)
