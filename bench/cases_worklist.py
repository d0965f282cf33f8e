#!/usr/bin/env python3
"""Worklist latency at N cases (default 1,000,000): the first page (and keyset pages further down) of every
worklist with its default filters, against a baseline measured in the same run: one page of the same
columns fetched by primary key (``id < x ORDER BY id DESC LIMIT 51``, no filter), the floor of any page.

    .venv/bin/python bench/cases_worklist.py [--cases 1000000] [--db postgres://…/bench_cases_1m] [--rounds 30]
        [--explain]

Cells: ``worklists.worklist_page`` for the pages of the UI (grid worker and supervisor "open" = the
worklist's default, dispatch desk, department inbox, supervisor "overdue"), ``selectors.case_page`` for
the "mine" and "all" views. ``--explain`` prints each cell's query plan (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN ANALYZE on PostgreSQL) instead of timing.

The database (cases only; no event logs) is built once under /tmp/linli-bench/ and reused.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import cases_common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    target, meta = cases_common.ensure(args.db, f"cases-{args.cases}", args.cases, events=False)
    from django.db import connection

    from linli.cases.models import Case
    from linli.cases.selectors import LIST_FIELDS, PAGE_SIZE, CaseFilters, case_page
    from linli.cases.worklists import worklist_page

    who = cases_common.users()
    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    half = top // 2
    rng = random.Random(1)
    sup, staff, worker, dept = who["supervisor"], who["staff"], who["worker"], who["department"]

    def page(user: Any, view: str, after: int | None = None) -> Callable[[], Any]:
        return lambda: case_page(user, CaseFilters(view=view), after=after)

    def wl(user: Any, name: str, after: int | None = None) -> Callable[[], Any]:
        return lambda: worklist_page(user, name, after=after)

    cells: dict[str, Callable[[], Any]] = {
        "grid worker, mine": page(worker, "mine"),
        "grid worker, open (worklist)": wl(worker, "worklist"),
        "grid worker, all": page(worker, "all"),
        "community staff, desk": wl(staff, "dispatch"),
        "community staff, all @50%": page(staff, "all", half),
        "department, inbox": wl(dept, "department"),
        "supervisor, open (worklist)": wl(sup, "worklist"),
        "supervisor, open @50%": wl(sup, "worklist", half),
        "supervisor, overdue": wl(sup, "supervise"),
        "supervisor, overdue @50%": wl(sup, "supervise", half),
        "supervisor, all": page(sup, "all"),
    }
    if args.explain:
        explain(cells)
        return

    def baseline() -> None:
        list(Case.objects.filter(pk__lt=rng.randrange(PAGE_SIZE + 1, top)).order_by("-id")
             .values(*LIST_FIELDS)[: PAGE_SIZE + 1])

    times: dict[str, list[float]] = {k: [] for k in cells}
    base: list[float] = []
    for r in range(args.rounds + 1):
        order = list(cells)
        rng.shuffle(order)
        for name in order:
            t0 = time.perf_counter()
            cells[name]()
            if r:
                times[name].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        baseline()
        if r:
            base.append((time.perf_counter() - t0) * 1000)
    b = statistics.median(base)
    print(f"{target.label} ({connection.vendor}): {meta['cases']:,} cases (built in {meta['build_seconds']}s); "
          f"baseline (one page by primary key) p50 {b:.2f} ms")
    print(f"  {'who, list':30s} {'p50':>9s} {'p95':>9s}  p50/baseline")
    for name, values in times.items():
        p50 = statistics.median(values)
        print(f"  {name:30s} {p50:6.1f} ms {cases_common.percentile(values, 0.95):6.1f} ms  x{p50 / b:.1f}")


def explain(cells: dict[str, Callable[[], Any]]) -> None:
    """Each cell's id query (the one with LIMIT), as sent (bound parameters), and its plan."""
    from django.db import connection

    for name, run in cells.items():
        sent: list[tuple[str, Any]] = []

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any, sent: list = sent) -> Any:
            sent.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            run()
        sql, params = next(((q, p) for q, p in sent if "LIMIT" in q and "cases_case" in q), ("", ()))
        print(f"== {name} ({len(sent)} queries)\n{sql} {params}")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, params)
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            for row in cur.fetchall():
                print("   ", " | ".join(str(c) for c in row))


if __name__ == "__main__":
    main()
