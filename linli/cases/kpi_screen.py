"""The case figures of a big screen (linli/dashboards/screen.py) in three reads, one per concern, written
as plain SQL and sent in two statements (1 and 2 together: ``core.rawsql.read_together``): the screen asks
every 30 s and reads a few hundred rows, so building the statements with the ORM cost several times what
the database spent answering them (bench/dashboards_screen.py).

1. the rollups by (report month, category) of the months shown, with the categories' names: the 12-month
   trend, this month's figures and this year's categories (a street's from its street rows, at most a
   minute behind: ``kpi_areas``; a community's from its grids' rows);
2. the assignments still within their sign deadline, by report month (the only live count the response
   rate needs: ``kpi.kpi_pending``'s ``awaiting_sign``);
3. the open cases by state with the overdue of the months before this one (``CaseStateCount``), and in
   the same statement the cases whose handling deadline passed this month (the partial index of the
   watched states' deadlines; ``open_counts``).

The figures are the same as ``kpi_table(by="month"/"category", lag_ok=True)`` and ``open_counts`` give
(``linli/dashboards/tests/test_screen_figures.py`` compares them, and with the cases counted directly).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.kpi import NEEDS_PENDING, PENDING, kpi_rates
from linli.cases.models_kpi import KPI_COUNTERS
from linli.cases.open_counts import open_counts
from linli.core.access import scope_of
from linli.core.rawsql import Read, dt_param, read_together, under

# The counters the screen's figures and rates are made of (the response, solved and satisfaction rates,
# the cases received and closed); the others stay 0 in the rows.
SCREEN_COUNTERS = ("reported", "closed", "dispatched", "reopened", "signed_ontime", "rated", "solved", "satisfied")


def _month_start(month: int) -> datetime:
    year, m = divmod(month, 100)
    return datetime(year, m, 1, tzinfo=timezone.get_current_timezone())


def _month_add(month: int, n: int) -> int:
    year, m = divmod(month, 100)
    index = year * 12 + (m - 1) + n
    return (index // 12) * 100 + index % 12 + 1


def screen_cases(user: Any, *, place_path: str, place_kind: str, month_from: int, month_to: int,
                 categories_from: int, now: datetime | None = None) -> dict[str, Any]:
    """For a big screen of the place at ``place_path`` (of kind ``place_kind``; its reader's scope covers it:
    the screens check): ``months`` {yyyymm: counters, ``awaiting_sign`` and rates} for the months
    ``month_from``..``month_to`` that have any, ``categories`` [{key, label, reported}] of the months
    ``categories_from``..``month_to`` with cases, by category id, and ``open`` {by_status, open, overdue}.
    A reader without ``cases.view`` or whose scope does not cover the place gets nothing (zeros)."""
    now = now or timezone.now()
    empty: dict[str, Any] = {"months": {}, "categories": [], "open": {"by_status": {}, "open": 0, "overdue": 0}}
    if user is not None and ("cases.view" not in getattr(user, "perms", ()) or
                             not scope_of(user).covers_path(place_path)):
        return empty
    sums = ", ".join(f"SUM({c})" for c in SCREEN_COUNTERS)
    if place_kind == "street":  # its street rows (kpi_areas.area_rows with lag_ok)
        where, params = "level = 'street' AND area_path = %s", [place_path]
        table = "cases_kpiarearollup"
    else:
        (where, params), table = under("place_path", place_path), "cases_kpirollup"
    months: dict[int, dict[str, Any]] = {}
    by_category: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    n_months = (month_to // 100 - month_from // 100) * 12 + month_to % 100 - month_from % 100 + 1
    bounds = [_month_start(_month_add(month_from, i)) for i in range(1, n_months + 1)]  # each month's end
    awaiting = ", ".join(["SUM(CASE WHEN reported_at < %s THEN 1 ELSE 0 END)"] * len(bounds))
    path_sql, path_params = under("place_path", place_path)
    # The assignments not yet past their sign deadline, counted below each month's end (the partial index
    # of the dispatched cases' sign deadlines; its condition repeated as a literal for SQLite), sent in one
    # statement with the rollups (``rawsql.read_together``).
    awaiting_sign = Read(
        f"SELECT {awaiting} FROM cases_case WHERE status = 'dispatched' AND sign_due >= %s "  # noqa: S608
        f"AND reported_at >= %s AND reported_at < %s AND {path_sql}",
        [*(dt_param(b) for b in bounds), dt_param(now), dt_param(_month_start(month_from)), dt_param(bounds[-1]),
         *path_params], len(bounds), lambda row: [int(v or 0) for v in row])
    rollups = Read(
        f"SELECT r.*, k.name FROM (SELECT month, category_id, {sums} FROM {table} "  # noqa: S608
        f"WHERE {where} AND month >= %s AND month <= %s GROUP BY month, category_id) r "
        "LEFT JOIN cases_category k ON k.id = r.category_id", [*params, month_from, month_to],
        len(SCREEN_COUNTERS) + 3, lambda rows: rows)
    (below,), rows = read_together([awaiting_sign], listing=rollups)
    for month, category_id, *values, name in rows:
        row = months.setdefault(month, dict.fromkeys(SCREEN_COUNTERS, 0))
        for counter, value in zip(SCREEN_COUNTERS, values, strict=True):
            row[counter] += int(value or 0)
        if month >= categories_from:
            by_category[category_id] += int(values[0] or 0)
            names[category_id] = name
    for i, n in enumerate(below):
        live = n - (below[i - 1] if i else 0)
        if live:
            months.setdefault(_month_add(month_from, i), dict.fromkeys(SCREEN_COUNTERS, 0))
        if _month_add(month_from, i) in months:
            months[_month_add(month_from, i)]["awaiting_sign"] = live
    for counters in months.values():
        counters.setdefault("awaiting_sign", 0)
        counters.update(kpi_rates({**dict.fromkeys((*KPI_COUNTERS, *PENDING), 0), **counters}))
        counters.update(dict.fromkeys(NEEDS_PENDING["open_overdue"]))  # not counted here: unknown, as kpi_table says
    labels = {0: _("(none)"), **{k: v for k, v in names.items() if v is not None}}  # as kpi_table labels them
    categories = [{"key": key, "label": str(labels.get(key, key)), "reported": n}
                  for key, n in sorted(by_category.items()) if n]
    return {"months": months, "categories": categories,
            "open": open_counts(place_path=place_path, now=now)}

