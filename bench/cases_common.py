"""Shared by bench/cases_*.py: a throwaway database with a street of communities and grids, the default
categories, staff users, and N cases (with their event logs when asked), bulk-inserted.

Target: a SQLite file under /tmp/linli-bench/ (``cases-<N>[-events].sqlite3``) or a PostgreSQL database
named ``bench_*`` (``--db postgres://…/bench_cases``); never the application's database (bench/scale.py's
``resolve_target`` refuses anything else). The build is recorded in ``<db>.json`` and reused.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402  (target, key, database reset)

COMMUNITIES = 10
GRIDS_PER_COMMUNITY = 8
BATCH = 20_000
# The closed loop's main path as (event kind, from, to) after "created".
MAIN = [("accept", "reported", "accepted"), ("dispatch", "accepted", "dispatched"), ("sign", "dispatched", "signed"),
        ("handle", "signed", "handling"), ("report", "handling", "reported_back"),
        ("verify", "reported_back", "verified"), ("rate", "verified", "rated"), ("close", "rated", "closed")]


def open_target(db: str | None, name: str) -> scale.Target:
    default = db or str(scale.BENCH_DIR / f"{name}.sqlite3")
    return scale.resolve_target(default, 0)


def setup(target: scale.Target, *, fresh: bool) -> None:
    if fresh:
        scale._fresh_database(target)
        key = scale._write_key(target)
    else:
        key = scale.read_key(target)
    scale.setup_django(target, key)
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def build_world() -> dict[str, Any]:
    """The street, its communities and grids, the categories, a department and the staff users."""
    from linli.accounts.actions import role_assign, user_create
    from linli.accounts.models import Department
    from linli.cases.defaults import categories_restore_default
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    categories_restore_default()
    street = place_create(kind=PlaceKind.STREET, name="基准街道", code="330102900000")
    communities, grids = [], []
    for c in range(COMMUNITIES):
        community = place_create(kind=PlaceKind.COMMUNITY, name=f"基准{c + 1}社区", code=f"3301029000{c + 1:02d}",
                                 parent=street)
        communities.append(community)
        for g in range(GRIDS_PER_COMMUNITY):
            grids.append(place_create(kind=PlaceKind.GRID, name=f"{c + 1}社区第{g + 1}网格",
                                      code=f"{community.code}-{g + 1:02d}", parent=community))
    department = Department.objects.create(name="基准城管中队", code="D-BENCH", place=street)

    def user(username: str, role: str, place: Any) -> Any:
        u = user_create(username=username, password="Bench-pass-2026", actor=None, display_name=username)
        role_assign(user=u, role=role, place=place, actor=None)
        return u

    user("bench_supervisor", "street_supervisor", street)
    user("bench_staff", "community_staff", communities[0])
    for i, grid in enumerate(grids):
        user(f"bench_worker_{i}", "grid_worker", grid)
    return {"street": street.pk, "communities": [c.pk for c in communities], "grids": [g.pk for g in grids],
            "department": department.pk}


def users() -> dict[str, Any]:
    from linli.accounts.models import User

    def fresh(name: str) -> Any:
        return User.objects.get(username=name)

    return {"supervisor": fresh("bench_supervisor"), "staff": fresh("bench_staff"), "worker": fresh("bench_worker_0")}


def bulk_cases(n: int, *, events: bool, seed: int = 1, months: int = 12) -> dict[str, float]:
    """``n`` cases over the grids and the last ``months`` months: 70% closed through the main path,
    8% refused, 5% merged, the rest open at some step; with ``events`` their event logs too."""
    from django.db import connection, transaction

    from linli.cases.models import Case, CaseEvent, Category
    from linli.places.models import Place

    rng = random.Random(seed)
    grids = list(Place.objects.filter(kind="grid").values_list("pk", "path", "parent_id"))
    categories = list(Category.objects.filter(parent__isnull=False, emergency_notice="").values_list("pk", flat=True))
    from linli.accounts.models import Department

    department = Department.objects.values_list("pk", flat=True).first()
    now = datetime.now(UTC)
    start = now - timedelta(days=30 * months)
    span = (now - start).total_seconds() - 86400 * 20
    t0 = time.perf_counter()
    case_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    event_id = (CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    made = 0
    n_events = 0
    while made < n:
        cases, evs = [], []
        for _ in range(min(BATCH, n - made)):
            grid_pk, grid_path, community_pk = grids[rng.randrange(len(grids))]
            at = start + timedelta(seconds=rng.random() * span)
            r = rng.random()
            if r < 0.70:
                steps, status = MAIN, "closed"
            elif r < 0.78:
                steps, status = [("refuse", "reported", "refused")], "refused"
            elif r < 0.83:
                steps, status = [("merge", "reported", "merged")], "merged"
            else:
                k = rng.randrange(0, 6)
                steps, status = MAIN[:k], (MAIN[k - 1][2] if k else "reported")
            to_dept = rng.random() < 0.3
            c = Case(
                pk=case_id, number=f"B{case_id:09d}", channel="snapshot", category_id=rng.choice(categories),
                title="路灯不亮", description="小区门口路灯不亮", tokens="路灯 不亮", place_path=grid_path, grid_id=grid_pk,
                community_id=community_pk, status=status, reported_at=at, priority=0,
                owner_kind="department" if to_dept else "grid_worker", owner_department_id=department if to_dept else None,
                handle_due=at + timedelta(days=7), sign_due=at + timedelta(hours=4),
            )
            t = at
            if events:
                evs.append(CaseEvent(pk=event_id, case_id=case_id, kind="created", at=t, to_status="reported",
                                     data={"channel": "snapshot"}))
                event_id += 1
            for kind, src, dst in steps:
                t = t + timedelta(hours=rng.random() * 30)
                data: dict[str, Any] = {}
                if kind == "dispatch":
                    data = {"owner_department": department if to_dept else None}
                    c.dispatched_at = t
                elif kind in ("sign", "report"):
                    data = {"late": rng.random() < 0.1}
                elif kind == "rate":
                    data = {"satisfaction": rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"]),
                            "solved": True}
                elif kind == "close":
                    data = {"ontime": rng.random() < 0.9, "closed_reason": "resolved"}
                    c.closed_at = t
                if events:
                    evs.append(CaseEvent(pk=event_id, case_id=case_id, kind=kind, at=t, from_status=src,
                                         to_status=dst, data=data))
                    event_id += 1
            cases.append(c)
            case_id += 1
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=2000)
            if evs:
                CaseEvent.objects.bulk_create(evs, batch_size=5000)
        made += len(cases)
        n_events += len(evs)
        if made % 100_000 < BATCH:
            print(f"  {made:,} cases, {n_events:,} events, {time.perf_counter() - t0:.0f}s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE cases_case")
            cur.execute("ANALYZE cases_caseevent")
    return {"seconds": time.perf_counter() - t0, "events": n_events}


def ensure(db: str | None, name: str, n: int, *, events: bool) -> tuple[scale.Target, dict[str, Any]]:
    """The bench database ``name`` with ``n`` cases: built once, reused afterwards."""
    target = open_target(db, name)
    meta = target.meta() if target.exists else {}
    if meta.get("cases") == n and meta.get("events_built") == events:
        setup(target, fresh=False)
        return target, meta
    print(f"building {target.label}: {n:,} cases{' with events' if events else ''} …", flush=True)
    setup(target, fresh=True)
    world = build_world()
    built = bulk_cases(n, events=events)
    meta = {"cases": n, "events_built": events, "events": built["events"], "build_seconds": round(built["seconds"], 1),
            "world": world}
    target.meta_path.write_text(json.dumps(meta))
    print(f"built in {built['seconds']:.0f}s", flush=True)
    return target, meta


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]
