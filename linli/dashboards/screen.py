"""The big screen's figures (数据大屏) for a street or a community, from the owning apps' selectors and
rollups only, in 3 statements: the case KPIs by month and category from the rollups (a street's from its
street rows, at most a minute behind), the assignments awaiting their sign, the open cases by state and the
overdue from the open cases' counters the actions keep (``screen_case_figures``: linli/cases/kpi_screen.py,
three reads in two statements); then the devices and the open alarms (``screen_iot``), volunteers, points,
door-knocking visits and disputes, each app's own read, sent in one statement (``core.rawsql.read_together``).
None of it counts the cases themselves, so it costs the same at 5,000 or 10,000,000 cases
(bench/dashboards_screen.py). The monthly report reads its own."""

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
    from linli.care.selectors import visit_stats_read
    from linli.cases.selectors import screen_case_figures
    from linli.cases.workflow import CaseStatus
    from linli.core.rawsql import read_together
    from linli.iot.selectors import screen_iot
    from linli.mediation.selectors import dispute_stats_read
    from linli.points.selectors import points_stats_read
    from linli.volunteers.selectors import volunteer_stats_read

    now = now or timezone.now()
    month = this_month(now)
    first = month_add(month, -11)
    # One read per concern (linli/cases/kpi_screen.py): the rollups by month and category, the live count
    # of assignments within their sign deadline, the open cases' counters, this month's passed deadlines.
    cases = screen_case_figures(user, place_path=place.path, place_kind=place.kind, month_from=first, month_to=month,
                                categories_from=month_add(month, -(month % 100) + 1), now=now)
    by_month = cases["months"]
    months = [month_add(first, i) for i in range(12)]
    categories = sorted(cases["categories"], key=lambda r: -r["reported"])[:8]
    current = by_month.get(month, {})
    open_counts = cases["open"]
    start, end = month_start(month), month_start(month_add(month, 1))
    # The devices, volunteers, points, visits and disputes (a row each) and the open alarms (the newest,
    # counted) in one statement: each app's own read, sent together.
    devices_read, alarms_read = screen_iot(user, place_path=place.path)
    period = {"place_path": place.path, "since": start, "until": end}
    (devices, volunteers, points, visits, disputes), alarms = read_together(
        [devices_read, volunteer_stats_read(**period), points_stats_read(**period), visit_stats_read(**period),
         dispute_stats_read(**period)], listing=alarms_read)
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
        "alarms": alarms,
        "devices": devices,
        "devices_total": sum(d["n"] for d in devices.values()),
        "volunteers": volunteers,
        "points": points,
        "visits": visits,
        "disputes": disputes,
    }


# The screens and maps ask every 15-30 s (a wall of them, several offices): each place's figures are made
# at most once in this many seconds for readers with the same permissions and language (0: every time).
SHARED_SECONDS = 10


def shared_figures(name: str, user: Any, place: Any, make: Any) -> Any:
    """``make()``, shared for ``LINLI_SCREEN_CACHE_SECONDS`` by the readers who would get the same figures:
    the callers let in only readers whose scope covers the place's whole subtree, so only their
    permissions and language can make a difference."""
    import hashlib

    from django.conf import settings
    from django.core.cache import cache
    from django.utils.translation import get_language

    seconds = int(getattr(settings, "LINLI_SCREEN_CACHE_SECONDS", SHARED_SECONDS))
    if seconds <= 0:
        return make()
    perms = hashlib.sha256(",".join(sorted(getattr(user, "perms", ()))).encode()).hexdigest()[:16]
    key = f"dashboards:{name}:{place.pk}:{place.path}:{get_language()}:{perms}"
    figures = cache.get(key)
    if figures is None:
        figures = make()
        cache.set(key, figures, seconds)
    return figures

