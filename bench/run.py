#!/usr/bin/env python3
"""Run every benchmark in bench/ one after the other (``make bench``) and print their reports.

    .venv/bin/python bench/run.py [--quick] [--json DIR] [NAME ...]

A benchmark is a script ``bench/<name>.py`` that measures its subject against a baseline in the same
run, prints the figures, accepts ``--json FILE`` and exits non-zero when it cannot measure. Each runs
in its own process. Add its name to BENCHMARKS below (and,
under ``QUICK``, the arguments that make it finish in a few seconds for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = [
    "http_rps",
    "places_locate",
    "residents_import",
    "residents_search",
    "cases_intake",
    "cases_worklist",
    "cases_kpi",
    "points_ledger",
    "deliberation_tally",
    "iot_ingest",
    "dashboards_screen",
    "demo_time",
]
# Benchmarks that take --db postgres://…/bench_x; with LINLI_BENCH_PG=postgres://host:port they run twice.
ON_POSTGRES = {"cases_intake": "bench_cases_intake", "cases_worklist": "bench_cases", "residents_search": "bench_city"}
QUICK = {
    "http_rps": ["--rounds", "1", "--seconds", "0.5"],
    "places_locate": ["--grids", "400", "--points", "2000", "--brute-points", "200", "--rounds", "1"],
    "residents_import": ["--rows", "2000", "--small", "500"],
    "cases_intake": ["--seconds", "3", "--rounds", "1"],
    "cases_worklist": ["--cases", "5000", "--rounds", "3"],
    "cases_kpi": ["--cases", "2000", "--rounds", "3"],
    "points_ledger": ["--threads", "2", "--seconds", "1.5"],
    "deliberation_tally": ["--households", "5000", "--rounds", "3"],
    "iot_ingest": ["--messages", "2000", "--devices", "50", "--alarms", "10"],
    "dashboards_screen": ["--cases", "5000", "--rounds", "3"],
    "demo_time": ["--size", "small"],
    "residents_search": ["--persons", "20000", "--rounds", "2", "--seconds", "10", "--communities", "2", "--grids", "2"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Linli's benchmarks.")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    parser.add_argument("--quick", action="store_true", help="short runs: checks that the benchmarks work")
    parser.add_argument("--json", help="write each benchmark's result as DIR/<name>.json")
    args = parser.parse_args(argv)
    failed = []
    ratios: list[str] = []
    runs: list[tuple[str, list[str]]] = []
    pg = os.environ.get("LINLI_BENCH_PG", "")  # e.g. postgres://postgres@127.0.0.1:5432 : also on PostgreSQL
    for name in args.names or BENCHMARKS:
        runs.append((name, []))
        if pg and name in ON_POSTGRES:
            runs.append((name, ["--db", f"{pg.rstrip('/')}/{ON_POSTGRES[name]}"]))
    for name, extra in runs:
        bench_argv = (list(QUICK.get(name, [])) if args.quick else []) + extra
        if args.json and '"--json"' in (HERE / f"{name}.py").read_text():
            Path(args.json).mkdir(parents=True, exist_ok=True)
            bench_argv += ["--json", str(Path(args.json) / f"{name}.json")]
        print(f"== {name}", flush=True)
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(HERE / f"{name}.py"), *bench_argv],  # noqa: S603
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:  # shown as it comes; the RATIO lines kept for the table at the end
            print(line, end="", flush=True)
            if line.startswith("RATIO "):
                ratios.append(f"{name:<16} {line[6:].rstrip()}")
        code = proc.wait()
        print(f"   ({time.monotonic() - started:.0f} s)\n", flush=True)
        if code:
            failed.append(name)
    if ratios:
        print("== ratios (Linli / baseline, Linli / helpdesk) of this run")
        print("\n".join(ratios))
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
