#!/usr/bin/env python3
"""Case intake per second: ``case_create`` (routing, number, deadlines, the "created" event, the KPI
rollup, the audit row, the desk's notices after commit) against a bare ORM insert of one row in its own
transaction, in the same run and database.

    .venv/bin/python bench/cases_intake.py [--db postgres://…/bench_cases_intake] [--seconds 20]
"""

from __future__ import annotations

import argparse
import time

import cases_common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    target = cases_common.open_target(args.db, "cases-intake")
    cases_common.setup(target, fresh=True)
    world = cases_common.build_world()
    from django.db import transaction

    from linli.cases.actions import case_create
    from linli.cases.models import Category, KpiRollup

    category = Category.objects.get(code="MUNI.STREETLIGHT")
    grids = world["grids"]

    def intake(i: int) -> None:
        case_create(actor=None, channel="sensor", category=category, title="路灯不亮", description="小区门口路灯不亮",
                    place=grids[i % len(grids)])

    def bare(i: int) -> None:
        with transaction.atomic():
            KpiRollup.objects.create(month=900_000 + i, place_path="/bench/")  # one plain row

    results = {}
    for name, fn in (("bare", bare), ("intake", intake)) * 2:  # interleaved twice, the second pair counts
        end = time.perf_counter() + args.seconds / 4
        n = 0
        t0 = time.perf_counter()
        while time.perf_counter() < end:
            fn(n + (100_000 if name == "bare" and name in results else 0))
            n += 1
        results[name] = n / (time.perf_counter() - t0)
    print(f"{target.label}: intake {results['intake']:.0f}/s, bare insert {results['bare']:.0f}/s, "
          f"ratio {results['intake'] / results['bare']:.3f}")


if __name__ == "__main__":
    main()
