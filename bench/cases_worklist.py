#!/usr/bin/env python3
"""Worklist latency at N cases (default 1,000,000): ``selectors.case_page`` (the worklists' first page and
a deep keyset page) for the street supervisor, community staff and a grid worker, against a primary-key
lookup in the same run.

    .venv/bin/python bench/cases_worklist.py [--cases 1000000] [--db postgres://…/bench_cases_1m] [--rounds 30]

The database (cases only; no event logs) is built once under /tmp/linli-bench/ and reused.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import cases_common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    target, meta = cases_common.ensure(args.db, f"cases-{args.cases}", args.cases, events=False)
    from linli.cases.models import Case
    from linli.cases.selectors import CaseFilters, case_page

    who = cases_common.users()
    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(1)
    cells = {
        "supervisor all": (who["supervisor"], CaseFilters(view="all"), None),
        "supervisor open": (who["supervisor"], CaseFilters(view="all", status=["open"]), None),
        "supervisor overdue": (who["supervisor"], CaseFilters(view="overdue"), None),
        "staff desk": (who["staff"], CaseFilters(view="desk"), None),
        "staff all, page at 50%": (who["staff"], CaseFilters(view="all"), top // 2),
        "worker all": (who["worker"], CaseFilters(view="all"), None),
        "worker open": (who["worker"], CaseFilters(view="all", status=["open"]), None),
    }
    times: dict[str, list[float]] = {k: [] for k in cells}
    base: list[float] = []
    for r in range(args.rounds + 1):
        order = list(cells)
        rng.shuffle(order)
        for name in order:
            user, filters, after = cells[name]
            t0 = time.perf_counter()
            case_page(user, filters, after=after)
            if r:
                times[name].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        Case.objects.filter(pk=rng.randrange(1, top)).first()
        if r:
            base.append((time.perf_counter() - t0) * 1000)
    b = statistics.median(base)
    print(f"{target.label}: {meta['cases']:,} cases (built in {meta['build_seconds']}s); pk lookup p50 {b:.2f} ms")
    for name, values in times.items():
        p50 = statistics.median(values)
        print(f"  {name:26s} p50 {p50:8.2f} ms  p95 {cases_common.percentile(values, 0.95):8.2f} ms  x{p50 / b:.0f}")


if __name__ == "__main__":
    main()
