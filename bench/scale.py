#!/usr/bin/env python3
"""The scale generator: "a city" of N persons (default 1,000,000) in a throwaway database, with the real
models and the real field encryption.

    .venv/bin/python bench/scale.py [--persons 1000000] [--db PATH | --db postgres://…/bench_x]
                                    [--seed 1] [--workers 2] [--force]

Target: a SQLite file (default ``/tmp/linli-bench/city-<N>.sqlite3``), or PostgreSQL when ``--db`` is a
``postgres://`` URL (a DATABASE_URL) whose database name starts with ``bench_`` (the database is dropped
and created). Never the application's database: a SQLite path inside the checkout and any other
PostgreSQL database name are refused, and ``DATABASE_URL`` from the environment is ignored.

The data key: a fresh random key ring is made for each build, put in ``LINLI_DATA_KEY`` for this process
and written next to the database (``<db>.key``, mode 0600) so that ``bench/residents_search.py`` can
reuse the file and still decrypt and hash. ``<db>.json`` records what was built and how long it took.

What is built (sized to the population):
- one street (its supervisor sees the whole city: the worst case for scope), communities of 5–10
  grids, grids of 300–500 households, 1–3 compounds per grid (kind: commercial, old, relocation,
  rented, work-unit), buildings of 6, 11 or 18 floors with 2 entrances of 2 houses per floor, ~6% of
  houses vacant;
- households of 1–6 persons (mean ≈ 2.8): head, spouse, children, parents, with GB/T 4761
  relationships; ~18% aged 60+; a few moved out or deceased (their membership and occupancy ended);
- persons with fictional names (common surnames), pinyin keys from ``linli.residents.text.name_keys``
  (checked on a sample), valid-checksum fictional ID numbers (``linli.core.idnumber.make_id_number``,
  unique by construction), fictional mobile phones (none for children under 12), both encrypted with
  the model fields' ``get_prep_value`` (AES-256-GCM) and hashed with ``crypto.lookup_hash`` exactly as
  ``LookupHashField.pre_save`` does, the house address as current address;
- occupancies (owner, tenant, resident), household memberships, and tags (living alone, migrant
  worker away, tenant, relocated, disabled, low income, special difficulty, child in difficulty),
  some of them ended.

How it is fast: the tree and the household plan are drawn in this process with explicit primary keys;
the persons of each grid are drawn (and encrypted) by ``--workers`` processes; this process writes the
rows in batches inside transactions (``executemany`` on SQLite with ``synchronous=OFF`` for the
generator's connection only, ``COPY`` on PostgreSQL), with the secondary indexes of the bulk tables
dropped during the load and recreated afterwards from their own definitions (the schema is exactly
the migrated one). ``ANALYZE`` runs on PostgreSQL (autovacuum would do it anyway); on SQLite only with
``--analyze`` (the application never runs it, so the default mirrors a real installation).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path("/tmp/linli-bench")
DEFAULT_PERSONS = 1_000_000
HOUSEHOLD_SIZES = ((1, 18), (2, 30), (3, 25), (4, 15), (5, 8), (6, 4))  # mean ≈ 2.77
VACANCY = 0.06
BATCH_PERSONS = 50_000  # rows of persons per transaction (and the rows that come with them)

# --- the target database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str | None  # PostgreSQL URL, or None for SQLite
    sqlite_path: Path | None
    key_path: Path
    meta_path: Path

    @property
    def label(self) -> str:
        return f"PostgreSQL {self.db_name}" if self.url else f"SQLite {self.sqlite_path}"

    @property
    def db_name(self) -> str:
        return urlparse(self.url).path.lstrip("/") if self.url else ""

    @property
    def exists(self) -> bool:
        return self.meta_path.is_file() and self.key_path.is_file() and (
            self.url is not None or (self.sqlite_path is not None and self.sqlite_path.is_file())
        )

    def meta(self) -> dict[str, Any]:
        return json.loads(self.meta_path.read_text()) if self.meta_path.is_file() else {}


def is_bench_name(name: str) -> bool:
    """A PostgreSQL database the benches may drop and create: ``bench_*`` or ``*_bench`` (e.g. one per helper)."""
    return name.startswith("bench_") or name.endswith("_bench")


def resolve_target(db: str | None, persons: int) -> Target:
    """``db``: a SQLite path, a postgres:// URL (a database named bench_*), or None (the default file).
    ``DATABASE_URL`` from the environment is deliberately not used: it names the application's database."""
    if db and db.split(":", 1)[0] in ("postgres", "postgresql", "pgsql"):
        name = urlparse(db).path.lstrip("/")
        if not is_bench_name(name):
            raise SystemExit(f"refusing PostgreSQL database {name!r}: a bench database's name starts with bench_ "
                             "(or ends with _bench)")
        return Target(url=db, sqlite_path=None, key_path=BENCH_DIR / f"{name}.key", meta_path=BENCH_DIR / f"{name}.json")
    path = Path(db) if db else BENCH_DIR / f"city-{persons}.sqlite3"
    path = path.expanduser().resolve()
    if path == ROOT or ROOT in path.parents:
        raise SystemExit(f"refusing {path}: the bench database lives outside the checkout (e.g. under {BENCH_DIR})")
    return Target(url=None, sqlite_path=path, key_path=path.with_name(path.name + ".key"),
                  meta_path=path.with_name(path.name + ".json"))


def setup_django(target: Target, key_text: str) -> None:
    """Point the settings at the target and the given key ring, then django.setup()."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "var").mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LINLI_VAR_DIR"] = str(BENCH_DIR / "var")  # huey, media: never the checkout's var/
    os.environ["LINLI_DATA_KEY"] = key_text
    os.environ["LINLI_DEBUG"] = "0"  # no query log
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")
    if target.url:
        os.environ["DATABASE_URL"] = target.url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["LINLI_SQLITE_PATH"] = str(target.sqlite_path)
    import django

    django.setup()


def read_key(target: Target) -> str:
    return target.key_path.read_text().strip()


def _write_key(target: Target) -> str:
    """A fresh key ring for this build, written 0600 next to the database."""
    import base64
    import hashlib
    import secrets

    secret = secrets.token_bytes(32)
    # the same form as linli.core.crypto.new_key_line (not imported: Django is not set up yet)
    line = f"{hashlib.sha256(b'linli-key-id' + secret).hexdigest()[:8]}:{base64.b64encode(secret).decode()}"
    target.key_path.parent.mkdir(parents=True, exist_ok=True)
    target.key_path.unlink(missing_ok=True)
    fd = os.open(target.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(line + "\n")
    return line


def _fresh_database(target: Target) -> None:
    """Remove the old SQLite file, or drop and create the PostgreSQL bench_ database."""
    target.meta_path.unlink(missing_ok=True)
    if target.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(target.sqlite_path) + suffix).unlink(missing_ok=True)
        target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    assert target.url is not None
    name = target.db_name
    assert is_bench_name(name) and name.replace("_", "").isalnum()
    admin_url = urlunparse(urlparse(target.url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- fictional data ------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = _words(
    "王7 李7 张6.7 刘5.4 陈4.5 杨3.1 黄2.1 赵2 吴2 周1.9 徐1.3 孙1.3 马1.2 朱1.2 胡1.1 郭1.1 何1 林0.9 高0.9 "
    "罗0.9 郑0.8 梁0.8 谢0.7 宋0.6 唐0.6 许0.6 韩0.6 冯0.5 邓0.5 曹0.5 彭0.5 曾0.5 肖0.4 田0.4 董0.4 潘0.4 "
    "袁0.4 蔡0.3 蒋0.3 余0.3 于0.3 杜0.3 叶0.3 程0.3 魏0.3 苏0.3 吕0.3 丁0.3 任0.3 沈0.3 姚0.2 卢0.2 姜0.2 "
    "崔0.2 钟0.2 谭0.2 陆0.2 汪0.2 范0.2 金0.2 石0.2 廖0.2 贾0.2 夏0.2 韦0.2 付0.2 方0.2 白0.2 邹0.2 孟0.2 "
    "熊0.2 秦0.2 邱0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 侯0.2 龙0.2 史0.2 陶0.2 黎0.2 贺0.2 顾0.2 毛0.2 "
    "郝0.2 龚0.2 邵0.2 万0.2 钱0.2 严0.2 覃0.1 武0.1 戴0.1 莫0.1 孔0.1 向0.1 汤0.1 单0.05 解0.05 查0.05 "
    "欧阳0.05 司马0.02 诸葛0.02 上官0.02 尉迟0.01"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国峰亮成东文志海晨博然轩豪瑞泽立新春永德"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂英秀兰萍红梅琳洁婷雪慧莉倩颖琴云丹蓉佳欣怡雨涵思诗梦悦晓月玉珍凤彤菲妍"
COMPOUND_WORDS = _words(
    "桂花 翠苑 文一 古荡 嘉绿 丹枫 紫荆 碧水 金沙 银湖 梧桐 香樟 枫林 竹园 荷塘 柳岸 清波 望江 观澜 明珠 "
    "锦绣 和平 幸福 朝晖 东方 南苑 西溪 北山 新华 建设 光明 红星 胜利 团结 东湖 湖畔 青山 绿洲 春晖 秋涛 "
    "景芳 三塘 华丰 德胜 文晖 流水 大关 米市 潮鸣 采荷 凯旋 闸弄 四季 复兴 钱塘 九堡 笕桥 丁桥 彭埠 留下"
)
COMPOUND_SUFFIXES = ("小区", "花园", "苑", "新村", "家园", "公寓")
PHASES = ("", "二期", "三期", "四期", "五期", "六期", "七期", "八期")
COMMUNITY_WORDS = COMPOUND_WORDS
COMPOUND_KINDS = (("commercial", 45), ("old", 25), ("relocation", 10), ("rented", 10), ("work_unit", 10))
FLOORS_BY_KIND = {"commercial": (11, 18), "old": (6,), "relocation": (18,), "rented": (6,), "work_unit": (6,)}
PROVINCES = _words("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65")
REGISTERED = (
    "浙江省杭州市西湖区", "浙江省杭州市拱墅区", "浙江省杭州市上城区", "浙江省温州市瑞安市", "浙江省金华市义乌市",
    "安徽省阜阳市颍州区", "安徽省安庆市怀宁县", "江西省上饶市鄱阳县", "河南省信阳市固始县", "河南省周口市郸城县",
    "四川省南充市营山县", "湖北省黄冈市麻城市", "江苏省徐州市沛县", "贵州省毕节市七星关区", "湖南省邵阳市隆回县",
)
VILLAGE_WORDS = _words("东 西 南 北 新 大 小 上 下 中 前 后 石 河 山 林 田 桥 湖 塘")


def _area_codes() -> list[str]:
    """12,400 six-digit address codes (province × 20 cities × 20 counties): with 500 sequence pairs per
    code, ``id_number_for`` is unique for up to 6,200,000 persons whatever the birth dates."""
    return [f"{p}{c:02d}{d:02d}" for d in range(1, 21) for c in range(1, 21) for p in PROVINCES]


AREA_CODES = _area_codes()
MAX_PERSONS = 500 * len(AREA_CODES)


def id_number_for(person_id: int, birth: date, male: bool) -> str:
    from linli.core.idnumber import make_id_number

    block = person_id % 500
    area = AREA_CODES[(person_id // 500) % len(AREA_CODES)]
    return make_id_number(area, birth, 2 * block + (1 if male else 0))


# --- the place tree and the household plan (this process) ----------------------------------------------


@dataclass
class GridJob:
    """Everything a worker needs to draw the persons of one grid."""

    seed: int
    # (household id, first person id, size, house id, house path, address, compound kind)
    households: list[tuple[int, int, int, int, str, str, str]]


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def household_sizes(rng: random.Random, persons: int) -> list[int]:
    sizes: list[int] = []
    total = 0
    while total < persons:
        size = min(weighted(rng, HOUSEHOLD_SIZES), persons - total)
        sizes.append(size)
        total += size
    return sizes


class TreeBuilder:
    """Draws the tree top-down with explicit ids; collects the place rows and one GridJob per grid."""

    def __init__(self, rng: random.Random, first_id: int, now: Any):
        self.rng = rng
        self.next_id = first_id
        self.now = now
        self.places: list[tuple] = []
        self.counts = {k: 0 for k in ("street", "community", "grid", "compound", "building", "entrance", "house")}
        names: list[str] = []
        for phase in PHASES:
            combos = [f"{w}{s}{phase}" for w in COMPOUND_WORDS for s in COMPOUND_SUFFIXES]
            rng.shuffle(combos)
            names += combos
        self.compound_names = iter(names)

    def add(self, *, kind: str, name: str, parent: tuple[int, str, int] | None, code: str = "",
            district_code: str = "", compound_kind: str = "", floors: int | None = None, usage: str = "",
            floor: int | None = None, area_m2: str | None = None) -> tuple[int, str, int]:
        pk = self.next_id
        self.next_id += 1
        path = f"{parent[1] if parent else '/'}{pk}/"
        depth = parent[2] + 1 if parent else 0
        self.places.append((
            pk, kind, name, code, parent[0] if parent else None, path, depth, district_code, None, None,
            compound_kind, floors, usage, floor, area_m2, None, self.now, self.now,
        ))
        self.counts[kind] += 1
        return pk, path, depth

    def grid_houses(self, grid: tuple[int, str, int], households: int) -> list[tuple[int, str, str, str]]:
        """Compounds, buildings, entrances and houses for ``households``; returns the occupied houses as
        (id, path, address, compound kind)."""
        rng = self.rng
        n_compounds = min(rng.choice((1, 2, 2, 3)), max(1, households // 100))
        shares = [rng.uniform(0.6, 1.4) for _ in range(n_compounds)]
        per_compound = [int(households * s / sum(shares)) for s in shares]
        per_compound[-1] += households - sum(per_compound)
        occupied: list[tuple[int, str, str, str]] = []
        for wanted in per_compound:
            kind = weighted(rng, COMPOUND_KINDS)
            cname = next(self.compound_names)
            compound = self.add(kind="compound", name=cname, parent=grid, compound_kind=kind)
            floors = rng.choice(FLOORS_BY_KIND[kind])
            per_building = floors * 2 * 2
            n_buildings = max(1, math.ceil(wanted / (per_building * (1 - VACANCY))))
            houses: list[tuple[int, str, str, str]] = []
            for b in range(1, n_buildings + 1):
                bname = f"{b}幢"
                building = self.add(kind="building", name=bname, parent=compound, floors=floors)
                for e in range(1, 3):
                    ename = f"{e}单元"
                    entrance = self.add(kind="entrance", name=ename, parent=building)
                    for fl in range(1, floors + 1):
                        for k in range(1, 3):
                            hname = f"{fl}{k:02d}"
                            area = f"{rng.uniform(45, 140):.2f}"
                            pk, path, _depth = self.add(kind="house", name=hname, parent=entrance, usage="residential",
                                                        floor=fl, area_m2=area)
                            houses.append((pk, path, f"{cname} {bname} {ename} {hname}", kind))
            occupied += sorted(rng.sample(houses, min(wanted, len(houses))))
        return occupied


def plan_city(rng: random.Random, persons: int, first_place_id: int, first_person_id: int,
              first_household_id: int, now: Any) -> tuple[TreeBuilder, list[GridJob]]:
    if persons > MAX_PERSONS:
        raise SystemExit(f"at most {MAX_PERSONS} persons (unique ID numbers by construction)")
    sizes = household_sizes(rng, persons)
    tree = TreeBuilder(rng, first_place_id, now)
    street = tree.add(kind="street", name="基准街道", parent=None, code="330106001000", district_code="330106")
    jobs: list[GridJob] = []
    next_household, next_person, consumed = first_household_id, first_person_id, 0
    community_no = 0
    while consumed < len(sizes):
        community_no += 1
        if community_no > 999:
            raise SystemExit("more than 999 communities in one street: use fewer persons")
        word = COMMUNITY_WORDS[(community_no - 1) % len(COMMUNITY_WORDS)]
        cycle = (community_no - 1) // len(COMMUNITY_WORDS)
        ccode = f"330106001{community_no:03d}"
        community = tree.add(kind="community", name=f"{word}{'' if cycle == 0 else cycle + 1}社区", parent=street,
                             code=ccode)
        for g in range(1, rng.randint(5, 10) + 1):
            if consumed >= len(sizes):
                break
            n_households = min(rng.randint(300, 500), len(sizes) - consumed)
            grid = tree.add(kind="grid", name=f"第{g}网格", parent=community, code=f"{ccode}-{g:02d}")
            houses = tree.grid_houses(grid, n_households)
            households = []
            for house_id, house_path, address, ckind in houses:
                size = sizes[consumed]
                households.append((next_household, next_person, size, house_id, house_path, address, ckind))
                consumed += 1
                next_household += 1
                next_person += size
            jobs.append(GridJob(seed=rng.getrandbits(63), households=households))
    return tree, jobs


# --- the persons of one grid (worker processes) ---------------------------------------------------------

_CTX: dict[str, Any] = {}  # set before the worker pool forks: tag ids, dates, adapters


def _init_context(today: date, now_db: Any, tag_ids: dict[str, int], date_as_text: bool) -> None:
    from linli.core.text import pinyin_syllables
    from linli.residents.models import Person
    from linli.residents.text import SURNAME_READINGS

    def syllables(text: str) -> list[str]:
        return ["".join(ch for ch in s.lower() if ch.isascii() and ch.isalnum()) for s in
                pinyin_syllables(text)]

    surnames = [(m.group(1), float(m.group(2))) for m in (re.match(r"^(\D+)([\d.]+)$", s) for s in SURNAMES) if m]
    surname_keys = {}
    for s, _w in surnames:
        sy = list(SURNAME_READINGS.get(s, ())) or syllables(s)
        surname_keys[s] = ("".join(w[0] for w in sy), "".join(sy))
    given_keys = {ch: syllables(ch)[0] for ch in GIVEN_MALE + GIVEN_FEMALE}
    _CTX.update(
        today=today, now=now_db, tags=tag_ids, date_as_text=date_as_text,
        surnames=[s for s, _ in surnames], surname_weights=[w for _, w in surnames], surname_keys=surname_keys,
        given_keys=given_keys, id_field=Person._meta.get_field("id_number"),
        phone_field=Person._meta.get_field("phone"),
    )


def _d(value: date | None) -> Any:
    if value is None:
        return None
    return value.isoformat() if _CTX["date_as_text"] else value


def draw_name(rng: random.Random, male: bool, surname: str | None = None) -> tuple[str, str, str, str]:
    """(name, initials, pinyin, surname); the keys are composed per character (checked against name_keys)."""
    surname = surname or rng.choices(_CTX["surnames"], weights=_CTX["surname_weights"])[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
    si, sp = _CTX["surname_keys"][surname]
    gk = [_CTX["given_keys"][ch] for ch in given]
    return surname + given, si + "".join(w[0] for w in gk), sp + "".join(gk), surname


def birth_for_age(rng: random.Random, age: int) -> date:
    today = _CTX["today"]
    return today - timedelta(days=int(age * 365.25) + rng.randrange(365))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def draw_phone(rng: random.Random) -> str:
    prefix = rng.choice(("13", "15", "18", "17", "19"))
    return f"{prefix}{rng.randrange(10)}{rng.randrange(100_000_000):08d}"


def grid_rows(job: GridJob) -> dict[str, list[tuple]]:
    """The rows of one grid: persons, households, members, occupancies, tags."""
    from linli.core import crypto

    rng = random.Random(job.seed)
    ctx = _CTX
    today, now, tags = ctx["today"], ctx["now"], ctx["tags"]
    encrypt_id, encrypt_phone = ctx["id_field"].get_prep_value, ctx["phone_field"].get_prep_value
    persons, households, members, occupancies, person_tags = [], [], [], [], []
    for hh_id, first_pid, size, house_id, house_path, address, ckind in job.households:
        # who lives here: (relationship, age, male)
        head_male = rng.random() < 0.6
        if size == 1:
            age = rng.randint(60, 92) if rng.random() < 0.55 else rng.randint(20, 59)
            people = [("02", age, rng.random() < 0.45)]
        else:
            head_age = rng.randint(24, 62) if size >= 3 else rng.randint(24, 88)
            people = [("02", head_age, head_male), ("10", max(20, head_age + rng.randint(-5, 5)), not head_male)]
            parents = 1 if size >= 5 or (size == 4 and rng.random() < 0.3) else 0
            for _ in range(size - 2 - parents):
                child_age = max(0, min(head_age - 20, rng.randint(0, 35)))
                male = rng.random() < 0.5
                people.append(("20" if male else "30", child_age, male))
            for _ in range(parents):
                male = rng.random() < 0.4
                people.append(("50", min(98, head_age + rng.randint(24, 32)), male))
        tenant = rng.random() < {"rented": 0.75, "commercial": 0.2}.get(ckind, 0.05)
        relocated = ckind == "relocation" and rng.random() < 0.8
        low_income = rng.random() < 0.012
        moved_in = today - timedelta(days=rng.randrange(1, 30 * 365))
        registered = f"{rng.choice(REGISTERED)}{rng.choice(VILLAGE_WORDS)}{rng.choice(VILLAGE_WORDS)}村"
        head_surname = None
        households.append((hh_id, f"H{hh_id:09d}", first_pid, house_id, "active", house_path, now, None))
        for offset, (relationship, age, male) in enumerate(people):
            pid = first_pid + offset
            surname = head_surname if relationship in ("20", "30") and rng.random() < 0.9 else None
            name, initials, pinyin, drawn_surname = draw_name(rng, male, surname)
            if relationship == "02":
                head_surname = drawn_surname
            birth = birth_for_age(rng, age)
            id_number = id_number_for(pid, birth, male)
            phone = draw_phone(rng) if age >= 12 else ""
            status, moved_out_on, died_on, end = "active", None, None, None
            if relationship != "02":
                r = rng.random()
                if r < 0.02:
                    status, moved_out_on = "moved_out", today - timedelta(days=rng.randrange(1, 1500))
                    end = (moved_out_on, "moved_out")
                elif r < 0.027 and age >= 70:
                    status, died_on = "deceased", today - timedelta(days=rng.randrange(1, 1500))
                    end = (died_on, "deceased")
            ethnicity = "01" if rng.random() < 0.94 else rng.choice(("03", "06", "08", "11", "10", "02"))
            political = "13"
            if age >= 18 and rng.random() < 0.09:
                political = "01"
            elif 14 <= age <= 28 and rng.random() < 0.3:
                political = "03"
            persons.append((
                pid, name, initials, pinyin, "1" if male else "2", ethnicity, political,
                encrypt_id(id_number), crypto.lookup_hash(id_number), crypto.lookup_hash(id_number[-4:]),
                encrypt_phone(phone) if phone else "", crypto.lookup_hash(phone) if phone else "",
                crypto.lookup_hash(phone[-4:]) if phone else "",
                _d(birth.replace(day=1)), registered, address, "", status, _d(moved_in), _d(moved_out_on), _d(died_on),
                house_id, house_path, now, now,
            ))
            end_date, end_reason = (_d(end[0]), end[1]) if end else (None, "")
            members.append((hh_id, pid, relationship, _d(moved_in), end_date))
            kind = "tenant" if tenant else ("owner" if relationship in ("02", "10") else "resident")
            occupancies.append((pid, house_id, kind, _d(moved_in), end_date, end_reason))
            codes = []
            if size == 1 and age >= 60:
                codes.append("living_alone")
            if 18 <= age < 60 and rng.random() < 0.28:
                codes.append("migrant_away")
            if tenant:
                codes.append("tenant")
            if relocated:
                codes.append("relocated")
            if rng.random() < 0.015:
                codes.append("disabled")
            if low_income:
                codes.append("low_income")
            if rng.random() < 0.005:
                codes.append("special_difficulty")
            if age < 18 and rng.random() < 0.01:
                codes.append("child_in_difficulty")
            for code in codes:
                valid_from, valid_to = moved_in, None
                if rng.random() < 0.03:  # an ended tag
                    valid_to = today - timedelta(days=rng.randrange(1, 700))
                    valid_from = min(valid_from, valid_to - timedelta(days=30))
                person_tags.append((pid, tags[code], _d(valid_from), _d(valid_to), "bench", None, now))
    return {"persons": persons, "households": households, "members": members, "occupancies": occupancies,
            "tags": person_tags}


# --- writing --------------------------------------------------------------------------------------------

COLUMNS = {
    # model label: field names in the order of the row tuples above ("id" only where we give it)
    "places.Place": ["id", "kind", "name", "code", "parent", "path", "depth", "district_code", "geometry",
                     "area_km2", "compound_kind", "floors", "usage", "floor", "area_m2", "public_code",
                     "created_at", "updated_at"],
    "residents.Person": ["id", "name", "name_initials", "name_pinyin", "sex", "ethnicity", "political_status",
                         "id_number", "id_number_hash", "id_tail_hash", "phone", "phone_hash", "phone_tail_hash",
                         "birth_month", "registered_address", "current_address", "notes", "status", "moved_in_on",
                         "moved_out_on", "died_on", "place", "place_path", "created_at", "updated_at"],
    "residents.Household": ["id", "number", "head", "house", "status", "place_path", "created_at",
                            "dissolved_on"],
    "residents.HouseholdMember": ["household", "person", "relationship", "start_date", "end_date"],
    "residents.Occupancy": ["person", "house", "kind", "start_date", "end_date", "end_reason"],
    "residents.PersonTag": ["person", "tag", "valid_from", "valid_to", "source", "created_by", "created_at"],
}
ROW_KEYS = {"residents.Person": "persons", "residents.Household": "households",
            "residents.HouseholdMember": "members", "residents.Occupancy": "occupancies",
            "residents.PersonTag": "tags"}


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def check_columns() -> None:
    """Every concrete field of each bulk model is written (so a new NOT NULL field fails loudly here)."""
    for label, names in COLUMNS.items():
        model = _model(label)
        fields = {f.name for f in model._meta.concrete_fields} - {"id"}
        missing = fields - set(names)
        if missing:
            raise SystemExit(f"bench/scale.py does not fill {label}.{', '.join(sorted(missing))}: update it")


class Writer:
    """Bulk rows into the real tables: executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.rows_written = 0

    def _columns(self, label: str) -> tuple[str, list[str]]:
        model = _model(label)
        qn = self.connection.ops.quote_name
        return qn(model._meta.db_table), [qn(model._meta.get_field(n).column) for n in COLUMNS[label]]

    def write(self, label: str, rows: Sequence[tuple]) -> None:
        if not rows:
            return
        table, columns = self._columns(label)
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        self.rows_written += len(rows)


BULK_TABLES = ("places.Place", *ROW_KEYS)


def secondary_indexes(labels: Iterable[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the droppable indexes of these tables, as the schema has them."""
    from django.db import connection

    out: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for label in labels:
            table = _model(label)._meta.db_table
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                               "AND sql IS NOT NULL", [table])
            else:
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)", [table])
            out += [(name, sql) for name, sql in cursor.fetchall()]
    return out


def _drop_indexes(indexes: list[tuple[str, str]]) -> None:
    from django.db import connection

    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")


def _create_indexes(indexes: list[tuple[str, str]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def _next_id(label: str) -> int:
    from django.db.models import Max

    return (_model(label).objects.aggregate(m=Max("id"))["m"] or 0) + 1


def check_names(sample: int = 3000) -> None:
    """The composed pinyin keys equal name_keys() (the function the actions use) on a sample."""
    from linli.residents.text import name_keys

    rng = random.Random(7)
    for i in range(sample):
        name, initials, pinyin, _surname = draw_name(rng, i % 2 == 0)
        if name_keys(name) != (initials, pinyin):
            raise SystemExit(f"pinyin keys of {name}: composed {(initials, pinyin)} != name_keys {name_keys(name)}")


def _batches(jobs: list[GridJob], persons_per_batch: int) -> Iterator[list[GridJob]]:
    batch: list[GridJob] = []
    count = 0
    for job in jobs:
        batch.append(job)
        count += sum(h[2] for h in job.households)
        if count >= persons_per_batch:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def build(target: Target, *, persons: int, seed: int = 1, workers: int = 2, analyze: bool = False,
          quiet: bool = False) -> dict[str, Any]:
    """Build the city into ``target`` (which must be fresh or is replaced); returns the meta dict."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    started = time.perf_counter()
    _fresh_database(target)
    key = _write_key(target)
    setup_django(target, key)
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from linli.residents.models import Tag

    call_command("migrate", verbosity=0)
    check_columns()
    t_migrate = time.perf_counter()
    _tune_connection()

    today = timezone.localdate()
    now = timezone.now().astimezone(UTC)
    now_db = connection.ops.adapt_datetimefield_value(now)
    tag_ids = dict(Tag.objects.filter(community__isnull=True).values_list("code", "id"))
    _init_context(today, now_db, tag_ids, date_as_text=connection.vendor == "sqlite")
    check_names()

    rng = random.Random(seed)
    tree, jobs = plan_city(rng, persons, _next_id("places.Place"), _next_id("residents.Person"),
                           _next_id("residents.Household"), now_db)
    t_plan = time.perf_counter()
    say(f"planned {len(tree.places):,} places ({', '.join(f'{v:,} {k}' for k, v in tree.counts.items())}) "
        f"in {t_plan - t_migrate:.1f} s")

    indexes = secondary_indexes(BULK_TABLES)
    _drop_indexes(indexes)
    if connection.vendor == "sqlite":  # the substring index's triggers: filled once after the load
        from linli.residents import search_index

        with connection.cursor() as cursor:
            search_index.sqlite_suspend(cursor)
    writer = Writer()
    with transaction.atomic():
        for i in range(0, len(tree.places), 20_000):
            writer.write("places.Place", tree.places[i:i + 20_000])
    tree.places.clear()
    t_places = time.perf_counter()

    connections.close_all()  # the workers must not share this connection
    ctx = multiprocessing.get_context("fork")
    written = 0
    with ctx.Pool(workers) if workers > 1 else _InlinePool() as pool:
        _tune_connection()  # a new connection after the fork
        results = pool.imap(grid_rows, jobs, chunksize=1)
        for batch in _batches(jobs, BATCH_PERSONS):
            with transaction.atomic():
                for _job in batch:
                    rows = next(results)
                    for label, key_name in ROW_KEYS.items():
                        writer.write(label, rows[key_name])
                    written += len(rows["persons"])
            say(f"  {written:,} persons ({time.perf_counter() - t_places:.0f} s)")
    t_rows = time.perf_counter()

    say(f"recreating {len(indexes)} indexes …")
    _create_indexes(indexes)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            search_index.sqlite_rebuild(cursor)
    t_indexes = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for label in BULK_TABLES:
                model = _model(label)
                for sql in connection.ops.sequence_reset_sql(_no_style(), [model]):
                    cursor.execute(sql)
            cursor.execute("ANALYZE")
        else:
            if analyze:
                cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    t_done = time.perf_counter()
    from linli.residents.models import Household, Person, PersonTag

    meta = {
        "persons": Person.objects.count(),
        "households": Household.objects.count(),
        "person_tags": PersonTag.objects.count(),
        "places": dict(tree.counts),
        "seed": seed,
        "workers": workers,
        "analyzed": connection.vendor == "postgresql" or analyze,
        "database": target.label,
        "seconds": {
            "total": round(t_done - started, 1),
            "migrate": round(t_migrate - started, 1),
            "plan": round(t_plan - t_migrate, 1),
            "places": round(t_places - t_plan, 1),
            "persons_and_rows": round(t_rows - t_places, 1),
            "indexes": round(t_indexes - t_rows, 1),
            "finish": round(t_done - t_indexes, 1),
        },
        "rows_written": writer.rows_written,
        "built_at": now.isoformat(),
    }
    if target.sqlite_path is not None:
        meta["file_mb"] = round(target.sqlite_path.stat().st_size / 1e6)
    target.meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return meta


def _tune_connection() -> None:
    """SQLite: no fsync and a large page cache, for the generator's own connection only."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-400000")
            cursor.execute("PRAGMA temp_store=MEMORY")


def _no_style():
    from django.core.management.color import no_style

    return no_style()


class _InlinePool:
    """``--workers 1``: the same interface, in this process."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def imap(self, fn, items, chunksize=1):
        return map(fn, items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS)
    parser.add_argument("--db", help="SQLite file, or postgres://…/bench_<name> (default: "
                                     f"{BENCH_DIR}/city-<persons>.sqlite3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="processes drawing and encrypting persons")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite too")
    parser.add_argument("--force", action="store_true", help="replace an existing bench database")
    parser.add_argument("--json", help="write the build summary to this file")
    args = parser.parse_args(argv)
    target = resolve_target(args.db, args.persons)
    if target.exists and not args.force:
        print(f"{target.label} exists ({target.meta().get('persons', '?'):,} persons); --force rebuilds it")
        return 0
    print(f"building {args.persons:,} persons into {target.label}", flush=True)
    meta = build(target, persons=args.persons, seed=args.seed, workers=args.workers, analyze=args.analyze)
    s = meta["seconds"]
    print(f"built {meta['persons']:,} persons, {meta['households']:,} households, {meta['person_tags']:,} tags, "
          f"{sum(meta['places'].values()):,} places in {s['total']} s "
          f"(migrate {s['migrate']}, plan {s['plan']}, places {s['places']}, persons {s['persons_and_rows']}, "
          f"indexes {s['indexes']}, finish {s['finish']})")
    if args.json:
        Path(args.json).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
