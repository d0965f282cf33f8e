#!/usr/bin/env python3
"""The points ledger under concurrency: awards per second and redemptions per second with T threads
(each with its own database connection), as a ratio to bare single-row inserts (one row, one
transaction) by the same threads in the same run and database. Then the invariants: reconciliation
finds no difference, no balance is negative, no source is in the ledger twice, the shop's stock plus
its live redemptions equals what it started with, and a shared balance raced by every thread paid for
exactly as many redemptions as it covered. Exits 1 when an invariant fails.

    .venv/bin/python bench/points_ledger.py [--db postgres://…/bench_points] [--threads 4] [--seconds 10]

Target: a SQLite file under /tmp/linli-bench/ by default, or a PostgreSQL database named ``bench_*``
given by ``--db`` or, failing that, ``DATABASE_URL`` (bench/scale.py refuses any other name).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (target, key, database reset)

PERSONS = 300


def _setup(db: str | None) -> scale.Target:
    target = scale.resolve_target(db or str(scale.BENCH_DIR / "points-ledger.sqlite3"), 0)
    scale._fresh_database(target)
    key = scale._write_key(target)
    scale.setup_django(target, key)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return target


def _world(threads: int) -> dict:
    from linli.accounts.actions import role_assign, user_create
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.points.actions import item_create
    from linli.residents.actions import person_create
    from linli.residents.models import Person

    street = place_create(kind=PlaceKind.STREET, name="基准街道", code="330102900000")
    community = place_create(kind=PlaceKind.COMMUNITY, name="基准社区", code="330102900001", parent=street)
    grid = place_create(kind=PlaceKind.GRID, name="基准网格", code="330102900001-01", parent=community)
    Person.objects.bulk_create(
        [Person(name=f"基准{i}", place=grid, place_path=grid.path) for i in range(PERSONS)], batch_size=1000
    )
    pool = list(Person.objects.filter(place_path=grid.path).values_list("id", flat=True))
    users = []
    for t in range(threads + 1):  # one per thread, and one shared by every thread for the race
        phone = f"1700000{t:04d}"
        person_create(actor=None, name=f"兑换{t}", place=grid, phone=phone)
        u = user_create(username=f"bench_resident_{t}", password="Bench-pass-2026", actor=None, phone=phone)
        role_assign(user=u, role="resident", place=grid, actor=None)
        users.append(u)
    item = item_create(
        community=community, actor=None, name="基准商品", kind="goods", cost=1, stock=1_000_000
    )
    return {"pool": pool, "users": users, "item": item, "community": community}


def _run_threads(threads: int, seconds: float, fn) -> tuple[int, int, float]:
    """Run ``fn(thread_no, i)`` in a loop in each thread for ``seconds``: (done, refused, per second)."""
    from django.db import connections

    from linli.core.errors import Refused

    barrier = threading.Barrier(threads)
    done = [0] * threads
    refused = [0] * threads
    errors: list[BaseException] = []
    stop = [0.0]

    def run(t: int) -> None:
        try:
            barrier.wait()
            i = 0
            while time.perf_counter() < stop[0]:
                try:
                    fn(t, i)
                    done[t] += 1
                except Refused:
                    refused[t] += 1
                i += 1
        except BaseException as exc:  # noqa: BLE001  (reported below: the run cannot be measured)
            errors.append(exc)
        finally:
            connections.close_all()

    stop[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"a thread failed: {errors[0]!r}")
    return sum(done), sum(refused), sum(done) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db", default=None, help="postgres://…/bench_* (default: DATABASE_URL if set, else SQLite)"
    )
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10, help="per phase")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    target = _setup(args.db or os.environ.get("DATABASE_URL"))
    world = _world(args.threads)
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from linli.points.actions import points_award, redemption_create
    from linli.points.models import PointsAccount, PointsEntry, Redemption, RedemptionEvent, ShopItem
    from linli.points.selectors import balance_of, reconcile
    from linli.residents.selectors import person_for_user

    pool, users, item = world["pool"], world["users"], world["item"]
    marker = Redemption.objects.create(
        code="BENCH000", item=item, person_id=pool[0], cost=0, place_path=item.place_path
    )
    now = timezone.now()
    T = args.threads
    phase = args.seconds / 3

    def bare(t: int, i: int) -> None:
        with transaction.atomic():
            RedemptionEvent.objects.create(redemption=marker, kind="bench", at=now)

    def award(t: int, i: int) -> None:
        # Every 10th call repeats an earlier source of the same thread: it must write nothing.
        n = i - 5 if i % 10 == 9 else i
        with transaction.atomic():
            points_award(
                person_id=random.choice(pool), rule_code="service", source=f"bench:{t}:{n}", actor=None
            )

    # Fund the redeeming residents (one award each, big enough for the whole run).
    for k, u in enumerate(users[:T]):
        person = person_for_user(u)
        points_award(
            person_id=person.pk, rule_code="service", source=f"bench:fund:{k}", actor=None, amount=10**7
        )

    def redeem(t: int, i: int) -> None:
        redemption_create(item_id=item.pk, actor=users[t])

    results = {}
    for name, fn in (("bare", bare), ("award", award), ("redeem", redeem), ("bare2", bare)):
        done, refused, rate = _run_threads(T, phase if name != "bare2" else phase / 2, fn)
        results[name] = {"done": done, "refused": refused, "per_second": rate}
    baseline = (results["bare"]["per_second"] + results["bare2"]["per_second"]) / 2

    # The race: every thread redeems from one shared balance that covers exactly COVER redemptions.
    shared = users[T]
    shared_person = person_for_user(shared)
    cover = 5 * T
    points_award(
        person_id=shared_person.pk, rule_code="service", source="bench:shared", actor=None, amount=cover
    )

    def redeem_shared(t: int, i: int) -> None:
        redemption_create(item_id=item.pk, actor=shared)

    race_done, race_refused, _rate = _run_threads(T, min(2.0, phase), redeem_shared)

    failures = []
    diffs = reconcile()
    if diffs:
        failures.append(f"reconcile: {len(diffs)} difference(s), first {diffs[0]}")
    if PointsAccount.objects.filter(balance__lt=0).exists():
        failures.append("a negative balance")
    dup = PointsEntry.objects.values("source").annotate(n=Count("id")).filter(n__gt=1).count()
    if dup:
        failures.append(f"{dup} source(s) in the ledger twice")
    live = Redemption.objects.filter(item=item, status="issued").exclude(pk=marker.pk).count()
    if ShopItem.objects.get(pk=item.pk).stock + live != 1_000_000:
        failures.append("stock and redemptions disagree")
    if race_done != cover or balance_of(shared_person.pk) != 0:
        failures.append(f"shared balance: {race_done} redemptions paid from a balance covering {cover}")

    label = target.label
    for name in ("award", "redeem"):
        r = results[name]
        print(
            f"{label}: {name} {r['per_second']:.0f}/s with {T} threads "
            f"(ratio to bare inserts {r['per_second'] / baseline:.3f}; refused {r['refused']})"
        )
    print(f"{label}: bare single-row inserts {baseline:.0f}/s with {T} threads")
    print(f"{label}: race on one balance covering {cover}: {race_done} paid, {race_refused} refused")
    print("invariants: " + ("OK" if not failures else "FAILED: " + "; ".join(failures)))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "target": label,
                    "threads": T,
                    "baseline": baseline,
                    **results,
                    "race": {"cover": cover, "paid": race_done},
                    "failures": failures,
                },
                indent=2,
            )
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
