"""Reads of care: my plans (overdue first), the area's plans, the needs list (群众需求清单) per community."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from linli.care.models import HomeServiceRequest, Need, Visit, VisitPlan

if TYPE_CHECKING:
    from linli.core.rawsql import Read

LIMIT = 200


def plan_list(*, user: Any, mine: bool = True, overdue: bool = False) -> list[VisitPlan]:
    qs = VisitPlan.objects.filter(active=True).visible_to(user).select_related("person", "rule", "assignee")
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    if overdue:
        qs = qs.filter(next_due__lt=timezone.localdate())
    return list(qs.order_by("next_due", "id")[:LIMIT])


def plan_counts(*, user: Any, mine: bool = True) -> dict[str, int]:
    qs = VisitPlan.objects.filter(active=True).visible_to(user)
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    today = timezone.localdate()
    return {"all": qs.count(), "overdue": qs.filter(next_due__lt=today).count(),
            "today": qs.filter(next_due=today).count()}


def visits_of(*, user: Any, person_id: int, limit: int = 20) -> list[Visit]:
    return list(Visit.objects.visible_to(user).filter(person_id=person_id).prefetch_related("needs")[:limit])


def need_list(*, user: Any, status: str = "open", community_path: str = "") -> list[Need]:
    qs = Need.objects.visible_to(user).select_related("person", "visit")
    if status:
        qs = qs.filter(status=status)
    if community_path:
        qs = qs.filter(place_path__startswith=community_path)
    return list(qs[:LIMIT])


def home_service_list(*, user: Any, open_only: bool = True) -> list[HomeServiceRequest]:
    qs = HomeServiceRequest.objects.visible_to(user).select_related("person", "provider")
    if open_only:
        qs = qs.filter(status__in=["requested", "scheduled"])
    return list(qs[:LIMIT])


def is_overdue(plan: VisitPlan) -> bool:
    return plan.next_due < timezone.localdate()


def ontime_rates(paths: dict[Any, str], *, since: Any, until: Any) -> dict[Any, dict[str, Any]]:
    """For the street's rankings (evaluation): per place (key → its path), the planned visits made in the
    period under it and how many were on time — made within the plan's interval (every_days) of the
    plan's previous visit, or of the plan's start for its first visit. Rate 0..1, None without visits.
    Not scoped by a user: the caller ranks places it already scoped. One query whatever the number of
    places, read in chunks (the period and a year before it, for each plan's previous visit)."""
    import datetime as dt

    from linli.core.access import path_owner, paths_q

    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    counts: dict[Any, list[int]] = {key: [0, 0] for key in paths}
    owner = path_owner(paths)
    rows = (Visit.objects.filter(paths_q("place_path", paths.values()), plan__isnull=False, visited_at__lt=end,
                                 visited_at__gte=start - dt.timedelta(days=400))
            .order_by("plan_id", "visited_at", "id")
            .values_list("plan_id", "place_path", "visited_at", "plan__every_days", "plan__created_at"))
    last: dict[int, Any] = {}
    for plan_id, path, at, every, created in rows.iterator(chunk_size=5000):
        before = last.get(plan_id, created)
        last[plan_id] = at
        key = owner(path)
        if at < start or key is None:
            continue
        counts[key][0] += 1
        if (timezone.localtime(at).date() - timezone.localtime(before).date()).days <= every:
            counts[key][1] += 1
    return {key: {"visits": v, "ontime": o, "rate": round(o / v, 4) if v else None}
            for key, (v, o) in counts.items()}


def visit_stats(*, place_path: str, since: Any, until: Any) -> dict[str, int]:
    """For the big screen and the monthly report: the door-knocking visits made under ``place_path`` in
    [since, until) (aware datetimes), the persons they reached, those found needing help (needs help,
    unwell, in hospital), and the active visit plans overdue today. Not scoped by a user: the callers let
    in only readers whose scope covers the place."""
    from linli.core.rawsql import read_one

    return read_one(visit_stats_read(place_path=place_path, since=since, until=until))


def visit_stats_read(*, place_path: str, since: Any, until: Any) -> Read:
    """``visit_stats`` as a read the big screen sends with others (``rawsql.read_together``)."""
    from django.db import connection

    from linli.care.workflow import Found
    from linli.core.rawsql import Read, dt_param, literals, under

    # Plain SQL in one statement: the screen asks every 30 s, and the ORM's aggregates cost more to build
    # than to answer; the overdue plans are a subquery of the same read (one round trip).
    where, params = under("place_path", place_path)
    helped = literals([Found.NEEDS, Found.UNWELL, Found.HOSPITAL])
    return Read(
        f"SELECT COUNT(*), COUNT(DISTINCT person_id), COALESCE(SUM(CASE WHEN found IN ({helped}) THEN 1 ELSE 0 END), 0),"  # noqa: S608 (literals and table names only; values are parameters)
        f" (SELECT COUNT(*) FROM {VisitPlan._meta.db_table} WHERE {where} AND active AND next_due < %s)"
        f" FROM {Visit._meta.db_table} WHERE {where} AND visited_at >= %s AND visited_at < %s",
        [*params, connection.ops.adapt_datefield_value(timezone.localdate()), *params, dt_param(since), dt_param(until)],
        4, lambda row: {"visits": int(row[0] or 0), "persons": int(row[1] or 0), "needing_help": int(row[2] or 0),
                        "overdue_plans": int(row[3] or 0)})
