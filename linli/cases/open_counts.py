"""The open cases counted per (grid path, state, handle-due month): ``CaseStateCount``, kept by the actions.

The big screens (linli/dashboards) show the open cases of a street or a community by state and how many
are overdue. Counting them from the case table costs as much as there are open cases; these counters
cost as much as there are grids × states × months, whatever the number of cases.

- ``state_record(case)``: called with every case event (``actions._common``), in the action's
  transaction. The case remembers the key it was counted under when it was read from the database
  (``Case.from_db``); when the event moved it to another key (state, deadline), one counter goes down
  and one goes up. A case leaving the open states is no longer counted.
- ``state_counts_add(case_ids)``: the bulk path (cases written in batches: the demo's year).
- ``state_counts_diff()`` / ``state_counts_rebuild()``: compare with and rebuild from the cases
  (``linli kpi-recompute`` and ``--fix``).
- ``open_counts(place_path, now)``: the open cases under a grid, community or street by state, and the
  overdue ones: the months before this one from the counters, this month's deadlines that passed from the
  partial index on the open cases' deadlines.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from linli.cases.kpi import month_of, rollup_path
from linli.cases.models import HANDLE_DUE_STATUSES
from linli.cases.models_kpi import CaseStateCount
from linli.cases.workflow import OPEN_STATUSES
from linli.core.inserts import update_add

StateKey = tuple[str, str, int]  # (place_path cut at the grid, status, due month or 0)
# The states whose handle deadline is watched (the overdue list; parked stops the clock).
WATCHED = frozenset(HANDLE_DUE_STATUSES)
# What ``Case.from_db`` keeps of the row it read.
LOADED = ("status", "handle_due", "place_path", "grid_id", "community_id")


def state_key(
    status: str, handle_due: datetime | None, place_path: str, grid_id: int | None, community_id: int | None
) -> StateKey | None:
    if status not in OPEN_STATUSES:
        return None
    due = month_of(handle_due) if status in WATCHED and handle_due is not None else 0
    return (rollup_path(place_path, grid_id, community_id), str(status), due)


def key_of(case: Any) -> StateKey | None:
    return state_key(case.status, case.handle_due, case.place_path, case.grid_id, case.community_id)


def _add(key: StateKey, delta: int) -> None:
    path, status, due = key
    if update_add(CaseStateCount, {"place_path": path, "status": str(status), "due_month": due}, {"n": delta}):
        return
    rows = CaseStateCount.objects.filter(place_path=path, status=status, due_month=due)
    try:
        with transaction.atomic():
            CaseStateCount.objects.create(place_path=path, status=status, due_month=due, n=delta)
    except IntegrityError:  # created meanwhile by another transaction
        rows.update(n=F("n") + delta)


def state_record(case: Any, *, kind: str, from_status: str) -> None:
    """Move ``case`` (just written by an event of ``kind``) to the counter of its current key."""
    new = key_of(case)
    if "_counted" in case.__dict__:
        old = case.__dict__["_counted"]
    elif kind == "created":
        old = None
    else:  # read without the columns of its key (deferred): the state it left, the deadline it has now
        old = state_key(
            from_status or case.status, case.handle_due, case.place_path, case.grid_id, case.community_id
        )
    if old != new:
        if old is not None:
            _add(old, -1)
        if new is not None:
            _add(new, 1)
    case.__dict__["_counted"] = new


def loaded_key(field_names: Any, values: Any) -> tuple[bool, StateKey | None]:
    """From ``Case.from_db``: (whether the row had every column of the key, the key)."""
    row = dict(zip(field_names, values, strict=False))
    if any(name not in row for name in LOADED):
        return False, None
    return True, state_key(*(row[name] for name in LOADED))


# --- bulk, compare, rebuild ------------------------------------------------------------------------------


def _counted(case_ids: list[int] | None = None) -> Counter[StateKey]:
    from linli.cases.models import OPEN_Q, Case

    qs = Case.objects.filter(OPEN_Q)
    if case_ids is not None:
        qs = qs.filter(pk__in=case_ids)
    out: Counter[StateKey] = Counter()
    for row in qs.values_list(*LOADED).iterator(chunk_size=5000):
        key = state_key(*row)
        if key is not None:
            out[key] += 1
    return out


def state_counts_add(case_ids: list[int]) -> int:
    """Count ``case_ids`` (written in bulk, not through the actions); returns the counters touched."""
    counts = _counted(case_ids)
    for key, n in counts.items():
        _add(key, n)
    return len(counts)


def state_counts_diff() -> list[tuple[StateKey, int, int]]:
    """(key, stored, counted from the cases) wherever they differ."""
    stored = {(r.place_path, r.status, r.due_month): r.n for r in CaseStateCount.objects.all()}
    fresh = _counted()
    return [
        (key, stored.get(key, 0), fresh.get(key, 0))
        for key in sorted(set(stored) | set(fresh))
        if stored.get(key, 0) != fresh.get(key, 0)
    ]


def state_counts_rebuild() -> int:
    fresh = _counted()
    with transaction.atomic():
        CaseStateCount.objects.all().delete()
        CaseStateCount.objects.bulk_create(
            [
                CaseStateCount(place_path=k[0], status=k[1], due_month=k[2], n=n)
                for k, n in fresh.items()
                if n
            ],
            batch_size=1000,
        )
    return len(fresh)


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
        f"THEN n ELSE 0 END) FROM cases_casestatecount WHERE {path_sql} GROUP BY status "
        f"UNION ALL SELECT '', 0, COUNT(*) FROM cases_case WHERE status IN ({watched}) AND handle_due >= %s "
        f"AND handle_due < %s AND {path_sql}",
        [month, *path_params, dt_param(start), dt_param(now), *path_params],
    ):
        if n and status:
            by_status[status] = int(n)
        overdue += int(late or 0)
    return {"by_status": by_status, "open": sum(by_status.values()), "overdue": overdue}
