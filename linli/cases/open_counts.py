"""The open cases counted, kept by the actions: ``CaseStateCount``.

Counting the open cases from the case table costs as much as there are open cases; these counters cost
as much as there are keys, whatever the number of cases. Each open case is counted in up to three rows of
one table (so that a case's change is one statement):

- per (grid path, state, handle-due month) (``clock=""``): the big screens (linli/dashboards) show the open
  cases of a street or a community by state and how many are overdue (``open_counts``);
- per KPI rollup key (report month, grid path, category, department, compound kind) and deadline hour,
  for the cases whose handle deadline counts (``clock="handle"``: the states of ``OVERDUE_KPI_STATUSES``)
  and the dispatched cases' sign deadline (``clock="sign"``): the KPI page's live figures, open overdue
  and awaiting signature (``kpi.kpi_pending``).

Overdue changes with the clock, not with a write: a case is overdue once the hour of its deadline has
passed, so the reader sums the hours before the current one from the counters and counts the current
hour's deadlines that passed from the cases (a partial index on the deadline; at most an hour of them).
The handle deadline hours long past are folded into one row per key (``due_hour=0``, ``due_counts_fold``
every ten minutes; the sign deadline hours long past are dropped: awaiting signature counts the hours to
come): a row per case's deadline hour would grow with the overdue cases; folded, the rows grow with the
keys. A case that changes after its hour was folded takes one back from its own (past) hour: the past
hours are only ever read as their sum, which stays right.

- ``state_record(case)``: called with every case event (``actions._common``), in the action's
  transaction. The case remembers the columns it was read with (``Case.from_db``); when the event moved
  it to other keys (state, deadline, department, ...), the rows it leaves go down and the ones it enters
  go up, in one ``INSERT … ON CONFLICT DO UPDATE`` (``core.inserts.upsert_add``).
- ``state_counts_add(case_ids)``: the bulk path (cases written in batches: the demo's year).
- ``state_counts_diff()`` / ``state_counts_rebuild()``: compare with and rebuild from the cases
  (``linli kpi-recompute`` and ``--fix``).
- ``open_counts(place_path, now)``: the open cases under a grid, community or street by state, and the
  overdue ones: the months before this one from the counters, this month's deadlines that passed from the
  partial index on the open cases' deadlines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.cases.kpi import month_of, rollup_path
from linli.cases.models import HANDLE_DUE_STATUSES, OVERDUE_KPI_STATUSES
from linli.cases.models_kpi import CaseStateCount
from linli.cases.workflow import OPEN_STATUSES, CaseStatus
from linli.core.inserts import upsert_add

StateKey = tuple[str, str, int]  # (place_path cut at the grid, status, due month or 0)
# The states whose handle deadline is watched (the overdue list; parked stops the clock).
WATCHED = frozenset(HANDLE_DUE_STATUSES)
OVERDUE_KPI = frozenset(OVERDUE_KPI_STATUSES)
# The screens' key of a case (0014's migration counts with these).
LOADED = ("status", "handle_due", "place_path", "grid_id", "community_id")
# What ``Case.from_db`` keeps of the row it read: every column of a case's rows.
COLUMNS = (*LOADED, "sign_due", "reported_at", "category_id", "owner_department_id", "compound_kind")
# A counter row: its unique key (the first nine) and the plain ids of its grid and community.
ROW = ("clock", "place_path", "status", "due_month", "month", "category_id", "department_id", "compound_kind",
       "due_hour", "community_id", "grid_id")
Row = tuple[str, str, str, int, int, int, int, str, int, int, int]
# A deadline hour is folded once it is this many hours behind the current one (a reader whose clock is a
# little behind the folder's still finds the hour it counts from the cases unfolded).
FOLD_LAG = 2


def state_key(
    status: str, handle_due: datetime | None, place_path: str, grid_id: int | None, community_id: int | None
) -> StateKey | None:
    if status not in OPEN_STATUSES:
        return None
    due = month_of(handle_due) if status in WATCHED and handle_due is not None else 0
    return (rollup_path(place_path, grid_id, community_id), str(status), due)


def hour_of(at: datetime) -> int:
    """Hours since 1970 UTC of ``at``: a deadline's row."""
    return int(at.timestamp()) // 3600


def hour_start(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, tz=UTC)


def rows_of(
    status: str, handle_due: datetime | None, place_path: str, grid_id: int | None, community_id: int | None,
    sign_due: datetime | None, reported_at: datetime | None, category_id: int | None,
    owner_department_id: int | None, compound_kind: str | None,
) -> tuple[Row, ...]:
    """The counter rows a case with these columns is counted in (none once it is no longer open)."""
    key = state_key(status, handle_due, place_path, grid_id, community_id)
    if key is None:
        return ()
    path, status, due_month = key
    ids = (community_id or 0, grid_id or 0)
    out: list[Row] = [("", path, status, due_month, 0, 0, 0, "", 0, *ids)]
    kpi = (month_of(reported_at) if reported_at else 0, category_id or 0, owner_department_id or 0,
           compound_kind or "")
    if status in OVERDUE_KPI and handle_due is not None:
        out.append(("handle", path, "", 0, *kpi, hour_of(handle_due), *ids))
    if status == CaseStatus.DISPATCHED and sign_due is not None:
        out.append(("sign", path, "", 0, *kpi, hour_of(sign_due), *ids))
    return tuple(out)


def case_rows(case: Any, status: str | None = None) -> tuple[Row, ...]:
    values = {name: getattr(case, name) for name in COLUMNS}
    if status is not None:
        values["status"] = status
    return rows_of(**values)


def _write(deltas: dict[Row, int]) -> None:
    """Add ``deltas`` to their rows in one statement (rows created as needed), in key order."""
    changes = sorted((row, n) for row, n in deltas.items() if n)
    if changes:
        upsert_add(CaseStateCount, ROW[:9], ROW[9:], "n", [(*row, n) for row, n in changes])


def _delta(old: Iterable[Row], new: Iterable[Row]) -> dict[Row, int]:
    out: Counter[Row] = Counter()
    for row in old:
        out[row] -= 1
    for row in new:
        out[row] += 1
    return dict(out)


def state_record(case: Any, *, kind: str, from_status: str) -> None:
    """Move ``case`` (just written by an event of ``kind``) to the counters of its current keys."""
    new = case_rows(case)
    if "_counted" in case.__dict__:  # counted by an earlier event of this instance
        old = case.__dict__["_counted"]
    elif "_counted_row" in case.__dict__:  # as it was read
        old = rows_of(**dict(zip(COLUMNS, case.__dict__["_counted_row"], strict=True)))
    elif kind == "created":
        old = ()
    else:  # read without the columns of its key (deferred): the state it left, the rest as it is now
        old = case_rows(case, status=from_status or case.status)
    if old != new:
        _write(_delta(old, new))
    case.__dict__["_counted"] = new


def loaded_row(field_names: Any, values: Any) -> tuple[Any, ...] | None:
    """From ``Case.from_db``: the row's values of ``COLUMNS`` (None when it lacks one of them)."""
    row = dict(zip(field_names, values, strict=False))
    if any(name not in row for name in COLUMNS):
        return None
    return tuple(row[name] for name in COLUMNS)


# --- bulk, compare, fold, rebuild ------------------------------------------------------------------------


def _folded(counts: dict[Row, int], now: datetime) -> Counter[Row]:
    """``counts`` with the handle deadline hours long past summed into their key's folded row
    (``due_hour=0``), and the sign deadline hours long past left out (they count no more)."""
    cutoff = hour_of(now) - FOLD_LAG
    out: Counter[Row] = Counter()
    for row, n in counts.items():
        if row[0] and row[8] < cutoff:
            if row[0] == "sign":
                continue
            row = (*row[:8], 0, *row[9:])  # type: ignore[assignment]
        out[row] += n
    return out


def _counted(case_ids: list[int] | None = None) -> Counter[Row]:
    from linli.cases.models import OPEN_Q, Case

    qs = Case.objects.filter(OPEN_Q)
    if case_ids is not None:
        qs = qs.filter(pk__in=case_ids)
    out: Counter[Row] = Counter()
    for values in qs.values_list(*COLUMNS).iterator(chunk_size=5000):
        out.update(rows_of(*values))
    return out


def state_counts_add(case_ids: list[int]) -> int:
    """Count ``case_ids`` (written in bulk, not through the actions); returns the counters touched."""
    counts = _counted(case_ids)
    _write(counts)
    return len(counts)


def _stored() -> Counter[Row]:
    out: Counter[Row] = Counter()
    for *row, n in CaseStateCount.objects.values_list(*ROW, "n").iterator(chunk_size=5000):
        out[tuple(row)] += n  # type: ignore[index]
    return out


def state_counts_diff(now: datetime | None = None) -> list[tuple[Row, int, int]]:
    """(row, stored, counted from the cases) wherever they differ (the past deadline hours as their sum)."""
    now = now or timezone.now()
    stored, fresh = _folded(_stored(), now), _folded(_counted(), now)
    return [
        (row, stored.get(row, 0), fresh.get(row, 0))
        for row in sorted(set(stored) | set(fresh))
        if stored.get(row, 0) != fresh.get(row, 0)
    ]


def state_counts_rebuild(now: datetime | None = None) -> int:
    fresh = _folded(_counted(), now or timezone.now())
    with transaction.atomic():
        CaseStateCount.objects.all().delete()
        CaseStateCount.objects.bulk_create(
            [CaseStateCount(**dict(zip(ROW, row, strict=True)), n=n) for row, n in fresh.items() if n],
            batch_size=1000,
        )
    return len(fresh)


def due_counts_fold(now: datetime | None = None) -> int:
    """Sum the KPI rows of handle deadline hours long past into their key's folded row, drop those of sign
    deadlines long past (awaiting signature counts the hours to come) and the rows left at 0; the sums the
    KPI page reads do not change. Returns the rows folded or dropped."""
    cutoff = hour_of(now or timezone.now()) - FOLD_LAG
    with transaction.atomic():
        past = CaseStateCount.objects.select_for_update().exclude(clock="").filter(due_hour__gt=0,
                                                                                  due_hour__lt=cutoff)
        rows = list(past.values_list("pk", *ROW, "n"))
        if not rows:
            return 0
        CaseStateCount.objects.filter(pk__in=[r[0] for r in rows]).delete()
        sums: Counter[Row] = Counter()
        for _pk, *row, n in rows:
            if row[0] == "handle":
                sums[(*row[:8], 0, *row[9:])] += n  # type: ignore[index]
        _write(sums)
        CaseStateCount.objects.exclude(clock="").filter(n=0).delete()
    return len(rows)


# --- reading ---------------------------------------------------------------------------------------------


def open_counts(*, place_path: str, now: datetime | None = None) -> dict[str, Any]:
    """The open cases under ``place_path`` (a grid or above) by state, and the overdue ones (a watched
    state whose handle deadline has passed), in one plain read (linli/core/rawsql.py: the screens ask
    every 30 s): the counters by state with the overdue of the months before this one, and one more row
    (no state) with the cases whose deadline passed this month. Unscoped: the caller checks the reader's
    scope."""
    from linli.core.rawsql import dt_param, fetch, literals, under

    now = now or timezone.now()
    local = timezone.localtime(now)
    month = local.year * 100 + local.month
    watched = literals(sorted(WATCHED))  # as the partial index of the deadlines writes them
    path_sql, path_params = under("place_path", place_path)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    by_status: dict[str, int] = {}
    overdue = 0
    for status, n, late in fetch(
        f"SELECT status, SUM(n), SUM(CASE WHEN status IN ({watched}) AND due_month > 0 AND due_month < %s "  # noqa: S608
        f"THEN n ELSE 0 END) FROM cases_casestatecount WHERE clock = '' AND {path_sql} GROUP BY status "
        f"UNION ALL SELECT '', 0, COUNT(*) FROM cases_case WHERE status IN ({watched}) AND handle_due >= %s "
        f"AND handle_due < %s AND {path_sql}",
        [month, *path_params, dt_param(start), dt_param(now), *path_params],
    ):
        if n and status:
            by_status[status] = int(n)
        overdue += int(late or 0)
    return {"by_status": by_status, "open": sum(by_status.values()), "overdue": overdue}
