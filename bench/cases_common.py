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
    workers = [user(f"bench_worker_{i}", "grid_worker", grid).pk for i, grid in enumerate(grids)]
    dept = user_create(username="bench_dept", password="Bench-pass-2026", actor=None, display_name="bench_dept")
    role_assign(user=dept, role="department_staff", department=department, actor=None)
    return {"street": street.pk, "communities": [c.pk for c in communities], "grids": [g.pk for g in grids],
            "workers": workers, "department": department.pk}


def users() -> dict[str, Any]:
    from linli.accounts.models import User

    def fresh(name: str) -> Any:
        return User.objects.get(username=name)

    return {"supervisor": fresh("bench_supervisor"), "staff": fresh("bench_staff"), "worker": fresh("bench_worker_0"),
            "department": fresh("bench_dept")}


def _secondary_indexes(cur: Any, vendor: str, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the plain indexes of ``tables`` (not primary keys nor constraints)."""
    if vendor == "postgresql":
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)", [tables])
    else:
        marks = ",".join("?" * len(tables))
        cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
                    "AND sql IS NOT NULL", tables)
    return list(cur.fetchall())


def _columns(model: Any) -> tuple[list[str], list[Any]]:
    """The model's columns and the database value of each field's default (None for nullable ones)."""
    from django.db import connection

    cols, defaults = [], []
    for f in model._meta.concrete_fields:
        cols.append(f.column)
        defaults.append(None if f.null or f.primary_key else f.get_db_prep_save(f.get_default(), connection))
    return cols, defaults


def bulk_cases(n: int, *, events: bool, seed: int = 1, months: int = 12) -> dict[str, float]:
    """``n`` cases over the grids and the last ``months`` months: 70% closed through the main path,
    8% refused, 5% merged, the rest open at some step; with ``events`` their event logs too. Cases
    given to a grid worker (dispatched or later) are owned by their grid's worker; 30% go to the
    department instead.

    Rows go straight into the tables (PostgreSQL ``COPY``, SQLite ``executemany``) with the secondary
    indexes dropped during the load and created again afterwards; the KPI rollups are left empty
    (``kpi_fix`` fills them from the events, the code path of ``linli kpi-recompute --fix``)."""
    from django.db import connection

    from linli.accounts.models import Department, User
    from linli.cases.models import Case, CaseEvent, Category
    from linli.places.models import Place

    rng = random.Random(seed)
    vendor = connection.vendor
    pg = vendor == "postgresql"
    grids = list(Place.objects.filter(kind="grid").order_by("pk").values_list("pk", "path", "parent_id"))
    workers = dict(User.objects.filter(username__startswith="bench_worker_").values_list("username", "pk"))
    worker_of = [workers.get(f"bench_worker_{i}") for i in range(len(grids))]
    categories = list(Category.objects.filter(parent__isnull=False, emergency_notice="").values_list("pk", flat=True))
    department = Department.objects.values_list("pk", flat=True).first()
    now = datetime.now(UTC)
    start = now - timedelta(days=30 * months)
    span = (now - start).total_seconds() - 86400 * 20
    def ts(t: datetime) -> Any:
        return t if pg else t.replace(tzinfo=None).isoformat(" ")

    case_cols, case_defaults = _columns(Case)
    ev_cols, ev_defaults = _columns(CaseEvent)
    ci = {c: i for i, c in enumerate(case_cols)}
    ei = {c: i for i, c in enumerate(ev_cols)}
    for name, value in (("channel", "snapshot"), ("title", "路灯不亮"), ("description", "小区门口路灯不亮"),
                        ("tokens", "路灯 不亮"), ("created_at", ts(now)), ("updated_at", ts(now))):
        case_defaults[ci[name]] = value
    case_defaults = [str(v) if isinstance(v, str) else v for v in case_defaults]  # TextChoices -> str
    if not pg:
        case_defaults = [int(v) if isinstance(v, bool) else v for v in case_defaults]

    js = {}  # the few distinct event data, as JSON text

    def data_text(d: dict[str, Any]) -> str:
        key = json.dumps(d, sort_keys=True, ensure_ascii=False)
        return js.setdefault(key, key)

    t0 = time.perf_counter()
    case_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    event_id = (CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    tables = [Case._meta.db_table] + ([CaseEvent._meta.db_table] if events else [])
    with connection.cursor() as cur:
        indexes = _secondary_indexes(cur, vendor, tables)
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    if not pg:
        connection.cursor().execute("PRAGMA foreign_keys=OFF")
    made = n_events = 0
    raw = connection.connection if pg else None
    case_sql = f"INSERT INTO {Case._meta.db_table} ({','.join(case_cols)}) VALUES ({','.join('?' * len(case_cols))})"
    ev_sql = f"INSERT INTO {CaseEvent._meta.db_table} ({','.join(ev_cols)}) VALUES ({','.join('?' * len(ev_cols))})"
    while made < n:
        cases, evs = [], []
        for _ in range(min(BATCH, n - made)):
            g = rng.randrange(len(grids))
            grid_pk, grid_path, community_pk = grids[g]
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
            row = list(case_defaults)
            row[ci["id"]] = case_id
            row[ci["number"]] = f"B{case_id:09d}"
            row[ci["category_id"]] = categories[rng.randrange(len(categories))]
            row[ci["place_path"]] = grid_path
            row[ci["grid_id"]] = grid_pk
            row[ci["community_id"]] = community_pk
            row[ci["status"]] = status
            row[ci["reported_at"]] = ts(at)
            row[ci["owner_kind"]] = "department" if to_dept else "grid_worker"
            row[ci["handle_due"]] = ts(at + timedelta(days=7))
            row[ci["sign_due"]] = ts(at + timedelta(hours=4))
            if to_dept:
                row[ci["owner_department_id"]] = department
            t = at
            if events:
                evs.append((event_id, case_id, "created", ts(t), "", "reported", data_text({"channel": "snapshot"})))
                event_id += 1
            for kind, src, dst in steps:
                t = t + timedelta(hours=rng.random() * 30)
                data: dict[str, Any] = {}
                if kind == "dispatch":
                    data = {"owner_department": department if to_dept else None}
                    row[ci["dispatched_at"]] = ts(t)
                    if not to_dept:
                        row[ci["owner_user_id"]] = worker_of[g]
                elif kind in ("sign", "report"):
                    data = {"late": rng.random() < 0.1}
                elif kind == "rate":
                    data = {"satisfaction": rng.choice(["satisfied", "satisfied", "basically", "unsatisfied"]),
                            "solved": True}
                elif kind == "close":
                    data = {"ontime": rng.random() < 0.9, "closed_reason": "resolved"}
                    row[ci["closed_at"]] = ts(t)
                if events:
                    evs.append((event_id, case_id, kind, ts(t), src, dst, data_text(data)))
                    event_id += 1
            cases.append(row)
            case_id += 1
        ev_rows = []
        for e_id, c_id, kind, at_, src, dst, data_ in evs:
            erow = list(ev_defaults)
            erow[ei["id"]], erow[ei["case_id"]], erow[ei["kind"]], erow[ei["at"]] = e_id, c_id, kind, at_
            erow[ei["from_status"]], erow[ei["to_status"]], erow[ei["data"]] = src, dst, data_
            ev_rows.append(erow)
        if pg:
            with raw.cursor() as cur:
                with cur.copy(f"COPY {Case._meta.db_table} ({','.join(case_cols)}) FROM STDIN") as cp:
                    for row in cases:
                        cp.write_row(row)
                if ev_rows:
                    with cur.copy(f"COPY {CaseEvent._meta.db_table} ({','.join(ev_cols)}) FROM STDIN") as cp:
                        for row in ev_rows:
                            cp.write_row(row)
        else:
            sq = connection.connection
            sq.execute("BEGIN")
            sq.executemany(case_sql, cases)
            if ev_rows:
                sq.executemany(ev_sql, ev_rows)
            sq.execute("COMMIT")
        made += len(cases)
        n_events += len(evs)
        if made % 500_000 < BATCH:
            print(f"  {made:,} cases, {n_events:,} events, {time.perf_counter() - t0:.0f}s", flush=True)
    load_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        for _name, sql in indexes:
            cur.execute(sql)
        if pg:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{Case._meta.db_table}', 'id'), %s)", [case_id])
            if events:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{CaseEvent._meta.db_table}', 'id'), %s)",
                            [event_id])
            for table in tables:
                cur.execute(f"ANALYZE {table}")
        else:
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("ANALYZE")
    print(f"  loaded in {load_s:.0f}s, indexes and ANALYZE {time.perf_counter() - t0 - load_s:.0f}s", flush=True)
    return {"seconds": time.perf_counter() - t0, "load_seconds": load_s, "events": n_events}


def sql_cases(n: int, *, events: bool, seed: float = 0.5, months: int = 12) -> dict[str, float]:
    """``bulk_cases`` on PostgreSQL, generated by the server (``INSERT … SELECT generate_series``): the same
    mix of states and events, for 10,000,000 cases and their ~70,000,000 events in minutes. Triggers
    (the foreign-key checks) are off for the load and the secondary indexes are built afterwards.
    Event ids are ``case id × 10 + step``, so a case's events are in id order."""
    from django.db import connection

    from linli.accounts.models import Department, User
    from linli.cases.models import Case, Category
    from linli.places.models import Place

    grids = list(Place.objects.filter(kind="grid").order_by("pk").values_list("pk", "path", "parent_id"))
    workers = dict(User.objects.filter(username__startswith="bench_worker_").values_list("username", "pk"))
    categories = list(Category.objects.filter(parent__isnull=False, emergency_notice="").values_list("pk", flat=True))
    department = Department.objects.values_list("pk", flat=True).first()
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = datetime.now(UTC)
    start = now - timedelta(days=30 * months)
    span = (now - start).total_seconds() - 86400 * 20
    cols, defaults = _columns(Case)
    computed = {
        "id": "i",
        "number": "'B' || lpad(i::text, 9, '0')",
        "category_id": "(%(cats)s::bigint[])[c + 1]",
        "place_path": "(%(paths)s::text[])[g + 1]",
        "grid_id": "(%(grids)s::bigint[])[g + 1]",
        "community_id": "(%(communities)s::bigint[])[g + 1]",
        "status": "status",
        "reported_at": "at",
        "owner_kind": "CASE WHEN dept THEN 'department' ELSE 'grid_worker' END",
        "owner_department_id": "CASE WHEN dept THEN %(department)s::bigint END",
        "owner_user_id": "CASE WHEN NOT dept AND nsteps >= 2 THEN (%(workers)s::bigint[])[g + 1] END",
        "dispatched_at": "CASE WHEN nsteps >= 2 THEN at + 2 * step END",
        "closed_at": "CASE WHEN status = 'closed' THEN at + 8 * step END",
        "handle_due": "at + interval '7 days'",
        "sign_due": "at + interval '4 hours'",
        "channel": "'snapshot'",
        "title": "'路灯不亮'",
        "description": "'小区门口路灯不亮'",
        "tokens": "'路灯 不亮'",
        "created_at": "%(now)s::timestamptz",
        "updated_at": "%(now)s::timestamptz",
    }
    params: dict[str, Any] = {
        "cats": categories, "paths": [g[1] for g in grids], "grids": [g[0] for g in grids],
        "communities": [g[2] for g in grids], "department": department, "now": now,
        "workers": [workers.get(f"bench_worker_{i}") for i in range(len(grids))],
        "first": first, "last": first + n - 1, "ngrids": len(grids), "ncats": len(categories),
        "start": start, "span": span, "seed": seed,
    }
    select = []
    for col, default in zip(cols, defaults, strict=True):
        if col in computed:
            select.append(computed[col])
        else:
            params[f"d_{col}"] = str(default) if isinstance(default, str) else default
            select.append(f"%(d_{col})s")
    t0 = time.perf_counter()
    tables = [Case._meta.db_table] + (["cases_caseevent"] if events else [])
    with connection.cursor() as cur:
        indexes = _secondary_indexes(cur, "postgresql", tables)
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")
        cur.execute("SELECT setseed(%(seed)s)", params)
        cur.execute("DROP TABLE IF EXISTS bench_gen")
        cur.execute(
            """CREATE UNLOGGED TABLE bench_gen AS
               SELECT i, g, c, dept, at, step, status,
                      CASE status WHEN 'closed' THEN 8 WHEN 'refused' THEN 0 WHEN 'merged' THEN 0 ELSE k END AS nsteps
               FROM (SELECT i, floor(random() * %(ngrids)s)::int AS g, floor(random() * %(ncats)s)::int AS c,
                            random() < 0.3 AS dept,
                            %(start)s::timestamptz + random() * %(span)s * interval '1 second' AS at,
                            (0.5 + random()) * interval '15 hours' AS step, k,
                            CASE WHEN r < 0.70 THEN 'closed' WHEN r < 0.78 THEN 'refused' WHEN r < 0.83 THEN 'merged'
                                 WHEN k = 0 THEN 'reported'
                                 ELSE (ARRAY['accepted', 'dispatched', 'signed', 'handling', 'reported_back'])[k]
                            END AS status
                     FROM (SELECT i, random() AS r, floor(random() * 6)::int AS k
                           FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i) AS a) AS b""",
            params,
        )
        gen_s = time.perf_counter() - t0
        print(f"  drawn in {gen_s:.0f}s", flush=True)
        cur.execute(f"INSERT INTO {Case._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(select)} FROM bench_gen",
                    params)
        print(f"  cases in {time.perf_counter() - t0:.0f}s", flush=True)
        n_events = 0
        if events:
            steps = ", ".join(
                f"({j}, '{kind}', '{src}', '{dst}')"
                for j, (kind, src, dst) in enumerate([("created", "", "reported"), *MAIN])
            )
            data = f"""CASE s.kind
                WHEN 'created' THEN '{{"channel": "snapshot"}}'::jsonb
                WHEN 'dispatch' THEN jsonb_build_object('owner_department',
                                                        CASE WHEN dept THEN {int(department or 0)} END)
                WHEN 'sign' THEN jsonb_build_object('late', random() < 0.1)
                WHEN 'report' THEN jsonb_build_object('late', random() < 0.1)
                WHEN 'rate' THEN jsonb_build_object('satisfaction',
                    (ARRAY['satisfied', 'satisfied', 'basically', 'unsatisfied'])[1 + floor(random() * 4)::int],
                    'solved', true)
                WHEN 'close' THEN jsonb_build_object('ontime', random() < 0.9, 'closed_reason', 'resolved')
                ELSE '{{}}'::jsonb END"""
            cur.execute(
                f"""INSERT INTO cases_caseevent (id, case_id, kind, actor_name, at, from_status, to_status, note,
                                                reply, data)
                    SELECT i * 10 + s.j, i, s.kind, '', at + s.j * step, s.src, s.dst, '', '', {data}
                    FROM bench_gen JOIN (VALUES {steps}) AS s (j, kind, src, dst) ON s.j <= nsteps"""
            )
            n_events += cur.rowcount
            cur.execute(
                """INSERT INTO cases_caseevent (id, case_id, kind, actor_name, at, from_status, to_status, note,
                                               reply, data)
                   SELECT i * 10 + 1, i, CASE status WHEN 'refused' THEN 'refuse' ELSE 'merge' END, '', at + step,
                          'reported', status, '', '', '{}'::jsonb
                   FROM bench_gen WHERE status IN ('refused', 'merged')"""
            )
            n_events += cur.rowcount
            print(f"  {n_events:,} events in {time.perf_counter() - t0:.0f}s", flush=True)
        load_s = time.perf_counter() - t0
        cur.execute("DROP TABLE bench_gen")
        cur.execute("SET session_replication_role = origin")
        for _name, sql in indexes:
            cur.execute(sql)
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{Case._meta.db_table}', 'id'), %s)", [first + n])
        if events:
            cur.execute("SELECT setval(pg_get_serial_sequence('cases_caseevent', 'id'), %s)", [(first + n) * 10])
        for table in tables:
            cur.execute(f"VACUUM ANALYZE {table}")
    print(f"  loaded in {load_s:.0f}s, indexes and ANALYZE {time.perf_counter() - t0 - load_s:.0f}s", flush=True)
    return {"seconds": time.perf_counter() - t0, "load_seconds": load_s, "events": n_events}


def sqlite_cases(n: int, *, seed: int = 1, months: int = 12) -> dict[str, float]:
    """``bulk_cases`` without events on SQLite, generated by SQLite itself (``INSERT … SELECT`` over a
    recursive counter): the same mix of states, grids, categories, owners and deadlines, for 10,000,000
    cases in minutes rather than hours of Python. Secondary indexes are dropped for the load and built
    afterwards. ``seed`` is unused: SQLite's ``random()`` cannot be seeded (the mix is the same, the
    draw is not)."""
    from django.db import connection

    from linli.accounts.models import Department, User
    from linli.cases.models import Case, Category
    from linli.places.models import Place

    grids = list(Place.objects.filter(kind="grid").order_by("pk").values_list("pk", "path", "parent_id"))
    workers = dict(User.objects.filter(username__startswith="bench_worker_").values_list("username", "pk"))
    categories = list(Category.objects.filter(parent__isnull=False, emergency_notice="").values_list("pk", flat=True))
    department = Department.objects.values_list("pk", flat=True).first() or 0
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = datetime.now(UTC)
    start = now - timedelta(days=30 * months)
    span = int((now - start).total_seconds() - 86400 * 20)
    t0_epoch = int(start.timestamp())
    now_text = now.replace(tzinfo=None).isoformat(" ")

    def at(offset: str) -> str:  # naive UTC text, as Django stores datetimes on SQLite
        return f"strftime('%Y-%m-%d %H:%M:%f', {t0_epoch} + x + {offset}, 'unixepoch')"

    cols, defaults = _columns(Case)
    computed = {
        "id": "i",
        "number": "'B' || substr('000000000' || i, -9)",
        "category_id": "k.pk",
        "place_path": "gr.path",
        "grid_id": "gr.pk",
        "community_id": "gr.community",
        "status": "status",
        "reported_at": at("0"),
        "owner_kind": "CASE WHEN dept THEN 'department' ELSE 'grid_worker' END",
        "owner_department_id": f"CASE WHEN dept THEN {department} END",
        "owner_user_id": "CASE WHEN NOT dept AND nsteps >= 2 THEN gr.worker END",
        "dispatched_at": f"CASE WHEN nsteps >= 2 THEN {at('2 * step')} END",
        "closed_at": f"CASE WHEN status = 'closed' THEN {at('8 * step')} END",
        "handle_due": at("7 * 86400"),
        "sign_due": at("4 * 3600"),
        "channel": "'snapshot'",
        "title": "'路灯不亮'",
        "description": "'小区门口路灯不亮'",
        "tokens": "'路灯 不亮'",
        "created_at": f"'{now_text}'",
        "updated_at": f"'{now_text}'",
    }
    select, params = [], []
    for col, default in zip(cols, defaults, strict=True):
        if col in computed:
            select.append(computed[col])
        else:
            select.append("?")
            value = str(default) if isinstance(default, str) else default
            params.append(int(value) if isinstance(value, bool) else value)
    t0 = time.perf_counter()
    table = Case._meta.db_table
    with connection.cursor() as cur:
        indexes = _secondary_indexes(cur, "sqlite", [table])
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("DROP TABLE IF EXISTS bench_grids")
        cur.execute("CREATE TEMP TABLE bench_grids (g INTEGER PRIMARY KEY, pk, path, community, worker)")
        cur.executemany("INSERT INTO bench_grids VALUES (?, ?, ?, ?, ?)",
                        [(i, pk, path, parent, workers.get(f"bench_worker_{i}"))
                         for i, (pk, path, parent) in enumerate(grids)])
        cur.execute("DROP TABLE IF EXISTS bench_cats")
        cur.execute("CREATE TEMP TABLE bench_cats (c INTEGER PRIMARY KEY, pk)")
        cur.executemany("INSERT INTO bench_cats VALUES (?, ?)", list(enumerate(categories)))
        # The draw is written to a temporary table first: SQLite evaluates random() again wherever a CTE's
        # column is referenced, so the draw must be stored before its columns are combined.
        draw = f"""
            INSERT INTO bench_draw (i, r, kk, g, c, dept, x, step)
            WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
            SELECT i, (abs(random()) % 1000000) / 1e6, abs(random()) % 6, abs(random()) % {len(grids)},
                   abs(random()) % {len(categories)}, (abs(random()) % 1000) < 300, abs(random()) % {span},
                   CAST((0.5 + (abs(random()) % 1000) / 1000.0) * 54000 AS INTEGER) FROM seq"""
        fill = f"""
            WITH b AS (SELECT *, CASE WHEN r < 0.70 THEN 'closed' WHEN r < 0.78 THEN 'refused'
                                      WHEN r < 0.83 THEN 'merged' WHEN kk = 0 THEN 'reported'
                                      ELSE (CASE kk WHEN 1 THEN 'accepted' WHEN 2 THEN 'dispatched' WHEN 3 THEN 'signed'
                                                    WHEN 4 THEN 'handling' ELSE 'reported_back' END) END AS status
                       FROM bench_draw),
            d AS (SELECT *, CASE status WHEN 'closed' THEN 8 WHEN 'refused' THEN 0 WHEN 'merged' THEN 0
                                 ELSE kk END AS nsteps FROM b)
            INSERT INTO {table} ({", ".join(cols)})
            SELECT {", ".join(select)} FROM d JOIN bench_grids gr ON gr.g = d.g JOIN bench_cats k ON k.c = d.c
            ORDER BY i"""
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS bench_draw (i INTEGER PRIMARY KEY, r, kk, g, c, dept, x, step)")
        made, chunk = 0, 1_000_000
        while made < n:
            size = min(chunk, n - made)
            cur.execute("BEGIN")
            cur.execute("DELETE FROM bench_draw")
            cur.execute(draw, [first + made, first + made + size - 1])
            cur.execute(fill, params)
            cur.execute("COMMIT")
            made += size
            print(f"  {made:,} cases, {time.perf_counter() - t0:.0f}s", flush=True)
        load_s = time.perf_counter() - t0
        for _name, sql in indexes:
            cur.execute(sql)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("ANALYZE")
    print(f"  loaded in {load_s:.0f}s, indexes and ANALYZE {time.perf_counter() - t0 - load_s:.0f}s", flush=True)
    return {"seconds": time.perf_counter() - t0, "load_seconds": load_s, "events": 0}


def ensure(db: str | None, name: str, n: int, *, events: bool) -> tuple[scale.Target, dict[str, Any]]:
    """The bench database ``name`` with ``n`` cases: built once, reused afterwards."""
    target = open_target(db, name)
    meta = target.meta() if target.exists else {}
    if meta.get("cases") == n and meta.get("events_built") == events:
        setup(target, fresh=False)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # new index migrations apply to a reused database
        return target, meta
    print(f"building {target.label}: {n:,} cases{' with events' if events else ''} …", flush=True)
    setup(target, fresh=True)
    world = build_world()
    from django.db import connection

    if connection.vendor == "postgresql":
        built = sql_cases(n, events=events)
    elif not events and n >= 1_000_000:
        built = sqlite_cases(n)
    else:
        built = bulk_cases(n, events=events)
    meta = {"cases": n, "events_built": events, "events": built["events"], "build_seconds": round(built["seconds"], 1),
            "world": world}
    target.meta_path.write_text(json.dumps(meta))
    print(f"built in {built['seconds']:.0f}s", flush=True)
    return target, meta


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]
