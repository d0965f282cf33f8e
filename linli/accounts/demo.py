"""The demo street: the places, the department and the demo users that ``linli demo`` (and ``make run``
on an empty database) creates. Every write goes through the apps' actions with ``actor=None`` (the
console).

The demo is built in parts, one function each, inside one transaction:

    demo_places()        the street 「邻里街道」, its communities and grids
    demo_departments()   a department of the street
    demo_users()         one user per role, all with the password ``Linli-demo-2026``

and then every other installed app may add its own part: a module ``<app>/demo.py`` with a function
``demo_extend(demo: Demo) -> None`` is called in ``INSTALLED_APPS`` order (the registry adds its
residents this way). The demo command is the composition point that knows places and accounts
together, like ``config/``; domain code still imports one way.

Running it again changes nothing: places are found by code, users by username, and an existing
user's password and second factor are left alone.
"""

from __future__ import annotations

import functools
import math
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyotp
import shapely
from django.db import connection, transaction
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from linli.accounts.models import Department, User
from linli.accounts.roles import ADMIN_ROLES, Role
from linli.core.apps import app_modules
from linli.places import geo

DEMO_PASSWORD = "Linli-demo-2026"

STREET = ("邻里街道", "330102900000")
# (community name, 12-digit code, [(grid name, grid code), ...]). 幸福社区 is the community of PRODUCT.md §1
# (1.3 km², five grids); grids[0] and grids[1] are where the demo users grid1 and grid2 work.
COMMUNITIES = [
    ("幸福社区", "330102900001", [
        ("幸福社区第一网格", "330102900001-01"), ("幸福社区第二网格", "330102900001-02"),
        ("幸福社区第三网格", "330102900001-03"), ("幸福社区第四网格", "330102900001-04"),
        ("幸福社区第五网格", "330102900001-05"),
    ]),
    ("和睦社区", "330102900002", [("和睦社区第一网格", "330102900002-01"), ("和睦社区第二网格", "330102900002-02")]),
    ("平安社区", "330102900003", [("平安社区第一网格", "330102900003-01"), ("平安社区第二网格", "330102900003-02")]),
]
DEPARTMENT = ("邻里街道城市管理中队", "D-CG")
# The levels some communities keep between themselves and their grids (PRODUCT.md §1), by grid code, from
# the top: 和睦社区 is organised 社区—居民小组—小区楼院—楼栋 (like 泥营社区: two residents groups, twenty
# courtyards, see linli/residents/demo.py); 平安社区 片—物业小区/居民小组—楼长 (like 城南社区: an eastern
# area of property compounds, a western area whose residents group holds the rest; building heads from
# the registry's demo). 幸福社区 keeps none (三区五级: street, community, grid, compound, building).
LEVELS: dict[str, list[tuple[str, str, str]]] = {
    "330102900002-01": [("residents_group", "和睦社区第一居民小组", "330102900002-Z1")],
    "330102900002-02": [("residents_group", "和睦社区第二居民小组", "330102900002-Z2")],
    "330102900003-01": [("area", "平安社区东片", "330102900003-P1")],
    "330102900003-02": [("area", "平安社区西片", "330102900003-P2"),
                        ("residents_group", "平安社区西片居民小组", "330102900003-P2Z1")],
}

# --- the layout -----------------------------------------------------------------------------------------
# A fictional street around 120.17° E, 30.26° N. Shapes are drawn in metres east and north of that centre
# and turned into lon/lat by the equirectangular projection that the places' area function uses, so
# neighbours share their borders exactly. 幸福社区 is scaled until its area computes to 1.3 km².
CENTRE = (120.17, 30.26)
HAPPY_AREA_KM2 = 1.3
_HAPPY = ((-1400, -520), (-260, -560), (-180, 110), (-240, 640), (-880, 720), (-1430, 560))
_HAPPY_EAST = (1, 2, 3)  # the vertices of 幸福社区 on the border with its eastern neighbours (south to north)
_PEACE_EAST = ((940, -650), (1090, 70))  # 平安社区, south-east, beyond the shared border
_HARMONY_EAST = ((1090, 70), (1010, 600), (640, 790))  # 和睦社区, north-east
# Grid borders: a line through two points, extended across the community ("left" of a→b first).
Point2 = tuple[float, float]
_GRID_CUTS: dict[str, tuple[tuple[Point2, Point2], ...]] = {
    "330102900002": (((380, -100), (420, 900)),),
    "330102900003": (((360, -900), (400, 200)),),
}


def _metres_per_degree() -> tuple[float, float]:
    k = math.radians(1) * geo.EARTH_RADIUS_M
    return k * math.cos(math.radians(CENTRE[1])), k


def to_lonlat(shape: BaseGeometry) -> BaseGeometry:
    """A shape drawn in metres around the centre, in lon/lat."""
    scale = np.array(_metres_per_degree())
    return shapely.transform(shape, lambda xy: xy / scale + np.array(CENTRE))


def to_metres(shape: BaseGeometry) -> BaseGeometry:
    """A lon/lat shape in metres around the centre (the inverse of ``to_lonlat``)."""
    scale = np.array(_metres_per_degree())
    return shapely.transform(shape, lambda xy: (xy - np.array(CENTRE)) * scale)


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return round(float(value), digits)


def as_geojson(shape: BaseGeometry, *, digits: int = 7) -> dict[str, Any]:
    """A metre shape as a GeoJSON geometry in lon/lat (polygons counter-clockwise, ~1 cm precision)."""
    if shape.geom_type == "Polygon":
        shape = orient(shape, 1.0)
    elif shape.geom_type == "MultiPolygon":
        shape = MultiPolygon([orient(p, 1.0) for p in shape.geoms])
    data = dict(mapping(to_lonlat(shape)))
    return {"type": data["type"], "coordinates": _rounded(data["coordinates"], digits)}


def _split(shape: BaseGeometry, a: Point2, b: Point2) -> tuple[BaseGeometry, BaseGeometry]:
    """``shape`` cut by the line through a and b: (the part left of a→b, the part right of it)."""

    def side(p: Point2, q: Point2, far: float = 50_000) -> Polygon:
        dx, dy = q[0] - p[0], q[1] - p[1]
        n = math.hypot(dx, dy)
        dx, dy = dx / n, dy / n
        p1, p2 = (p[0] - dx * far, p[1] - dy * far), (q[0] + dx * far, q[1] + dy * far)
        return Polygon([p1, p2, (p2[0] - dy * far, p2[1] + dx * far), (p1[0] - dy * far, p1[1] + dx * far)])

    return shape.intersection(side(a, b)), shape.intersection(side(b, a))


def _happy_metres() -> Polygon:
    """幸福社区 scaled about its centroid until its area computes to 1.3 km²."""
    shape = Polygon(_HAPPY)
    for _ in range(4):
        factor = math.sqrt(HAPPY_AREA_KM2 / geo.area_km2(to_lonlat(shape)))
        shape = affinity.scale(shape, factor, factor, origin="centroid")
    return shape


def demo_layout() -> dict[str, BaseGeometry]:
    """The boundary of the street, each community and each grid, in metres, by code. Grids tile their
    community; the communities tile the street."""
    happy = _happy_metres()
    ring = list(happy.exterior.coords)[:-1]
    v1, v2, v3 = (ring[i] for i in _HAPPY_EAST)
    communities = {
        COMMUNITIES[0][1]: happy,
        COMMUNITIES[1][1]: Polygon([v2, *_HARMONY_EAST, v3]),
        COMMUNITIES[2][1]: Polygon([v1, *_PEACE_EAST, v2]),
    }
    shapes: dict[str, BaseGeometry] = {STREET[1]: unary_union(list(communities.values())), **communities}
    north, south = _split(happy, (-1600, 60), (0, 110))
    west, rest = _split(south, (-1010, -900), (-990, 300))
    happy_grids = [*_split(north, (-820, 0), (-780, 900)), west, *_split(rest, (-610, -900), (-580, 300))]
    for _name, code, grids in COMMUNITIES:
        if code == COMMUNITIES[0][1]:
            pieces = happy_grids
        else:
            pieces, remainder = [], communities[code]
            for a, b in _GRID_CUTS[code]:
                left, remainder = _split(remainder, a, b)
                pieces.append(left)
            pieces.append(remainder)
        for (_grid_name, grid_code), piece in zip(grids, pieces, strict=True):
            shapes[grid_code] = piece
            for _kind, _level_name, level_code in LEVELS.get(grid_code, []):
                shapes[level_code] = unary_union([shapes[level_code], piece]) if level_code in shapes else piece
    return shapes



@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    where: str  # "street", "community", "grid1", "grid2", "department" or "" (administrators)


DEMO_USERS = [
    DemoUser("street", "周建华", Role.STREET_SUPERVISOR, "street"),
    DemoUser("community", "陈静", Role.COMMUNITY_STAFF, "community"),
    DemoUser("grid1", "张伟", Role.GRID_WORKER, "grid1"),
    DemoUser("grid2", "刘洋", Role.GRID_WORKER, "grid2"),
    DemoUser("resident", "王芳", Role.RESIDENT, "grid1"),
    DemoUser("dept", "赵强", Role.DEPARTMENT_STAFF, "department"),
    DemoUser("member", "孙丽", Role.PARTY_MEMBER, "community"),
    DemoUser("volunteer", "吴敏", Role.VOLUNTEER, "community"),
    DemoUser("mediator", "郑海", Role.MEDIATOR, "community"),
    DemoUser("building", "钱进", Role.BUILDING_HEAD, "building"),  # bound to a building by linli/evaluation/demo.py
    DemoUser("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, ""),
    DemoUser("secadmin", "安全管理员", Role.SECURITY_ADMIN, ""),
    DemoUser("auditadmin", "审计管理员", Role.AUDIT_ADMIN, ""),
]
DEMO_USERNAMES = [u.username for u in DEMO_USERS]


@dataclass
class Demo:
    """What the demo built; handed to every app's ``demo_extend``."""

    street: Any
    communities: list[Any]
    grids: list[Any]  # grids[0] is grid1's grid, grids[1] grid2's (both in communities[0])
    department: Department | None = None
    users: dict[str, User] = field(default_factory=dict)
    # The password of the staff accounts the parts create for the loop (not demo logins): random, one per
    # build, so that nobody knows it and it is hashed once (``password_hashes_shared``).
    staff_password: str = field(default_factory=lambda: secrets.token_urlsafe(24) + "Aa1!")

    @property
    def community(self):
        return self.communities[0]

    def place_of(self, where: str):
        return {
            "street": self.street,
            "community": self.communities[0],
            "grid1": self.grids[0],
            "grid2": self.grids[1],
        }.get(where)


# --- the parts ------------------------------------------------------------------------------------------


def _place(*, kind: str, name: str, code: str, parent=None):
    from linli.places.actions import place_create
    from linli.places.models import Place

    existing = Place.objects.filter(kind=kind, code=code).first()
    return existing or place_create(kind=kind, name=name, code=code, parent=parent, actor=None)


def _with_boundary(place, shapes: dict[str, BaseGeometry]):
    """Give a place its demo boundary when it has none yet (through the places action)."""
    from linli.places.actions import place_set_geometry

    shape = shapes.get(place.code)
    if shape is None or place.geometry is not None:
        return place
    return place_set_geometry(place=place, geometry=as_geojson(shape), actor=None)


def demo_places() -> Demo:
    from linli.places.models import PlaceKind

    shapes = demo_layout()
    street = _with_boundary(_place(kind=PlaceKind.STREET, name=STREET[0], code=STREET[1]), shapes)
    communities, grids = [], []
    for name, code, community_grids in COMMUNITIES:
        community = _place(kind=PlaceKind.COMMUNITY, name=name, code=code, parent=street)
        communities.append(_with_boundary(community, shapes))
        for grid_name, grid_code in community_grids:
            parent = community
            for kind, level_name, level_code in LEVELS.get(grid_code, []):
                parent = _with_boundary(_place(kind=kind, name=level_name, code=level_code, parent=parent), shapes)
            grid = _place(kind=PlaceKind.GRID, name=grid_name, code=grid_code, parent=parent)
            grids.append(_with_boundary(grid, shapes))
    return Demo(street=street, communities=communities, grids=grids)


def demo_departments(demo: Demo) -> None:
    from linli.accounts.actions import department_create

    name, code = DEPARTMENT
    demo.department = Department.objects.filter(code=code).first() or department_create(
        name=name, code=code, place=demo.street, actor=None
    )


def demo_users(demo: Demo) -> None:
    from linli.accounts.actions import role_assign, totp_enable, user_create

    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                username=spec.username, password=DEMO_PASSWORD, display_name=spec.display_name, actor=None
            )
        if spec.role in ADMIN_ROLES:
            role_assign(user=user, role=spec.role, actor=None)
            if not user.totp_enabled:
                # The administrator "enrols" a fresh secret, proving it with the current code.
                secret = pyotp.random_base32()
                totp_enable(user=user, secret=secret, code=pyotp.TOTP(secret).now(), actor=user)
        elif spec.where == "building":
            pass  # the buildings come with the registry's demo; linli/evaluation/demo.py binds the role
        elif spec.where == "department":
            role_assign(user=user, role=spec.role, department=demo.department, actor=None)
        else:
            role_assign(user=user, role=spec.role, place=demo.place_of(spec.where), actor=None)
        demo.users[spec.username] = user


def demo_extensions() -> list[Any]:
    """``demo_extend`` of every installed app that has a ``demo`` module, in INSTALLED_APPS order."""
    return [m.demo_extend for m in app_modules("demo", skip="linli.accounts") if hasattr(m, "demo_extend")]


def demo_is_empty() -> bool:
    """No user at all: ``demo --if-empty`` builds the demo only then."""
    return not User.objects.exists()


@contextmanager
def _bulk_load() -> Iterator[None]:
    """While the demo loads (one transaction): no copy of each statement into the debug query log (with
    DEBUG on, Django quotes every parameter of every batch insert for it; a test capturing the queries
    still gets them), and on SQLite a larger page cache; the connection's settings come back afterwards."""
    quiet = not connection.force_debug_cursor
    if quiet:
        connection.make_debug_cursor = connection.make_cursor  # type: ignore[method-assign,assignment]
    try:
        if connection.vendor != "sqlite":
            yield
        else:
            with _sqlite_pragmas():
                yield
    finally:
        if quiet:
            del connection.make_debug_cursor


@contextmanager
def _sqlite_pragmas() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MB: the whole demo's pages stay in memory
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(cache_size)}")


def demo_build(report: Callable[[str, float, float], None] | None = None) -> Demo:
    """Build (or complete) the demo street and its users, in one transaction. Idempotent. ``report(part,
    seconds, cpu_seconds)`` hears how long each part took, on the clock and on this process's processor
    time (the command prints both: on a busy machine they differ)."""
    from linli.accounts.actions import password_hashes_shared

    def timed(part: str, run: Callable[[], Any]) -> Any:
        started, cpu = time.perf_counter(), time.process_time()
        out = run()
        if report is not None:
            report(part, time.perf_counter() - started, time.process_time() - cpu)
        return out

    with _bulk_load(), password_hashes_shared(), transaction.atomic():
        demo = timed("places", demo_places)

        def accounts() -> None:
            demo_departments(demo)
            demo_users(demo)

        timed("accounts", accounts)
        for extend in demo_extensions():
            module = getattr(extend, "__module__", None) or "part"  # linli.<app>.demo: the app's name
            timed(module.removeprefix("linli.").removesuffix(".demo"), functools.partial(extend, demo))
    return demo


# --- the logins table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    place: str
    totp_secret: str
    totp_now: str


def demo_logins() -> list[DemoLogin]:
    """The demo users that exist now, in the README's order, with the admins' TOTP secret and current code."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).prefetch_related(
        "role_assignments__place", "role_assignments__department"
    )}
    rows = []
    for spec in DEMO_USERS:
        user = users.get(spec.username)
        if user is None:
            continue
        assignment = next((a for a in user.role_assignments.all() if a.role == spec.role), None)
        where = (assignment.place or assignment.department) if assignment else None
        secret = user.totp_secret if user.totp_enabled else ""
        rows.append(
            DemoLogin(
                username=spec.username,
                role=str(Role(spec.role).label),
                place=str(where) if where else "—",
                totp_secret=secret,
                totp_now=pyotp.TOTP(secret).now() if secret else "",
            )
        )
    return rows


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def demo_logins_table(rows: list[DemoLogin]) -> str:
    if not rows:
        return ""
    header = ("username", "role", "place", "password", "TOTP secret", "code now")
    body = [(r.username, r.role, r.place, DEMO_PASSWORD, r.totp_secret, r.totp_now) for r in rows]
    widths = [max(_width(row[i]) for row in [header, *body]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(header)).rstrip(), rule]
    lines += ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in body]
    if any(r.totp_secret for r in rows):
        lines.append(
            "The administrators log in with a TOTP code: add the secret to an authenticator app, or run "
            "`linli demo --codes` for the codes of the current 30 seconds."
        )
    return "\n".join(lines)
