#!/usr/bin/env python3
"""Registry search latency at 1,000,000 persons: the real selector, per query kind and scope, against a
primary-key lookup measured in the same run.

    .venv/bin/python bench/residents_search.py [--db PATH | --db postgres://…/bench_x] [--persons 1000000]
                                               [--rounds 30] [--seconds 240] [--page 20]
                                               [--communities 4] [--grids 8] [--explain] [--json FILE]

Database: the bench database of ``bench/scale.py`` for ``--persons`` (a SQLite file under
/tmp/linli-bench/ by default, or ``--db``). It is built first when it does not exist (a few minutes
for a million persons) and reused afterwards; ``<db>.key`` next to it holds its data key.

Who searches (real users, real role assignments, created once in the bench database):
- the street supervisor: scope = the whole street (every person of the city: the worst case);
- community staff of ``--communities`` communities drawn at random: scope = one community (~9,000);
- grid workers of ``--grids`` grids drawn at random: scope = one grid (~1,100 persons).

What is timed: ``linli.residents.selectors.person_page(user, q, filters, size=PAGE)``: the first page
of ``person_search`` (scope, search text, status = living here, ordered by id, keyset) with its
``select_related("place")``, as the registry page and the API call it. The "+rows" column adds
``person_rows`` (decryption, masking, tags, addresses: what the page then renders).

Query kinds, drawn from persons inside the searcher's scope so that they find something:
name (a full name or a given name, contains), name that matches nobody (the worst case of contains),
pinyin initials (``wjh``), phone tail (4 digits), ID tail (4 characters), full ID number (through the
lookup hash), address (compound and building, contains), tag (filter; 60+, living alone, migrant worker
away, tenant; plus disabled, a sensitive tag, for the supervisor).

Baseline: ``Person.objects.filter(pk=…).first()`` on random ids. Each kind's p50 is printed as a ratio
to the baseline's p50. Kinds are interleaved (every round runs each cell once, in a shuffled order),
after one warm-up round; the run stops after ``--rounds`` rounds or ``--seconds``, and a cell whose
queries are slow gets fewer samples (each cell gets an equal share of the time).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (bench/scale.py: target, key, build)

NO_MATCH_NAMES = ("龘靐", "齉爩", "麤鱻", "灥猋")  # characters no generated name uses


@dataclass
class Cell:
    scope: str  # "street" or "grid"
    kind: str
    draw: Callable[[random.Random], tuple[Any, str, Any]]  # -> (user, q, filters)
    search_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    spent: float = 0.0


def ensure_users(street, communities, grids) -> tuple[Any, list[Any], list[Any]]:
    """The supervisor, one community staff member per community and one grid worker per grid (created
    through the accounts actions, once)."""
    from linli.accounts.actions import role_assign, user_create
    from linli.accounts.models import User

    def user(username: str, role: str, place) -> Any:
        existing = User.objects.filter(username=username).first()
        if existing is None:
            existing = user_create(username=username, password="Bench-pass-2026", actor=None, display_name=username)
            role_assign(user=existing, role=role, place=place, actor=None)
        return User.objects.get(pk=existing.pk)  # fresh: scope and perms computed from the assignments

    supervisor = user("bench_supervisor", "street_supervisor", street)
    staff = [user(f"bench_staff_{c.pk}", "community_staff", c) for c in communities]
    workers = [user(f"bench_worker_{g.pk}", "grid_worker", g) for g in grids]
    return supervisor, staff, workers


def sample_persons(path_prefix: str, count: int, rng: random.Random) -> list[Any]:
    """Random active persons under a path (by random id ranges: no ORDER BY RANDOM() on a million rows)."""
    from django.db.models import Max, Min

    from linli.residents.models import Person

    qs = Person.objects.filter(place_path__startswith=path_prefix, status="active")
    bounds = qs.aggregate(lo=Min("id"), hi=Max("id"))
    out: list[Any] = []
    tries = 0
    while len(out) < count and tries < count * 20:
        tries += 1
        p = qs.filter(pk__gte=rng.randint(bounds["lo"], bounds["hi"])).order_by("pk").first()
        if p is not None:
            out.append(p)
    if not out:
        raise SystemExit(f"no persons under {path_prefix}")
    return out


def given_name(name: str) -> str:
    from linli.core.masking import COMPOUND_SURNAMES

    return name[2:] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[1:]


def query_kinds(sensitive: bool) -> dict[str, Callable[[random.Random, list[Any]], tuple[str, Any]]]:
    """kind -> draw(rng, persons of the scope) -> (q, filters)."""
    from linli.residents.selectors import PersonFilters

    def phone_person(rng: random.Random, persons: list[Any]) -> Any:
        with_phone = [p for p in persons if p.phone]
        return rng.choice(with_phone or persons)

    tags = ["elderly_60", "living_alone", "migrant_away", "tenant"] + (["disabled"] if sensitive else [])
    return {
        "name (contains)": lambda rng, ps: (
            (lambda p: p.name if rng.random() < 0.5 else given_name(p.name))(rng.choice(ps)), None),
        "name, no match": lambda rng, ps: (rng.choice(NO_MATCH_NAMES), None),
        "pinyin initials": lambda rng, ps: (rng.choice(ps).name_initials, None),
        "phone tail": lambda rng, ps: (phone_person(rng, ps).phone[-4:], None),
        "ID tail": lambda rng, ps: (rng.choice(ps).id_number[-4:], None),
        "full ID (hash)": lambda rng, ps: (rng.choice(ps).id_number, None),
        # The compound's name: search_q drops white space from the query, so "紫荆花园 1幢" would not
        # match the stored "紫荆花园 1幢 2单元 102" (reported; see bench/README.md).
        "address (contains)": lambda rng, ps: (rng.choice(ps).current_address.split()[0], None),
        "tag (filter)": lambda rng, ps: ("", PersonFilters(tag=rng.choice(tags))),
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def explain(cells: list[Cell], rng: random.Random, page: int) -> None:
    from django.db import connection

    from linli.residents.selectors import person_search

    for cell in cells:
        user, q, filters = cell.draw(rng)
        qs = person_search(user, q, filters).select_related("place")[:page + 1]
        options = {"analyze": True} if connection.vendor == "postgresql" else {}
        print(f"\n-- {cell.scope} / {cell.kind}: q={q!r} filters={filters.as_params() if filters else {}}")
        print(qs.explain(**options))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=scale.DEFAULT_PERSONS)
    parser.add_argument("--db", help="bench database (SQLite path or postgres://…/bench_x); built if missing")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=240.0, help="time budget of the measured rounds")
    parser.add_argument("--page", type=int, default=20)
    parser.add_argument("--communities", type=int, default=4, help="community staff (one community each)")
    parser.add_argument("--grids", type=int, default=8, help="grid workers (one grid each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="print each cell's query plan first")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    target = scale.resolve_target(args.db, args.persons)
    if target.exists:
        scale.setup_django(target, scale.read_key(target))
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)  # a database built before the newest migrations (the search index)
        if time.perf_counter() - started > 5:
            print(f"migrated {target.label} in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        print(f"no bench database at {target.label}: building {args.persons:,} persons (once) …", flush=True)
        scale.build(target, persons=args.persons, seed=args.seed)
    meta = target.meta()
    from django.db import connection

    from linli.places.models import Place, PlaceKind
    from linli.residents.models import Person
    from linli.residents.selectors import person_page, person_rows

    rng = random.Random(args.seed)
    street = Place.objects.filter(kind=PlaceKind.STREET).order_by("id").first()
    if street is None:
        raise SystemExit("the bench database has no street: rebuild it with bench/scale.py --force")
    def some(kind: str, count: int) -> list[Any]:
        ids = list(Place.objects.filter(kind=kind).values_list("id", flat=True))
        return list(Place.objects.filter(pk__in=rng.sample(ids, min(count, len(ids)))).order_by("id"))

    communities, grids = some(PlaceKind.COMMUNITY, args.communities), some(PlaceKind.GRID, args.grids)
    supervisor, staff, workers = ensure_users(street, communities, grids)
    persons_total = Person.objects.count()
    print(f"{target.label}: {persons_total:,} persons; built in {meta.get('seconds', {}).get('total', '?')} s; "
          f"{connection.vendor}; page size {args.page}; {len(staff)} community staff, {len(workers)} grid workers",
          flush=True)

    street_persons = sample_persons(street.path, 200, rng)
    samples = {u.pk: sample_persons(p.path, 40, rng)
               for u, p in [*zip(staff, communities, strict=True), *zip(workers, grids, strict=True)]}
    cells: list[Cell] = []
    for kind, draw in query_kinds(sensitive=True).items():
        cells.append(Cell("street", kind, lambda r, d=draw: (supervisor, *d(r, street_persons))))
    for scope, users, sensitive in (("community", staff, True), ("grid", workers, False)):
        for kind, draw in query_kinds(sensitive=sensitive).items():
            def draw_scoped(r: random.Random, d=draw, users=users) -> tuple[Any, str, Any]:
                u = r.choice(users)
                return (u, *d(r, samples[u.pk]))
            cells.append(Cell(scope, kind, draw_scoped))

    lo, hi = Person.objects.order_by("id").values_list("id", flat=True)[0], Person.objects.order_by("-id").values_list(
        "id", flat=True)[0]
    baseline = Cell("-", "baseline: Person by pk", lambda r: (None, "", None))

    if args.explain:
        explain(cells, random.Random(args.seed), args.page)
        print()

    def run(cell: Cell, record: bool) -> None:
        started = time.perf_counter()
        if cell is baseline:
            Person.objects.filter(pk=rng.randint(lo, hi)).first()
            t_search = t_total = time.perf_counter()
            found = 1
        else:
            user, q, filters = cell.draw(rng)
            persons, _next = person_page(user, q, filters, size=args.page)
            t_search = time.perf_counter()
            person_rows(user, persons)
            t_total = time.perf_counter()
            found = len(persons)
        if record:
            cell.search_ms.append((t_search - started) * 1000)
            cell.total_ms.append((t_total - started) * 1000)
            cell.rows.append(found)
            cell.spent += t_total - started

    everything = [baseline, *cells]
    for cell in everything:  # warm-up round (caches, prepared plans), not recorded
        run(cell, record=False)
    share = args.seconds / len(everything)
    deadline = time.perf_counter() + args.seconds
    for i in range(args.rounds):
        order = everything[:]
        rng.shuffle(order)
        for cell in order:
            if cell.spent < share or cell is baseline:
                for _ in range(10 if cell is baseline else 1):
                    run(cell, record=True)
        if time.perf_counter() > deadline:
            print(f"time budget reached after {i + 1} rounds", flush=True)
            break

    base_p50 = pct(baseline.search_ms, 50)
    header = (f"{'scope':<10}{'query kind':<22}{'n':>4}{'rows':>6}{'p50 ms':>9}{'p95 ms':>9}{'× base':>9}"
              f"{'+rows p50':>11}{'+rows p95':>11}")
    print(header)
    print("-" * len(header))
    print(f"{'-':<10}{baseline.kind:<22}{len(baseline.search_ms):>4}{1:>6}{base_p50:>9.2f}"
          f"{pct(baseline.search_ms, 95):>9.2f}{1.0:>9.1f}")
    results = []
    for cell in cells:
        p50, p95 = pct(cell.search_ms, 50), pct(cell.search_ms, 95)
        t50, t95 = pct(cell.total_ms, 50), pct(cell.total_ms, 95)
        mean_rows = statistics.mean(cell.rows) if cell.rows else 0
        print(f"{cell.scope:<10}{cell.kind:<22}{len(cell.search_ms):>4}{mean_rows:>6.1f}{p50:>9.2f}{p95:>9.2f}"
              f"{p50 / base_p50:>9.1f}{t50:>11.2f}{t95:>11.2f}")
        results.append({"scope": cell.scope, "kind": cell.kind, "n": len(cell.search_ms), "mean_rows": mean_rows,
                        "p50_ms": p50, "p95_ms": p95, "ratio_p50": p50 / base_p50,
                        "with_rows_p50_ms": t50, "with_rows_p95_ms": t95})
    print(f"(rows: mean rows on the first page of {args.page}; × base: p50 / baseline p50; "
          f"+rows: the page with person_rows)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "database": target.label, "vendor": connection.vendor, "persons": persons_total, "build": meta,
            "page": args.page, "baseline_p50_ms": base_p50, "baseline_p95_ms": pct(baseline.search_ms, 95),
            "results": results,
        }, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
