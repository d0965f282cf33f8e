#!/usr/bin/env python3
"""The KPI page's data from the rollups against recomputing it from the event log, at N cases.

    .venv/bin/python bench/cases_kpi.py [--cases 200000] [--db postgres://…/bench_cases_kpi] [--rounds 20]

The database (cases and their event logs: ~6 events per case) is built once under /tmp/linli-bench/
and reused; the rollups are filled by ``kpi_fix`` (the same code as ``linli kpi-recompute --fix``), whose
time is the recompute figure. "page" = the three ``kpi_table`` calls of /cases/kpi/ (trend by month,
ranking by grid, totals) for the street supervisor (every case of the street in scope).
"""

from __future__ import annotations

import argparse
import statistics
import time

import cases_common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    target, meta = cases_common.ensure(args.db, f"cases-kpi-{args.cases}", args.cases, events=True)
    from linli.cases.kpi import kpi_diff, kpi_fix, kpi_recompute, kpi_table
    from linli.cases.models import KpiRollup

    t0 = time.perf_counter()
    fresh = kpi_recompute()
    recompute_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kpi_fix(fresh)
    fix_s = time.perf_counter() - t0
    assert kpi_diff() == []
    supervisor = cases_common.users()["supervisor"]

    def page() -> None:
        kpi_table(user=supervisor, by="month")
        kpi_table(user=supervisor, by="grid")
        kpi_table(user=supervisor, by="all")

    page()
    times = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        page()
        times.append((time.perf_counter() - t0) * 1000)
    p50 = statistics.median(times)
    print(f"{target.label}: {meta['cases']:,} cases, {fresh.events:,} counted events, "
          f"{KpiRollup.objects.count():,} rollup rows (built in {meta['build_seconds']}s)")
    print(f"  page from rollups p50 {p50:.1f} ms, p95 {cases_common.percentile(times, 0.95):.1f} ms")
    print(f"  recompute from events {recompute_s:.1f} s (+ {fix_s:.1f} s to rewrite the rollups); "
          f"ratio recompute/page {recompute_s * 1000 / p50:.0f}x")


if __name__ == "__main__":
    main()
