#!/usr/bin/env python3
"""Worklist latency at N cases (default 1,000,000): the first page (and keyset pages further down) of every
worklist with its default filters, against a baseline measured in the same run: one page of the same
columns fetched by primary key (``id < x ORDER BY id DESC LIMIT 51``, no filter), the floor of any page.

    .venv/bin/python bench/cases_worklist.py [--cases 1000000] [--db postgres://…/bench_cases_1m] [--rounds 30]
        [--explain] [--no-http]

Cells: ``worklists.worklist_page`` for the pages of the UI (grid worker and supervisor "open" = the
worklist's default, dispatch desk, department inbox, supervisor "overdue"), ``selectors.case_page`` for
the "mine" and "all" views. ``--explain`` prints each cell's query plan (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN ANALYZE on PostgreSQL) instead of timing.

Then, in the same run, the pages over Django's request handler (``django.test.Client``: every middleware,
the session and the user, no socket): the HTML worklists (grid worker, desk, supervisor) and the JSON API
(``/api/v1/cases``) against a bare JSON list view the bench mounts for itself (``/bench/case-rows``:
login required, one page of the same columns by primary key, ``JsonResponse``), interleaved. Goals
(issue 17): every worklist query within 2x of its baseline, every HTML page within 3x of the bare JSON
view; each ratio is also printed as a ``RATIO`` line (``make bench``'s table).

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
    parser.add_argument("--no-http", action="store_true", help="leave out the pages over the request handler")
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

    report(f"{target.label} ({connection.vendor}): {meta['cases']:,} cases (built in {meta['build_seconds']}s); "
           "baseline (one page by primary key)", "who, list",
           *interleaved(cells, baseline, args.rounds, rng, baseline_after_each=False),
           ratio=f"worklist/bare-page {connection.vendor} {meta['cases']}", goal=lambda name: "goal <= 2")
    if not args.no_http:
        pages(who, top, args.rounds, meta["cases"])


def pages(who: dict[str, Any], top: int, rounds: int, cases: int) -> None:
    """The HTML worklists and the JSON API against a bare JSON list view, through the request handler."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client
    from django.urls import clear_url_caches, path

    from linli.cases.models import Case
    from linli.cases.selectors import LIST_FIELDS, PAGE_SIZE

    rng = random.Random(2)

    @login_required
    def case_rows(request: Any) -> JsonResponse:
        rows = list(Case.objects.filter(pk__lt=int(request.GET["before"])).order_by("-id")
                    .values(*LIST_FIELDS)[: PAGE_SIZE + 1])
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        return JsonResponse({"items": rows, "next_after": rows[-1]["id"] if more and rows else None})

    import_module(settings.ROOT_URLCONF).urlpatterns.append(path("bench/case-rows", case_rows))
    clear_url_caches()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients: dict[str, Client] = {}
    for role in ("worker", "staff", "supervisor"):
        clients[role] = Client()
        clients[role].force_login(who[role])

    def get(role: str, url: Callable[[], str]) -> Callable[[], None]:
        def run() -> None:
            response = clients[role].get(url())
            if response.status_code != 200:
                raise SystemExit(f"{url()}: {response.status_code}")
        return run

    bare = get("worker", lambda: f"/bench/case-rows?before={rng.randrange(PAGE_SIZE + 1, top)}")
    cells: dict[str, Callable[[], None]] = {
        "HTML grid worker, worklist": get("worker", lambda: "/cases/worklist"),
        "HTML community staff, desk": get("staff", lambda: "/cases/dispatch"),
        "HTML supervisor, supervise": get("supervisor", lambda: "/cases/supervise"),
        "API grid worker, open": get("worker", lambda: "/api/v1/cases?status=open"),
        "API supervisor, supervise": get("supervisor", lambda: "/api/v1/cases?view=supervise"),
    }
    times, b, b_min = interleaved(cells, bare, rounds, rng, baseline_after_each=True)
    report("pages through the request handler; baseline (bare JSON list view, one page by pk)", "page", times, b, b_min,
           ratio=f"page/bare-json {connection.vendor} {cases}",
           goal=lambda name: "goal <= 3" if name.startswith("HTML") else "API")


def interleaved(cells: dict[str, Callable[[], Any]], baseline: Callable[[], Any], rounds: int, rng: random.Random, *,
                baseline_after_each: bool) -> tuple[dict[str, list[float]], float, float]:
    """ms per run of each cell and the baseline's p50 and min: every round runs the cells in a shuffled order and the
    baseline once (or after each cell); the first round is a warm-up."""
    times: dict[str, list[float]] = {k: [] for k in cells}
    base: list[float] = []

    def timed(run: Callable[[], Any], into: list[float], keep: int) -> None:
        t0 = time.perf_counter()
        run()
        if keep:
            into.append((time.perf_counter() - t0) * 1000)

    for r in range(rounds + 1):
        order = list(cells)
        rng.shuffle(order)
        for name in order:
            timed(cells[name], times[name], r)
            if baseline_after_each:
                timed(baseline, base, r)
        if not baseline_after_each:
            timed(baseline, base, r)
    return times, statistics.median(base), min(base)


def report(title: str, column: str, times: dict[str, list[float]], b: float, b_min: float, *, ratio: str,
           goal: Callable[[str], str]) -> None:
    """The table of p50, p95 and p50/baseline, then one ``RATIO`` line per cell."""
    print(f"{title} p50 {b:.2f} ms (min {b_min:.2f} ms)")
    print(f"  {column:30s} {'p50':>9s} {'p95':>9s}  p50/baseline  min/baseline's min (on a loaded machine: the least preempted)")
    for name, values in times.items():
        p50 = statistics.median(values)
        print(f"  {name:30s} {p50:6.1f} ms {cases_common.percentile(values, 0.95):6.1f} ms  x{p50 / b:<11.1f} "
              f"x{min(values) / b_min:.1f}")
    for name, values in times.items():
        print(f"RATIO {ratio} {name}: {statistics.median(values) / b:.2f}   ({goal(name)})")


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
