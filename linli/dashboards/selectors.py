"""What the dashboards' pages read of their own table: the grid of kept monthly reports."""

from __future__ import annotations

from typing import Any

from linli.dashboards.models import MonthlyReport
from linli.dashboards.screen import month_add, this_month

REPORT_MONTHS = 13


def report_grid(user: Any, places: list[Any]) -> dict[str, Any]:
    """One row per place with a cell for each of the last 13 months (the report kept, or None)."""
    reports = {(r.place_id, r.month): r for r in MonthlyReport.objects.visible_to(user)
               .filter(place__in=places).defer("xlsx", "pdf").order_by("-month")[:2000]}
    now_month = this_month()
    months = [month_add(now_month, -i) for i in range(0, REPORT_MONTHS)]
    rows = [{"place": p, "cells": [{"month": m, "report": reports.get((p.pk, m))} for m in months]} for p in places]
    return {"rows": rows, "months": months, "labels": [f"{m // 100}-{m % 100:02d}" for m in months]}
