#!/usr/bin/env python3
"""Case intake per second against its floor and against the peer, in the same run and database.

    .venv/bin/python bench/cases_intake.py [--db postgres://…/bench_cases_intake] [--seconds 20]
                                           [--cases 10000] [--big 1000000] [--helpdesk auto|off]

Three things run interleaved (rounds rotated, so a change of load hits all alike):
- **intake**: ``case_create`` as the sensor door calls it (routing, number, deadlines, the "created"
  event, the KPI rollups, the audit row, the desk's notices);
- **floor**: what an intake cannot do without: a ``Case``, a ``CaseEvent`` and an ``AuditEntry``
  inserted by the ORM in one transaction (the same columns filled), nothing else;
- **bare**: one plain row inserted in its own transaction (the old baseline).

With ``--big N`` (or ``LINLI_BENCH_SCALE=1``: 1,000,000) the intake runs again on a database holding N
cases (bench/cases_common.py builds it once), and the ratio big / small is printed.

**helpdesk**: the peer harness ships in ``bench/peers/helpdesk/`` (``$LINLI_PEERS`` names another folder of
peers); its ``setup.sh`` installs django-helpdesk under ``$HD_ROOT`` (/tmp/peers/helpdesk) the first time.
Its in-process ticket create (``TicketForm`` and ``PublicTicketForm``, phase a of its bench.py) runs
between two intake rounds on the same kind of database (SQLite: its own file with the same pragmas;
PostgreSQL: ``$HD_DB_NAME``, default ``helpdesk_peer``, on the same server); Linli / helpdesk is printed. The
peer sends its e-mail to an in-memory sink; Linli writes its notices (no sending) in the intake.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import cases_common

PEER_DIR = Path(os.environ.get("LINLI_PEERS") or Path(__file__).resolve().parent / "peers") / "helpdesk"
HD_ROOT = Path(os.environ.get("HD_ROOT") or "/tmp/peers/helpdesk")


def rate(fn, seconds: float, start: int) -> float:
    end = time.perf_counter() + seconds
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() < end:
        fn(start + n)
        n += 1
    return n / (time.perf_counter() - t0)


def measure(seconds: float, rounds: int, label: str) -> dict[str, float]:
    from django.db import transaction
    from django.utils import timezone

    from linli.cases.actions import case_create
    from linli.cases.models import Case, CaseEvent, Category, KpiRollup
    from linli.cases.workflow import CaseStatus
    from linli.core.models import AuditEntry
    from linli.places.models import Place, PlaceKind

    category = Category.objects.get(code="MUNI.STREETLIGHT")
    grids = list(Place.objects.filter(kind=PlaceKind.GRID).order_by("id")[:80])
    stamp = int(time.time())

    def intake(i: int) -> None:
        case_create(actor=None, channel="sensor", category=category, title="路灯不亮", description="小区门口路灯不亮",
                    place=grids[i % len(grids)])

    def floor(i: int) -> None:
        grid = grids[i % len(grids)]
        now = timezone.now()
        with transaction.atomic():
            case = Case.objects.create(
                number=f"F{stamp % 10**6}{label[:3]}{i}", channel="sensor", category=category, title="路灯不亮",
                description="小区门口路灯不亮", grid=grid, community_id=grid.parent_id, place_path=grid.path,
                status=CaseStatus.REPORTED, reported_at=now)
            CaseEvent.objects.create(case=case, kind="created", actor_name="system", at=now, to_status=case.status,
                                     data={"channel": "sensor"})
            AuditEntry.objects.create(at=now, actor_name="system", action="cases.case_create",
                                      target_type="cases.case", target_id=str(case.pk), target_repr=case.number,
                                      detail={"channel": "sensor", "category": category.code})

    def bare(i: int) -> None:
        with transaction.atomic():
            KpiRollup.objects.create(month=900_000 + i, place_path=f"/bench/{stamp}/{label}/")  # one plain row

    for fn in (intake, floor, bare):  # warm-up: caches (every grid's routing), prepared statements
        for i in range(max(20, len(grids))):
            fn(10_000_000 + i)
    sums = {"intake": 0.0, "floor": 0.0, "bare": 0.0}
    order = [("intake", intake), ("floor", floor), ("bare", bare)]
    per = seconds / (3 * rounds)
    for r in range(rounds):
        for name, fn in order[r % 3:] + order[:r % 3]:
            sums[name] += rate(fn, per, 1_000_000 * (r + 1))
    return {k: v / rounds for k, v in sums.items()}


def peer(seconds: float, vendor: str, db_url: str) -> dict[str, float] | None:
    """The peer's in-process creates per second (a1 public form, a2 staff form), or None."""
    if not (PEER_DIR / "bench.sh").exists():
        print(f"  helpdesk: no harness at {PEER_DIR}; no Linli/helpdesk ratio")
        return None
    env = dict(os.environ, HD_ROOT=str(HD_ROOT))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    if vendor == "postgresql":
        base = db_url.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{os.environ.get('HD_DB_NAME') or 'helpdesk_peer'}"
    if vendor == "postgresql" or not (HD_ROOT / ".venv/bin/python").exists():  # installs it the first time
        setup = subprocess.run([str(PEER_DIR / "setup.sh")], env=env, capture_output=True, text=True, timeout=900)  # noqa: S603
        if setup.returncode:
            print("  helpdesk setup failed:", setup.stderr[-500:])
            return None
    n = 100_000
    out = subprocess.run(  # noqa: S603
        [str(PEER_DIR / "bench.sh"), "--only", "a", "--keep", "--n-form", str(n), "--warmup", "20",
         "--time-limit", str(seconds / 2), "--json", str(HD_ROOT / f"intake-{vendor}.json")],
        env=env, capture_output=True, text=True, timeout=seconds * 3 + 300)
    figures = {}
    for line in out.stdout.splitlines():
        m = re.match(r"FIGURE (a\d)\.\S+\s+([\d,.]+) tickets/s", line)
        if m:
            figures[m.group(1)] = float(m.group(2).replace(",", ""))
    if out.returncode or not figures:
        print("  helpdesk run failed:", (out.stderr or out.stdout)[-800:])
        return None
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None, help="SQLite path or postgres://…/bench_x (default: SQLite)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per size for each of the three")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the table for the main figures")
    parser.add_argument("--big", type=int, default=1_000_000 if os.environ.get("LINLI_BENCH_SCALE") else 0,
                        help="also measure with this many cases in the table (LINLI_BENCH_SCALE=1: 1,000,000)")
    parser.add_argument("--big-db", help="the database of --big (default: bench_cases_N on --db's server, or "
                        "cases-N.sqlite3 beside the default SQLite files)")
    parser.add_argument("--helpdesk", choices=("auto", "off"), default="auto")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.big and not args.inner:
        # The big table in its own process first (one Django setup per process, one database each).
        big_db = args.big_db or (
            args.db.rsplit("/", 1)[0] + f"/bench_cases_{args.big}" if args.db and "://" in args.db else None)
        inner = Path(cases_common.scale.BENCH_DIR) / f"intake-big-{os.getpid()}.json"
        code = subprocess.run([sys.executable, __file__, "--inner", "--cases", str(args.big), "--helpdesk", "off",  # noqa: S603
                               "--seconds", str(args.seconds), "--rounds", str(args.rounds), "--json", str(inner),
                               *(["--db", big_db] if big_db else [])]).returncode
        big = json.loads(inner.read_text())["small"] if code == 0 and inner.exists() else None
    else:
        big = None
    name = f"cases-intake-{args.cases}" if not args.inner else f"cases-{args.cases}"
    target, _meta = cases_common.ensure(args.db, name, args.cases, events=False)
    from django.db import connection

    vendor = connection.vendor
    small = measure(args.seconds, args.rounds, f"n{args.cases}")
    out = {"vendor": vendor, "cases": args.cases, "small": small}
    print(f"{target.label} ({args.cases:,} cases): intake {small['intake']:.0f}/s, floor (case+event+audit) "
          f"{small['floor']:.0f}/s, bare insert {small['bare']:.0f}/s")
    print(f"RATIO intake/floor {vendor} {args.cases} {small['intake'] / small['floor']:.2f}   (goal >= 0.7)")
    print(f"RATIO intake/bare {vendor} {args.cases} {small['intake'] / small['bare']:.3f}")
    if not args.inner:
        hd = peer(args.seconds, vendor, target.url or "") if args.helpdesk == "auto" else None
        out["helpdesk"] = hd
        if hd:
            again = measure(args.seconds / 2, max(1, args.rounds // 2), "again")  # the load may have changed
            intake = (small["intake"] * 2 + again["intake"]) / 3
            for key, label in (("a2", "staff-form"), ("a1", "public-form")):
                if key in hd:
                    print(f"RATIO intake/helpdesk-{label} {vendor} {intake / hd[key]:.2f}   "
                          f"(Linli {intake:.0f}/s, helpdesk {hd[key]:.0f}/s; goal >= 2)")
        if big:
            out["big"] = big
            print(f"({args.big:,} cases): intake {big['intake']:.0f}/s, floor {big['floor']:.0f}/s, "
                  f"bare {big['bare']:.0f}/s")
            print(f"RATIO intake-{args.big}/intake-{args.cases} {vendor} {big['intake'] / small['intake']:.2f}   "
                  f"(goal >= 0.83: within 1.2x)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
