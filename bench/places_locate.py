#!/usr/bin/env python3
"""Point-to-grid lookups per second with 10,000 grids: the STRtree index of linli/places/geo.py
against two baselines measured in the same run.

    .venv/bin/python bench/places_locate.py [--grids 10000] [--points 20000] [--rounds 3] [--seed 1]

What it does, in a temporary directory (nothing of the checkout is touched):
1. a fresh SQLite database (migrate); one street, one community and GRIDS grids whose boundaries tile
   a square region around Hangzhou: a 100 × 100 lattice (for 10,000 grids) of cells about 400 m
   across, with the lattice corners jittered so that each grid is an irregular quadrilateral that
   shares its edges with its neighbours (like real grids), written with bulk_create (this is a data
   generator, not a user action);
2. builds the index the way a process does on its first lookup (timed), then looks up POINTS random
   points (90% inside the region, 10% outside) through ``geo.grid_at`` (the real entry point, with its
   per-call version check);
   and once more as one batch through ``geo.grids_at`` (one vectorised query);
3. baselines, on the same points:
   - brute force: for each point, shapely's vectorised ``covers`` over the array of all prepared
     polygons, then the same tie-break (smallest area, then lowest id): what you would write
     without a spatial index;
   - dict lookup: a plain Python dict keyed by the lattice cell of the point (``(i, j) -> id``): the
     floor of what any lookup can cost in Python (it is only right for an undistorted lattice, so it
     is a speed reference, not an alternative);
4. checks that the index and the brute force give the same grid for every point;
5. ROUNDS interleaved rounds; prints lookups per second (median of the rounds) and the ratios.

Absolute figures depend on the machine; the ratios are what to compare between runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LON0, LAT0 = 120.00, 30.10
CELL = 0.004  # degrees, ≈ 385 m × 445 m at 30° N


def setup_django(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LINLI_VAR_DIR"] = str(tmp)
    os.environ["LINLI_SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def lattice(n: int, rng: random.Random) -> list[list[tuple[float, float]]]:
    """(n+1) × (n+1) corners, jittered inside the lattice so that the quadrilaterals stay convex-ish
    and valid; the border stays straight."""
    corners = []
    for i in range(n + 1):
        row = []
        for j in range(n + 1):
            dx = 0 if i in (0, n) else rng.uniform(-0.25, 0.25) * CELL
            dy = 0 if j in (0, n) else rng.uniform(-0.25, 0.25) * CELL
            row.append((round(LON0 + i * CELL + dx, 7), round(LAT0 + j * CELL + dy, 7)))
        corners.append(row)
    return corners


def make_grids(count: int, rng: random.Random) -> int:
    """Writes the street, community and ``count`` grids; returns the side of the lattice."""
    from linli.places.models import Place, PlaceKind

    side = int(round(count**0.5))
    if side * side != count:
        raise SystemExit("--grids must be a square number (e.g. 10000)")
    street = Place.objects.create(kind=PlaceKind.STREET, name="基准街道", path="")
    street.path = f"/{street.pk}/"
    street.save(update_fields=["path"])
    community = Place.objects.create(kind=PlaceKind.COMMUNITY, name="基准社区", parent=street, depth=1)
    community.path = f"{street.path}{community.pk}/"
    community.save(update_fields=["path"])
    corners = lattice(side, rng)
    grids = []
    for i in range(side):
        for j in range(side):
            ring = [corners[i][j], corners[i + 1][j], corners[i + 1][j + 1], corners[i][j + 1], corners[i][j]]
            grids.append(
                Place(
                    kind=PlaceKind.GRID, name=f"网格{i:03d}-{j:03d}", code=f"B{i:03d}{j:03d}", parent=community,
                    depth=2, geometry={"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
                )
            )
    created = Place.objects.bulk_create(grids, batch_size=1000)
    for g in created:
        g.path = f"{community.path}{g.pk}/"
    Place.objects.bulk_update(created, ["path"], batch_size=1000)
    return side


def random_points(n: int, side: int, rng: random.Random) -> list[tuple[float, float]]:
    span = side * CELL
    points = []
    for _ in range(n):
        if rng.random() < 0.9:
            points.append((LON0 + rng.random() * span, LAT0 + rng.random() * span))
        else:  # outside the region (east of it)
            points.append((LON0 + span + 0.01 + rng.random() * 0.1, LAT0 + rng.random() * span))
    return points


def rate(fn, points) -> tuple[float, list]:
    started = time.perf_counter()
    answers = [fn(lon, lat) for lon, lat in points]
    return len(points) / (time.perf_counter() - started), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--brute-points", type=int, default=1_000, help="points for the (slow) brute force")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="linli-bench-") as tmp:
        setup_django(Path(tmp))
        import numpy as np
        import shapely

        from linli.places import geo
        from linli.places.models import Place, PlaceKind

        rng = random.Random(args.seed)
        started = time.perf_counter()
        side = make_grids(args.grids, rng)
        print(f"generated {args.grids} grids in {time.perf_counter() - started:.1f} s")

        geo.reset_index()
        started = time.perf_counter()
        geo.grid_at(LON0 + 0.001, LAT0 + 0.001)
        build_ms = (time.perf_counter() - started) * 1000
        print(f"index build (first lookup in a process): {build_ms:.0f} ms")

        # brute force over every polygon, same tie-break as the index
        rows = list(Place.objects.filter(kind=PlaceKind.GRID).values_list("id", "geometry"))
        polys = np.array([shapely.geometry.shape(g) for _, g in rows], dtype=object)
        shapely.prepare(polys)
        ids = np.array([pk for pk, _ in rows])
        areas = shapely.area(polys)

        def brute(lon: float, lat: float):
            hits = np.nonzero(shapely.covers(polys, shapely.Point(lon, lat)))[0]
            if len(hits) == 0:
                return None
            best = min(hits, key=lambda h: (areas[h], ids[h]))
            return int(ids[best])

        cell_ids = {(i, j): int(pk) for (i, j), pk in zip(((i, j) for i in range(side) for j in range(side)), ids, strict=True)}

        def by_dict(lon: float, lat: float):
            return cell_ids.get((int((lon - LON0) / CELL), int((lat - LAT0) / CELL)))

        points = random_points(args.points, side, rng)
        brute_points = points[: args.brute_points]
        index_rates, batch_rates, brute_rates, dict_rates = [], [], [], []
        for _ in range(args.rounds):
            r, index_answers = rate(geo.grid_at, points)
            index_rates.append(r)
            started = time.perf_counter()
            batch_answers = geo.grids_at(points)
            batch_rates.append(len(points) / (time.perf_counter() - started))
            if batch_answers != index_answers:
                raise SystemExit("FAIL: grids_at and grid_at disagree")
            r, brute_answers = rate(brute, brute_points)
            brute_rates.append(r)
            r, _ = rate(by_dict, points)
            dict_rates.append(r)
        mismatches = sum(1 for a, b in zip(index_answers[: len(brute_answers)], brute_answers, strict=True) if a != b)
        if mismatches:
            raise SystemExit(f"FAIL: the index and the brute force disagree on {mismatches} points")
        inside = sum(1 for a in index_answers if a is not None)

        index_rate, batch_rate, brute_rate, dict_rate = (
            statistics.median(x) for x in (index_rates, batch_rates, brute_rates, dict_rates)
        )
        print(f"points: {len(points)} ({inside} inside a grid); brute force on the first {len(brute_points)}")
        print(f"{'method':<44}{'lookups/s':>14}{'µs/lookup':>12}")
        for label, value in (
            ("STRtree index (geo.grid_at)", index_rate),
            ("STRtree index, batch (geo.grids_at)", batch_rate),
            ("baseline: brute force, shapely.covers on all", brute_rate),
            ("baseline: dict lookup by lattice cell", dict_rate),
        ):
            print(f"{label:<44}{value:>14,.0f}{1e6 / value:>12.1f}")
        print(f"ratio index / brute force: {index_rate / brute_rate:.1f}×")
        print(f"ratio index / dict lookup: {index_rate / dict_rate:.3f} (dict is the floor)")
        print("answers: index == brute force on every compared point")


if __name__ == "__main__":
    main()
