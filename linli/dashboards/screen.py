"""The big screen's figures (数据大屏) for a street or a community, from the owning apps' selectors and
rollups only: the case KPIs from the rollups (``kpi_table``), the open cases by state and the overdue from
partial indexes (``case_open_counts``), the alarms and devices (iot), volunteers and points. Also what the
monthly report reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

RATE_NAMES = ("response_rate", "solved_rate", "satisfaction_rate")


def month_add(month: int, n: int) -> int:
    year, m = divmod(month, 100)
    index = year * 12 + (m - 1) + n
    return (index // 12) * 100 + index % 12 + 1


def month_start(month: int) -> datetime:
    from zoneinfo import ZoneInfo

    from django.conf import settings

    year, m = divmod(month, 100)
    return datetime(year, m, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def this_month(now: datetime | None = None) -> int:
    local = timezone.localtime(now or timezone.now())
    return local.year * 100 + local.month


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def screen_figures(user: Any, place: Any, *, now: datetime | None = None) -> dict[str, Any]:
    from linli.cases.selectors import case_open_counts
    from linli.cases.selectors import kpi_rows as kpi_table
    from linli.cases.workflow import CaseStatus
    from linli.iot.selectors import alarm_counts, alarms_open_recent, device_counts
    from linli.points.selectors import points_stats
    from linli.volunteers.selectors import volunteer_stats

    now = now or timezone.now()
    month = this_month(now)
    first = month_add(month, -11)
    trend = kpi_table(user=user, by="month", month_from=first, month_to=month, place_path=place.path, now=now)
    by_month = {r["key"]: r for r in trend}
    months = [month_add(first, i) for i in range(12)]
    categories = kpi_table(user=user, by="category", month_from=month_add(month, -(month % 100) + 1), month_to=month,
                           place_path=place.path, now=now)
    categories = sorted((r for r in categories if r["reported"]), key=lambda r: -r["reported"])[:8]
    current = by_month.get(month, {})
    open_counts = case_open_counts(user, place_path=place.path, now=now)
    start, end = month_start(month), month_start(month_add(month, 1))
    return {
        "place": {"id": place.pk, "name": place.name, "kind": place.kind},
        "at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"),
        "cases": {
            "open": open_counts["open"],
            "overdue": open_counts["overdue"],
            "by_status": [{"status": s, "label": str(CaseStatus(s).label), "n": n}
                          for s, n in sorted(open_counts["by_status"].items(), key=lambda kv: -kv[1])],
            "month_reported": current.get("reported", 0),
            "month_closed": current.get("closed", 0),
        },
        "rates": {name: _pct(current.get(name)) for name in RATE_NAMES},
        "trend": {
            "months": [f"{m // 100}-{m % 100:02d}" for m in months],
            "reported": [by_month.get(m, {}).get("reported", 0) for m in months],
            **{name: [_pct(by_month.get(m, {}).get(name)) for m in months] for name in RATE_NAMES},
        },
        "categories": [{"name": r["label"], "n": r["reported"]} for r in categories],
        "alarms": {**alarm_counts(user, place_path=place.path), "recent": alarms_open_recent(user, place_path=place.path)},
        "devices": (devices := device_counts(user, place_path=place.path)),
        "devices_total": sum(d["n"] for d in devices.values()),
        "volunteers": volunteer_stats(place_path=place.path, since=start, until=end),
        "points": points_stats(place_path=place.path, since=start, until=end),
        "visits": _optional("linli.care.selectors", "visit_stats", place.path, start, end),
        "disputes": _optional("linli.mediation.selectors", "dispute_stats", place.path, start, end),
    }


def _optional(module: str, name: str, path: str, start: datetime, end: datetime) -> dict[str, Any] | None:
    """Figures of a module that may not be installed yet (care visits, disputes): None until it is."""
    import importlib

    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return fn(place_path=path, since=start, until=end)
