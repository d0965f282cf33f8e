#!/usr/bin/env python3
"""Registry import (linli/residents/importer.py): rows per second and peak memory, at two file sizes,
against baselines measured in the same run.

    .venv/bin/python bench/residents_import.py [--rows 20000] [--small 5000] [--json FILE]
    .venv/bin/python bench/residents_import.py --rows 100000          # the issue's 100,000 rows

For each size, in a fresh child process and a temporary directory (nothing of the checkout is
touched; SQLite, WAL, the project's settings):
1. a street, a community, one grid with 10 compounds; buildings, entrances and houses for the file's
   households written with bulk_create (a data generator, not a user action);
2. a workbook in the template's columns (XlsxWriter): households of 1–5 persons (a head, then
   spouse/children/parents naming the head's ID), valid-checksum ID numbers, phones, ethnicity and
   political status written as names, some tags;
3. baseline A, **read only**: every cell of the file through the import's own reader
   (``core.uploads.xlsx_sheet``: the checks at the door, then python-calamine);
4. the **import**: ``Importer.run()`` as ``linli import-residents`` runs it (check every row, then
   write all in one transaction: persons, households, members, occupancies, tags);
5. baseline B, **bare insert of the same rows**: every row the import wrote (all its tables, the
   audit row and the search index), read back as stored (encrypted, hashed) and inserted with
   ``executemany`` in one transaction into a copy of the database before the import (same tables,
   indexes and triggers; ``bench/demo_time.py``'s ``bare_insert``). ``RATIO import/bare-insert`` is
   bare seconds / import seconds (goal: at least 0.3).
Peak memory is the child's maximum resident set size (``ru_maxrss``) after each step; its growth
during the import (after step 4 minus before step 3) is what must not grow with the file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ("姓名", "性别", "民族", "身份证号", "联系电话", "政治面貌", "与户主关系", "户主身份证号", "户籍地址",
           "小区", "楼栋", "单元", "房号", "人房关系", "人员标签", "备注")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰德福海燕文斌晓东"
ETHNIC = ["汉族"] * 18 + ["回族", "满族"]
POLITICAL = ["群众"] * 8 + ["中共党员", "共青团员"]
TAGS = ["", "", "", "", "", "", "独居老人", "外出务工", "租户"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(tmp: Path, *, db: Path | None = None, migrate: bool = True) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LINLI_VAR_DIR"] = str(tmp)
    os.environ["LINLI_SQLITE_PATH"] = str(db or tmp / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    os.environ["LINLI_DEBUG"] = "0"  # as in production: no query log
    from linli.core.crypto import new_key_line

    os.environ["LINLI_DATA_KEY"] = new_key_line()
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


PER_BUILDING = 24  # 2 entrances × 6 floors × 2 houses


def address_list(households: int) -> list[tuple[str, str, str, str]]:
    """(compound, building, entrance, house) of the first ``households`` houses: the same names that
    ``make_places`` creates (the workbook is written before the database exists)."""
    out = []
    for b in range(households // PER_BUILDING + 1):
        for e in (1, 2):
            for f in range(1, 7):
                for h in (1, 2):
                    out.append((f"小区{b % 10}", f"{b // 10 + 1}栋", f"{e}单元", f"{f}0{h}"))
    return out[:households]


def make_places(households: int):
    """Community, grid, 10 compounds; 6-floor buildings of 2 entrances × 12 houses (bulk)."""
    from linli.places.actions import place_create
    from linli.places.models import Place, PlaceKind

    street = place_create(kind=PlaceKind.STREET, name="基准街道", code="330102900000")
    community = place_create(kind=PlaceKind.COMMUNITY, name="基准社区", code="330102900001", parent=street)
    grid = place_create(kind=PlaceKind.GRID, name="基准网格", parent=community)
    compounds = [place_create(kind=PlaceKind.COMPOUND, name=f"小区{i}", parent=grid) for i in range(10)]

    def bulk(kind, parents_names):
        rows = [Place(kind=kind, name=name, parent=parent, path="", depth=parent.depth + 1)
                for parent, name in parents_names]
        Place.objects.bulk_create(rows, batch_size=2000)
        if rows[0].pk is None:
            raise SystemExit("the database did not return ids from bulk_create")
        for row in rows:
            row.path = f"{row.parent.path}{row.pk}/"
        Place.objects.bulk_update(rows, ["path"], batch_size=2000)
        return rows

    buildings = bulk(PlaceKind.BUILDING, [(compounds[b % 10], f"{b // 10 + 1}栋")
                                          for b in range(households // PER_BUILDING + 1)])
    entrances = bulk(PlaceKind.ENTRANCE, [(b, f"{e}单元") for b in buildings for e in (1, 2)])
    bulk(PlaceKind.HOUSE, [(e, f"{f}0{h}") for e in entrances for f in range(1, 7) for h in (1, 2)])
    return community


def write_workbook(path: Path, rows: int, addresses, rng: random.Random) -> int:
    import xlsxwriter

    from linli.core.idnumber import make_id_number

    # Shared strings, as Excel and WPS save them (constant_memory would write inline strings instead).
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人员信息")
    ws.write_row(0, 0, HEADERS)
    r = 1
    household = 0
    serial = 0

    def new_id(year_from: int, year_to: int, male: bool) -> str:
        nonlocal serial
        serial += 1
        birth = datetime.date(year_from, 1, 1) + datetime.timedelta(days=rng.randrange((year_to - year_from) * 365))
        area = f"{110000 + serial // 500:06d}"  # a new area code every 500 serials: no two IDs alike
        seq = (serial * 2 + (1 if male else 0)) % 1000
        return make_id_number(area, birth, seq)

    while r <= rows:
        compound, building, entrance, house = addresses[household % len(addresses)]
        household += 1
        size = min(rng.choice([1, 2, 2, 3, 3, 3, 4, 5]), rows - r + 1)
        head_male = rng.random() < 0.6
        head = new_id(1950, 1990, head_male)
        members = [(head, "户主", head_male)]
        if size >= 2:
            members.append((new_id(1950, 1990, not head_male), "妻" if head_male else "夫", not head_male))
        for _ in range(size - len(members)):
            male = rng.random() < 0.5
            members.append((new_id(1995, 2020, male), "子" if male else "女", male))
        for number, relationship, _male in members:
            ws.write_row(r, 0, [
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)]),
                "", rng.choice(ETHNIC), number, f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                rng.choice(POLITICAL), relationship, "" if relationship == "户主" else head,
                "浙江省杭州市上城区某街道某号", compound, building, entrance, house,
                "业主" if relationship == "户主" else "居住人", rng.choice(TAGS), "",
            ])
            r += 1
    wb.close()
    return household


def read_only_baseline(path: Path) -> int:
    """Every cell of the data sheet through the import's own reader (``core.uploads.xlsx_sheet``:
    checked at the door, read by calamine)."""
    from linli.core.uploads import xlsx_sheet

    cells = 0
    for _number, row in xlsx_sheet(path, sheet="人员信息").rows(start=2):
        for value in row:
            if value is not None:
                cells += 1
    return cells


def bulk_baseline(imported: Path, prepared: Path, tmp: Path) -> tuple[int, float]:
    """The floor: every row the import wrote (persons, households, members, occupancies, tags, the audit
    row, the search index), read back as stored (already encrypted and hashed) and inserted with
    ``executemany`` in one transaction into a copy of the database as it was before the import (the same
    tables, indexes and triggers; no ORM, no checks). (rows, seconds)."""
    import shutil

    sys.path.insert(0, str(ROOT / "bench"))
    from demo_time import bare_insert

    empty = tmp / "bare.sqlite3"
    shutil.copy(prepared, empty)
    return bare_insert(imported, empty)


def generate(rows: int, path: Path) -> int:
    """Written in its own process, so the generator's memory is not counted."""
    sys.path.insert(0, str(ROOT))
    from linli.core import idnumber  # noqa: F401 - needs no settings

    return write_workbook(path, rows, address_list(rows // 2 + 10), random.Random(rows))


def prepare(rows: int, db: Path) -> None:
    """The database with its places, made in its own process (so its memory is not counted) and
    copied for each measuring process."""
    setup_django(db.parent, db=db)
    make_places(rows // 2 + 10)
    from django.db import connection

    connection.close()


def _open_copy(prepared: Path, tmp: Path):
    import shutil

    db = tmp / "bench.sqlite3"
    shutil.copy(prepared, db)
    setup_django(tmp, db=db, migrate=False)
    from linli.places.models import Place

    return Place.objects.get(kind="community", code="330102900001")


def child_traced(rows: int, path: Path, prepared: Path) -> dict:
    """The import again in a fresh process, under tracemalloc: the peak of Python allocations during
    the import (SQLite's page cache and other C memory are not counted; RSS above counts them)."""
    import tracemalloc

    with tempfile.TemporaryDirectory(prefix="linli-bench-import-") as d:
        community = _open_copy(prepared, Path(d))
        from linli.residents.importer import Importer

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        result = Importer(path=str(path), community=community, actor=None).run()
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        if not result.ok:
            raise SystemExit("import failed")
        return {"python_peak_mb": round(peak / 1e6, 1)}


def child(rows: int, path: Path, households: int, prepared: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="linli-bench-import-") as d:
        community = _open_copy(prepared, Path(d))
        from linli.residents.importer import Importer
        from linli.residents.models import Person

        Person.objects.exists()  # open the connection before the first measurement
        size_mb = path.stat().st_size / 1e6
        rss_before = rss_mb()
        t = time.perf_counter()
        read_only_baseline(path)
        read_s = time.perf_counter() - t
        rss_read = rss_mb()
        t = time.perf_counter()
        result = Importer(path=str(path), community=community, actor=None).run()
        import_s = time.perf_counter() - t
        rss_import = rss_mb()
        if not result.ok:
            raise SystemExit(f"import failed: {[p.as_list() for p in result.problems[:5]]}")
        assert Person.objects.count() == rows
        from django.db import connection

        connection.close()
        bare_rows, bulk_s = bulk_baseline(Path(d) / "bench.sqlite3", prepared, Path(d))
        return {
            "rows": rows, "households": households, "file_mb": round(size_mb, 2),
            "read_only_s": round(read_s, 2), "import_s": round(import_s, 2), "bare_bulk_create_s": round(bulk_s, 2),
            "import_rows_per_s": round(rows / import_s), "read_rows_per_s": round(rows / read_s),
            "bulk_rows_per_s": round(rows / bulk_s), "bare_rows": bare_rows,
            "import_vs_bare": round(bulk_s / import_s, 3),
            "rss_before_mb": round(rss_before, 1), "rss_after_read_mb": round(rss_read, 1),
            "rss_after_import_mb": round(rss_import, 1), "import_rss_growth_mb": round(rss_import - rss_before, 1),
            "counts": result.counts,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="rows of the large file (default 20000)")
    parser.add_argument("--small", type=int, default=0, help="rows of the small file (default rows / 4)")
    parser.add_argument("--json", help="write the result here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--households", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--traced", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        print(generate(args.generate, Path(args.file)))
        return 0
    if args.prepare:
        prepare(args.prepare, Path(args.db))
        return 0
    if args.child:
        print(json.dumps(child(args.child, Path(args.file), args.households, Path(args.db))))
        return 0
    if args.traced:
        print(json.dumps(child_traced(args.traced, Path(args.file), Path(args.db))))
        return 0
    sizes = [args.small or max(args.rows // 4, 100), args.rows]
    results = []
    with tempfile.TemporaryDirectory(prefix="linli-bench-files-") as files:
        for rows in sizes:
            path = Path(files) / f"residents-{rows}.xlsx"
            db = Path(files) / f"prepared-{rows}.sqlite3"

            def run(*extra: str) -> str | None:
                out = subprocess.run([sys.executable, __file__, *extra], capture_output=True, text=True)  # noqa: S603
                if out.returncode:
                    print(out.stderr, file=sys.stderr)
                    return None
                return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""

            households = run("--generate", str(rows), "--file", str(path))
            if households is None or run("--prepare", str(rows), "--db", str(db)) is None:
                return 1
            measured = run("--child", str(rows), "--file", str(path), "--households", households, "--db", str(db))
            traced = run("--traced", str(rows), "--file", str(path), "--db", str(db))
            if measured is None or traced is None:
                return 1
            results.append({**json.loads(measured), **json.loads(traced)})
    print(f"{'rows':>8} {'file MB':>8} {'read-only rows/s':>17} {'import rows/s':>14} {'bulk rows/s':>12} "
          f"{'import/read':>12} {'import/bulk':>12} {'RSS before':>11} {'RSS after':>10} {'growth MB':>10} {'Python peak MB':>15}")
    for r in results:
        print(f"{r['rows']:>8} {r['file_mb']:>8} {r['read_rows_per_s']:>17} {r['import_rows_per_s']:>14} "
              f"{r['bulk_rows_per_s']:>12} {r['import_rows_per_s'] / r['read_rows_per_s']:>12.3f} "
              f"{r['import_rows_per_s'] / r['bulk_rows_per_s']:>12.3f} {r['rss_before_mb']:>11} "
              f"{r['rss_after_import_mb']:>10} {r['import_rss_growth_mb']:>10} {r['python_peak_mb']:>15}")
    small, large = results
    for r in results:
        print(f"RATIO import/bare-insert {r['import_vs_bare']:.3f} at {r['rows']} rows (goal >= 0.3): import "
              f"{r['import_s']} s, bare executemany of the same {r['bare_rows']} table rows {r['bare_bulk_create_s']} s")
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"\nimport of {large['rows']} rows: {large['import_s']} s; peak RSS growth {small['import_rss_growth_mb']} MB "
          f"at {small['rows']} rows vs {large['import_rss_growth_mb']} MB at {large['rows']} rows "
          f"({large['rows'] / small['rows']:.0f}× the rows); Python allocations peak {small['python_peak_mb']} MB vs "
          f"{large['python_peak_mb']} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
