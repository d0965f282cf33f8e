"""Reads of points: balances, sums by person over a period, rankings, the ledger list, reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, Sum
from django.utils import timezone

from linli.core.access import path_prefixes
from linli.points.models import (
    EARNING_KINDS,
    HoursEntry,
    PointsAccount,
    PointsEntry,
    Redemption,
    Selection,
    ShopItem,
)
from linli.residents.selectors import person_names

if TYPE_CHECKING:
    from linli.core.rawsql import Read

# --- the contract -------------------------------------------------------------------------------------


def balance_of(person_id: int) -> int:
    row = PointsAccount.objects.filter(person_id=person_id).values_list("balance", flat=True).first()
    return int(row or 0)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _period_q(since: dt.date, until: dt.date) -> Q:
    """Entries made on ``since`` … ``until`` (both included, local days) as an index range on ``at``."""
    return Q(at__gte=_day_start(since), at__lt=_day_start(until + dt.timedelta(days=1)))


def hours_by_person(person_ids: Iterable[int], *, since: dt.date, until: dt.date) -> dict[int, Decimal]:
    ids = list(person_ids)
    rows = (
        HoursEntry.objects.filter(person_id__in=ids, occurred_on__gte=since, occurred_on__lte=until)
        .values("person_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {r["person_id"]: r["total"] or Decimal(0) for r in rows}


def points_by_person(person_ids: Iterable[int], *, since: dt.date, until: dt.date) -> dict[int, int]:
    """Points earned (awards, corrections and reversals; not redemptions) per person over the days."""
    ids = list(person_ids)
    rows = (
        PointsEntry.objects.filter(_period_q(since, until), person_id__in=ids, kind__in=EARNING_KINDS)
        .values("person_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {r["person_id"]: int(r["total"] or 0) for r in rows}


# --- periods and rankings -----------------------------------------------------------------------------

PERIODS = ("month", "quarter", "half", "year")


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month, quarter, half-year or year containing ``day``."""
    if period == "month":
        first_month, months = day.month, 1
    elif period == "quarter":
        first_month, months = 3 * ((day.month - 1) // 3) + 1, 3
    elif period == "half":
        first_month, months = (1 if day.month <= 6 else 7), 6
    elif period == "year":
        first_month, months = 1, 12
    else:
        raise ValueError(period)
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + months
    end = dt.date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _ranked(totals: dict[int, Any], limit: int | None) -> list[dict[str, Any]]:
    """Competition ranking (1, 2, 2, 4): equal totals share a rank; the top ``limit`` ranks are kept,
    ties at the cut included."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[dict[str, Any]] = []
    prev = None
    rank = 0
    for i, (pid, total) in enumerate(ordered):
        if total != prev:
            rank = i + 1
            prev = total
        if limit is not None and rank > limit:
            break
        out.append({"person_id": pid, "total": total, "rank": rank})
    return out


def rank_persons(
    person_ids: Iterable[int], *, since: dt.date, until: dt.date, by: str = "points"
) -> list[dict]:
    """Rank a given list of persons (a volunteer team) by points earned or hours over the days.
    Everyone in the list appears, with 0 when they earned nothing."""
    ids = list(dict.fromkeys(person_ids))
    sums: dict[int, Any] = (
        hours_by_person(ids, since=since, until=until)
        if by == "hours"
        else points_by_person(ids, since=since, until=until)
    )
    zero: Any = Decimal(0) if by == "hours" else 0
    return _ranked({pid: sums.get(pid, zero) for pid in ids}, None)


def ranking(*, place_path: str, since: dt.date, until: dt.date, limit: int = 10) -> list[dict[str, Any]]:
    """The top ``limit`` ranks of persons by points earned in entries made under ``place_path`` (a
    grid or a community), with names."""

    rows = (
        PointsEntry.objects.filter(
            _period_q(since, until), place_path__startswith=place_path, kind__in=EARNING_KINDS
        )
        .values("person_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = {r["person_id"]: int(r["total"] or 0) for r in rows if (r["total"] or 0) > 0}
    out = _ranked(totals, limit)
    names = person_names(r["person_id"] for r in out)
    for r in out:
        r["name"] = names.get(r["person_id"], "")
    return out


# --- lists --------------------------------------------------------------------------------------------

PAGE = 50


def entry_list(*, user, filters: dict[str, Any] | None = None, after: int | None = None, limit: int = PAGE):
    """The ledger under the user's scope, newest first, keyset-paged on id (``after``: the last id seen)."""
    qs = entries(user=user, filters=filters)
    if after:
        qs = qs.filter(id__lt=after)
    return qs[:limit]


def entries(*, user, filters: dict[str, Any] | None = None):
    """The ledger's entries under the user's scope and the filters (page, API, Excel), newest first."""
    f = filters or {}
    qs = PointsEntry.objects.visible_to(user)
    if f.get("place_path"):
        qs = qs.filter(place_path__startswith=f["place_path"])
    if f.get("person_id"):
        qs = qs.filter(person_id=f["person_id"])
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("area"):
        qs = qs.filter(area=f["area"])
    if f.get("rule"):
        qs = qs.filter(rule__code=f["rule"])
    if f.get("since"):
        qs = qs.filter(at__gte=_day_start(f["since"]))
    if f.get("until"):
        qs = qs.filter(at__lt=_day_start(f["until"] + dt.timedelta(days=1)))
    return qs.select_related("person", "rule").order_by("-id")


def hours_list(*, user, filters: dict[str, Any] | None = None):
    f = filters or {}
    qs = HoursEntry.objects.visible_to(user)
    if f.get("place_path"):
        qs = qs.filter(place_path__startswith=f["place_path"])
    if f.get("since"):
        qs = qs.filter(occurred_on__gte=f["since"])
    if f.get("until"):
        qs = qs.filter(occurred_on__lte=f["until"])
    return qs.select_related("person").order_by("-id")


def my_entries(person_id: int, *, limit: int = 50):
    return PointsEntry.objects.filter(person_id=person_id).select_related("rule").order_by("-id")[:limit]


def my_hours(person_id: int, *, limit: int = 50):
    return HoursEntry.objects.filter(person_id=person_id).order_by("-occurred_on", "-id")[:limit]


def my_redemptions(person_id: int, *, limit: int = 50):
    return Redemption.objects.filter(person_id=person_id).select_related("item").order_by("-id")[:limit]


def shop_items_for(person) -> Any:
    """Items on offer in the community the person lives in."""
    if person is None or not person.place_path:
        return ShopItem.objects.none()
    prefixes = path_prefixes(person.place_path)
    return ShopItem.objects.filter(active=True, place_path__in=prefixes).order_by("cost", "id")


def honours_published(*, limit: int = 20):
    return (
        Selection.objects.filter(status="published")
        .select_related("community")
        .prefetch_related("candidates__person")
        .order_by("-published_at")[:limit]
    )


# --- selections --------------------------------------------------------------------------------------


def selection_scores(selection: Selection) -> list[tuple[int, int, Decimal, Decimal]]:
    """(person id, points, hours, score) under the selection's community over its half year, best first.
    score = points × points_weight + hours × hours_weight."""
    month = 1 if selection.half == "H1" else 7
    since, until = period_bounds("half", dt.date(selection.year, month, 1))
    p_rows = (
        PointsEntry.objects.filter(
            _period_q(since, until), place_path__startswith=selection.place_path, kind__in=EARNING_KINDS
        )
        .values("person_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    h_rows = (
        HoursEntry.objects.filter(
            place_path__startswith=selection.place_path, occurred_on__gte=since, occurred_on__lte=until
        )
        .values("person_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    points = {r["person_id"]: int(r["total"] or 0) for r in p_rows}
    hours = {r["person_id"]: r["total"] or Decimal(0) for r in h_rows}
    rows = []
    for pid in set(points) | set(hours):
        p, h = points.get(pid, 0), hours.get(pid, Decimal(0))
        score = (Decimal(p) * selection.points_weight + h * selection.hours_weight).quantize(Decimal("0.01"))
        if score > 0:
            rows.append((pid, p, h, score))
    rows.sort(key=lambda r: (-r[3], r[0]))
    return rows


# --- reconciliation ----------------------------------------------------------------------------------


def reconcile() -> list[dict[str, Any]]:
    """Every account whose balance differs from the sum of its entries, and every person with entries
    but no account: [{"person_id", "balance", "ledger"}]."""
    sums = {
        r["person_id"]: int(r["total"] or 0)
        for r in PointsEntry.objects.values("person_id").annotate(total=Sum("amount")).order_by()
    }
    out: list[dict[str, Any]] = []
    balances = dict(PointsAccount.objects.values_list("person_id", "balance"))
    for pid, balance in balances.items():
        ledger = sums.get(pid, 0)
        if ledger != balance:
            out.append({"person_id": pid, "balance": balance, "ledger": ledger})
    for pid, ledger in sums.items():
        if pid not in balances:
            out.append({"person_id": pid, "balance": None, "ledger": ledger})
    return sorted(out, key=lambda r: r["person_id"])


def points_stats(*, place_path: str, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """For the big screens and monthly reports (linli/dashboards): points awarded (positive entries) and
    service hours recorded under ``place_path`` in [since, until); one plain read (linli/core/rawsql.py)."""
    from linli.core.rawsql import read_one

    return read_one(points_stats_read(place_path=place_path, since=since, until=until))


def points_stats_read(*, place_path: str, since: dt.datetime, until: dt.datetime) -> Read:
    """``points_stats`` as a read the big screen sends with others (``rawsql.read_together``)."""
    from django.db import connection

    from linli.core.rawsql import Read, dt_param, under

    path_sql, path_params = under("place_path", place_path)
    day = connection.ops.adapt_datefield_value
    return Read(
        f"SELECT (SELECT SUM(amount) FROM {PointsEntry._meta.db_table} WHERE amount > 0 "  # noqa: S608
        f"AND at >= %s AND at < %s AND {path_sql}), (SELECT SUM(hours) FROM {HoursEntry._meta.db_table} "
        f"WHERE occurred_on >= %s AND occurred_on < %s AND {path_sql})",
        [dt_param(since), dt_param(until), *path_params, day(timezone.localtime(since).date()),
         day(timezone.localtime(until).date()), *path_params], 2,
        lambda row: {"points": int(row[0] or 0), "hours": round(float(row[1] or 0), 2)})  # hours: 2 places, as the field
