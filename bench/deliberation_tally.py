#!/usr/bin/env python3
"""Tallying a vote: the count that closing a vote makes (``vote_tally``: one GROUP BY over the vote's
ballots by choice, summing heads and floor area, then the quorum and majority tests in integers), as a
ratio to a bare ``COUNT(*)`` of the same ballots in the same run and database.

    .venv/bin/python bench/deliberation_tally.py [--households 100000] [--rounds 7] [--db postgres://…/bench_tally]

The vote is an owners' vote (by area and head count, Civil Code Art. 278) with ``--households`` roll
entries, each with a ballot (70% agree, 20% disagree, 10% abstain), next to a second vote of the same size
so the tally reads one vote's rows, not the whole table. Target: a SQLite file under /tmp/linli-bench/ by
default, or a PostgreSQL database named ``bench_*``. The goal: under one second on SQLite for 100,000.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (target, key, database reset)


def _setup(db: str | None):
    target = scale.resolve_target(db or str(scale.BENCH_DIR / "deliberation-tally.sqlite3"), 0)
    scale._fresh_database(target)
    key = scale._write_key(target)
    scale.setup_django(target, key)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return target


def _vote(community, n: int, seed: int):
    from django.db import transaction
    from django.utils import timezone

    from linli.deliberation.models import Ballot, RollEntry, Vote

    rng = random.Random(seed)
    now = timezone.now()
    vote = Vote.objects.create(
        title=f"基准表决{seed}", community=community, community_path=community.path, place=community,
        place_path=community.path, electorate="owners", rule="owners_ordinary", quorum_num=2, quorum_den=3,
        quorum_strict=False, majority_num=1, majority_den=2, majority_strict=True, by_area=True,
        options=[["agree", "同意"], ["disagree", "不同意"], ["abstain", "弃权"]], status="open",
        closes_at=now + timedelta(days=1), roll_heads=n,
    )
    areas = [rng.randint(4000, 16000) for _ in range(n)]  # 40 to 160 m², in 0.01 m²
    with transaction.atomic():
        RollEntry.objects.bulk_create(
            [RollEntry(vote=vote, key=f"o{i}", label=f"{i // 100}幢{i % 100}室", heads=1, area_cm2=a) for i, a in enumerate(areas)],
            batch_size=5000,
        )
        entries = list(RollEntry.objects.filter(vote=vote).order_by("id").values_list("id", "area_cm2"))
        choices = rng.choices(["agree", "disagree", "abstain"], weights=[7, 2, 1], k=n)
        Ballot.objects.bulk_create(
            [
                Ballot(vote=vote, entry_id=eid, choice=c, heads=1, area_cm2=a, channel="online", cast_at=now, changed_at=now)
                for (eid, a), c in zip(entries, choices, strict=True)
            ],
            batch_size=5000,
        )
    Vote.objects.filter(pk=vote.pk).update(roll_area_cm2=sum(areas))
    vote.refresh_from_db()
    return vote, choices, areas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--db", default=None, help="a SQLite path or a postgres:// URL of a bench_* database")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)

    target = _setup(args.db)
    from django.db import connection

    from linli.deliberation.actions import vote_tally
    from linli.deliberation.models import Ballot
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    street = place_create(kind=PlaceKind.STREET, name="基准街道", code="330102900000")
    community = place_create(kind=PlaceKind.COMMUNITY, name="基准社区", code="330102900001", parent=street)
    t0 = time.perf_counter()
    vote, choices, areas = _vote(community, args.households, 1)
    _vote(community, args.households, 2)  # the neighbour: the tally must read one vote's rows
    build = time.perf_counter() - t0
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    def bare() -> int:
        return Ballot.objects.filter(vote_id=vote.pk).count()

    def tally() -> dict:
        return vote_tally(vote)

    times: dict[str, list[float]] = {"count": [], "tally": []}
    bare(), tally()  # warm the cache
    for r in range(args.rounds):
        order = [("count", bare), ("tally", tally)] if r % 2 == 0 else [("tally", tally), ("count", bare)]
        for name, fn in order:
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    result = tally()
    agree_heads = choices.count("agree")
    agree_area = sum(a for a, c in zip(areas, choices, strict=True) if c == "agree")
    ok = (
        bare() == args.households
        and result["part_heads"] == args.households
        and result["part_area_cm2"] == sum(areas)
        and next(o for o in result["options"] if o["key"] == "agree")["heads"] == agree_heads
        and next(o for o in result["options"] if o["key"] == "agree")["area_cm2"] == agree_area
        and result["passed"] is True
    )
    med = {k: statistics.median(v) for k, v in times.items()}
    figures = {
        "database": target.label,
        "households": args.households,
        "build_s": round(build, 1),
        "count_ms_median": round(med["count"] * 1000, 2),
        "tally_ms_median": round(med["tally"] * 1000, 2),
        "tally_ms_max": round(max(times["tally"]) * 1000, 2),
        "ratio_tally_to_count": round(med["tally"] / med["count"], 2) if med["count"] else None,
        "correct": ok,
    }
    print(f"deliberation tally on {target.label}: {args.households:,} households (ballots), {args.rounds} rounds")
    print(f"  bare COUNT(*)        {figures['count_ms_median']:>9} ms (median)")
    print(f"  tally (GROUP BY + rules) {figures['tally_ms_median']:>5} ms (median), {figures['tally_ms_max']} ms max")
    print(f"  ratio tally / count  {figures['ratio_tally_to_count']:>9}")
    print(f"  result checked against the drawn ballots: {'ok' if ok else 'WRONG'}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
