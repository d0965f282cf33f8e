"""The cases part of the demo street (``linli demo``): a year of the closed loop.

Every grid of the three communities files cases in each of the last 12 months, by every door (building
QR code, 随手拍, patrol, door-knocking visit, 12345 hotline, entered by staff), in more than ten
categories, handled by the grid workers and by four departments. Each case lives its life through the
cases' own actions (``case_create``, ``case_transition``, ``case_support``), run in time order on a
demo clock that stands at the moment of each step: events, audit rows, notices and KPI rollups are the
ones the actions write, so the KPI recompute equals the rollups. Besides the plain loop, cases are
returned, extended, supervised (督办), summoned (吹哨报到), parked (挂账), reworked, rated unsatisfied and
reopened, closed and reopened, refused, merged as duplicates and supported ("me too"); ratings are of
all three kinds. Recent cases stop where the clock stands, so every state has cases, some of them
overdue.

Staff the loop needs and the registry demo does not make (a grid worker for every grid, a desk for
every community, the departments' staff) are created here through the accounts actions; none of them
is a demo login.

Deterministic (one seeded generator); idempotent (an audit row ``cases.demo_build`` marks it done).
Size: ``linli.residents.demo.demo_size()`` (``small`` in tests: fewer random cases, the same showcase).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.cases.workflow import Channel, Satisfaction
from linli.core.inserts import insert_many

SEED = 10
MONTHS = 12
# Random cases per grid and month (the showcase lives come on top).
PER_GRID_MONTH = {"full": 5, "small": 1}

DEPARTMENTS = (
    # (name, code, staff login, staff name); D-CG is the accounts demo's department (its login: dept)
    ("邻里街道市场监督管理所", "D-SC", "demo-dept-sc", "冯晓"),
    ("邻里派出所", "D-PS", "demo-dept-ps", "韩磊"),
    ("邻里街道住房和城乡建设办公室", "D-ZJ", "demo-dept-zj", "曹敏"),
)
# Community desks and grid workers the demo logins leave out, by code: (login, name).
DESKS = {"330102900002": ("demo-desk-hm", "许燕"), "330102900003": ("demo-desk-pa", "何平")}
WORKER_NAMES = ("林涛", "黄莉", "杨帆", "马骏", "朱红", "胡斌", "郭婷", "高翔", "罗佳", "梁晨", "宋洁", "唐亮")

# category code -> (department code or "" for the grid worker, [(title, description), ...])
TEXTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "ENV.GARBAGE": ("", [("垃圾桶满溢未清运", "楼下垃圾桶已经满了两天，气味很大，请尽快清运。"),
                         ("建筑垃圾堆放", "有住户装修把建筑垃圾堆在单元门口，影响通行。")]),
    "ENV.CLUTTER": ("", [("楼道堆放杂物", "楼道里堆了很多纸箱和旧家具，存在消防隐患。"),
                         ("绿化带乱堆放", "绿化带里堆了废旧自行车和花盆。")]),
    "ENV.CLEANING": ("", [("公共区域卫生差", "小区广场地面很脏，落叶和垃圾没人打扫。")]),
    "PROP.LIFT": ("D-ZJ", [("电梯经常停运", "单元电梯一周停了三次，老人上下楼很困难。"),
                           ("电梯异响", "电梯运行时有很大的异响，大家担心安全。")]),
    "PROP.LIGHT": ("", [("楼道灯不亮", "三楼到五楼的楼道灯坏了，晚上看不见。")]),
    "PROP.SERVICE": ("", [("物业不作为", "报修水管一周了物业还没有来处理。")]),
    "MUNI.STREETLIGHT": ("D-CG", [("路灯不亮", "小区门口的路灯坏了好几天，晚上很黑。")]),
    "MUNI.ROAD": ("D-CG", [("人行道破损", "人行道地砖松动翘起，老人容易绊倒。")]),
    "MUNI.MANHOLE": ("D-CG", [("井盖破损", "路边一个井盖碎了一角，很危险。")]),
    "MUNI.DRAIN": ("D-CG", [("下水道堵塞返水", "下雨后下水道返水，路面积水很深。")]),
    "SAFE.EXIT": ("", [("消防通道被占", "消防通道停满了私家车，消防车进不来。")]),
    "SAFE.EBIKE": ("", [("电动车楼道充电", "有人把电动车推进楼道里充电，很危险。"),
                        ("飞线充电", "有住户从窗户拉电线给楼下电动车充电。")]),
    "SAFE.FALLING": ("D-ZJ", [("外墙瓷砖脱落", "楼栋外墙瓷砖松动，有掉落的危险。")]),
    "DISP.NEIGHBOUR": ("D-PS", [("邻里因停车发生争执", "两户因为车位问题多次争吵，需要调解。")]),
    "DISP.LEAK": ("", [("楼上漏水", "楼上卫生间漏水到我家天花板，协商不成。")]),
    "NOISE.BUILD": ("D-CG", [("夜间施工噪声", "工地晚上十点以后还在施工，噪声很大。")]),
    "NOISE.SHOP": ("D-SC", [("商铺音响扰民", "沿街商铺整天用大音响放音乐招揽顾客。"),
                            ("烧烤店油烟噪声", "烧烤店营业到凌晨，油烟和噪声影响休息。")]),
    "NOISE.LIFE": ("D-PS", [("楼上夜间噪声", "楼上每天半夜有很大的响声。")]),
    "BUILD.ILLEGAL": ("D-CG", [("楼顶违章搭建", "顶楼住户在屋顶搭建了彩钢棚。")]),
    "BUILD.GROUP": ("", [("占用公共空间", "有住户把楼道公共空间用铁门围起来自用。")]),
    "PARK.DISORDER": ("D-CG", [("机动车乱停放", "小区出入口两侧停满车辆，堵塞道路。")]),
    "PARK.CHARGE": ("", [("充电桩损坏", "小区充电桩坏了一半，排队充电困难。")]),
    "ELDER.MEAL": ("", [("老人助餐需求", "独居老人行动不便，希望能送餐上门。")]),
    "POLICY.SOCIAL": ("", [("医保报销咨询", "想了解门诊慢特病医保报销怎么办理。")]),
    "POLICY.CERT": ("", [("居住证明办理", "需要开具居住证明，不知道要带哪些材料。")]),
}
PATROL_CATEGORIES = ("ENV.CLUTTER", "ENV.GARBAGE", "SAFE.EXIT", "SAFE.EBIKE", "PARK.DISORDER", "MUNI.MANHOLE",
                     "BUILD.GROUP", "MUNI.ROAD")

REPLIES = ("已到现场处理完毕，恢复正常。", "已协调物业处理，问题已解决。", "已清理完毕，将加强日常巡查。",
           "已联系相关单位维修，现已修复。", "已上门沟通，双方达成一致。")

# The lives a case can lead, with the weights of the year's random cases (each also appears in the
# showcase). "plain" is the loop without a detour.
LIVES = {
    "plain": 60, "late": 10, "unrated": 5, "refused": 4, "returned": 3, "extended": 3, "supervised": 1,
    "summoned": 1, "parked": 1, "reworked": 3, "unsatisfied": 4, "reopened": 2, "duplicate": 2,
}
# The lives the bulk path replays (their transitions change only the case); supervision, summons and
# merges write rows of their own and run through the actions step by step.
BULK_LIVES = frozenset({"plain", "late", "unrated", "refused", "returned", "reworked", "extended", "parked",
                        "unsatisfied", "reopened"})
# The open states a recent case may be left in (the clock stops it there).
STOPS = ("reported", "accepted", "dispatched", "signed", "handling", "reported_back", "verified", "rated")


@dataclass
class Cast:
    """Who acts in the demo: per community its desk; per grid its worker; the street; the departments."""

    street: Any
    desks: dict[int, Any]  # community id -> community staff
    workers: dict[int, Any]  # grid id -> grid worker
    departments: dict[str, Any]  # code -> Department
    dept_staff: dict[str, Any]  # code -> department staff user
    resident: Any = None
    places: dict[int, list[Any]] = field(default_factory=dict)  # grid id -> buildings (or the grid)


@dataclass
class Past:
    """A case of the year's history for the bulk path: its intake and its transitions (time, name,
    actor, input), all before the clock."""

    at: datetime
    key: int
    intake: dict[str, Any]
    steps: list[tuple[datetime, str, Any, dict[str, Any]]]
    # A case still open, or moved within the last hour: its notices are written as the actions write them
    # (the year's older ones would all be read and sent: they are left out).
    notify: bool = False


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    key: int = field(compare=False)
    run: Callable[[dict[int, Any]], None] = field(compare=False)


@contextmanager
def demo_clock() -> Iterator[dict[str, datetime | None]]:
    """``timezone.now()`` answers ``clock["at"]`` while set: each action runs at the moment of its step."""
    real = timezone.now
    clock: dict[str, datetime | None] = {"at": None}

    def now() -> datetime:
        return clock["at"] or real()

    timezone.now = now  # type: ignore[assignment]
    try:
        yield clock
    finally:
        timezone.now = real  # type: ignore[assignment]


# --- the cast ---------------------------------------------------------------------------------------------


def _user(demo: Any, login: str, name: str, role: str, *, place: Any = None, department: Any = None) -> Any:
    from linli.accounts.actions import role_assign, user_create
    from linli.accounts.models import User

    user = User.objects.filter(username=login).first()
    if user is None:
        password = getattr(demo, "staff_password", None) or secrets.token_urlsafe(24) + "Aa1!"
        user = user_create(username=login, password=password, display_name=name, actor=None)
        role_assign(user=user, role=role, place=place, department=department, actor=None)
    return user


def demo_cast(demo: Any) -> Cast:
    from linli.accounts.actions import department_create
    from linli.accounts.models import Department, RoleAssignment
    from linli.accounts.roles import Role
    from linli.places.models import Place, PlaceKind

    departments = {d.code: d for d in Department.objects.all()}
    dept_staff = {}
    if demo.department is not None:
        departments[demo.department.code] = demo.department
        dept_staff[demo.department.code] = demo.users.get("dept")
    for name, code, login, person in DEPARTMENTS:
        if code not in departments:
            departments[code] = department_create(name=name, code=code, place=demo.street, actor=None)
        dept_staff[code] = _user(demo, login, person, Role.DEPARTMENT_STAFF, department=departments[code])
    desks = {}
    for community in demo.communities:
        held = RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, place=community).select_related("user").first()
        if held is not None:
            desks[community.pk] = held.user
        elif community.code in DESKS:
            login, name = DESKS[community.code]
            desks[community.pk] = _user(demo, login, name, Role.COMMUNITY_STAFF, place=community)
    workers = {}
    for i, grid in enumerate(demo.grids):
        held = RoleAssignment.objects.filter(role=Role.GRID_WORKER, place=grid).select_related("user").first()
        workers[grid.pk] = held.user if held is not None else _user(
            demo, f"demo-grid-{grid.code}", WORKER_NAMES[i % len(WORKER_NAMES)], Role.GRID_WORKER, place=grid)
    places = {}
    for grid in demo.grids:
        buildings = list(Place.objects.filter(kind=PlaceKind.BUILDING, path__startswith=grid.path).order_by("id")[:40])
        places[grid.pk] = buildings or [grid]
    return Cast(street=demo.users.get("street"), desks=desks, workers=workers, departments=departments,
                dept_staff={k: v for k, v in dept_staff.items() if v is not None}, resident=demo.users.get("resident"),
                places=places)


# --- one case's life --------------------------------------------------------------------------------------


def _office_time(rng: random.Random, day: datetime) -> datetime:
    return day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


class Planner:
    """Turns a life into timed steps. Steps after ``now`` are dropped (the case stays where it is)."""

    def __init__(self, cast: Cast, rng: random.Random, now: datetime) -> None:
        self.cast, self.rng, self.now = cast, rng, now
        self.steps: list[Step] = []
        self.seq = 0
        self.key = 0
        self.categories: dict[str, Any] = {}
        self.meta: dict[int, tuple[str, Any, Any, Any]] = {}  # key -> (category code, place, grid, community)
        self.lives: Counter[str] = Counter()
        self.history: list[Past] = []

    def _add(self, key: int, at: datetime, run: Callable[[dict[int, Any]], None]) -> None:
        self.seq += 1
        self.steps.append(Step(at, self.seq, key, run))

    def case(self, *, grid: Any, community: Any, at: datetime, life: str, stop: str = "", channel: str = "") -> int:
        """Plan one case. A life the bulk path replays (``BULK_LIVES``: transitions that change only the case)
        becomes a row of ``self.history``, its steps up to the clock; any other (supervision, summons, merges,
        "me too") runs its steps through the actions."""
        start = len(self.steps)
        key = self._case(grid=grid, community=community, at=at, life=life, stop=stop, channel=channel)
        mine = self.steps[start:]
        if (life in BULK_LIVES and mine[0].at < self.now and all(s.key == key for s in mine)
                and all(hasattr(s.run, "transition") for s in mine[1:])):
            del self.steps[start:]
            done = [s for s in mine[1:] if s.at < self.now]  # the later ones have not happened yet
            recent = bool(stop) or len(done) < len(mine) - 1 or any(s.at >= self.now - timedelta(hours=1) for s in mine)
            self.history.append(Past(at=at, key=key, intake=mine[0].run.intake,  # type: ignore[attr-defined]
                                     steps=[(s.at, *s.run.transition) for s in done],  # type: ignore[attr-defined]
                                     notify=recent))
        return key

    def _case(self, *, grid: Any, community: Any, at: datetime, life: str, stop: str = "", channel: str = "") -> int:
        from linli.cases.actions import case_create, case_transition

        rng, cast = self.rng, self.cast
        self.key += 1
        key = self.key
        self.lives[life] += 1
        desk, worker, supervisor = cast.desks[community.pk], cast.workers[grid.pk], cast.street
        drawn = rng.choices(
            [Channel.QR, Channel.SNAPSHOT, Channel.PATROL, Channel.VISIT, Channel.HOTLINE, Channel.PROXY],
            [30, 10, 22, 10, 15, 13])[0]
        channel = channel or drawn
        if life == "unrated" and channel == Channel.PATROL:
            channel = Channel.QR
        code = rng.choice(PATROL_CATEGORIES if channel == Channel.PATROL else sorted(TEXTS))
        dept_code, texts = TEXTS[code]
        title, description = rng.choice(texts)
        place = rng.choice(cast.places[grid.pk])
        reporter_user = cast.resident if channel == Channel.SNAPSHOT and cast.resident is not None and \
            grid.pk == next(iter(cast.places)) else None
        if channel == Channel.SNAPSHOT and reporter_user is None:
            channel = Channel.QR
        phone = "" if channel == Channel.PATROL or reporter_user else f"171{rng.randint(0, 99_999_999):08d}"
        by_channel: dict[str, Any] = {Channel.PATROL: worker, Channel.VISIT: worker, Channel.PROXY: desk}
        actor = by_channel.get(channel, reporter_user)
        # Who rates: the reporter with an account, else the desk after a phone call (回访).
        rater = reporter_user or desk
        owner_dept = cast.departments.get(dept_code) if dept_code and dept_code in cast.dept_staff else None
        owner = cast.dept_staff[dept_code] if owner_dept is not None else worker
        other_codes = [c for c in sorted(cast.dept_staff) if c != dept_code]
        summoned_code = rng.choice(other_codes) if other_codes else ""

        rng_name = rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡") + rng.choice(("先生", "女士", "阿姨", "大爷"))
        t = at
        state = {"status": "reported"}
        stopped = {"done": False}
        plan: list[tuple[datetime, Callable[[dict[int, Any]], None], str]] = []

        def go(delay_hours: float, run: Callable[[dict[int, Any]], None], status: str) -> None:
            nonlocal t
            if stopped["done"]:
                return
            t = t + timedelta(hours=delay_hours)
            self._add(key, t, run)
            plan.append((t, run, status))
            state["status"] = status
            # ``stop``: a state (the first step that reaches it is the last), or ":<action>" (after it).
            done_name = getattr(run, "transition", ("",))[0]
            if stop and (status == stop if not stop.startswith(":") else done_name == stop[1:]):
                stopped["done"] = True

        def act(name: str, who: Any, **data: Any) -> Callable[[dict[int, Any]], None]:
            def run(cases: dict[int, Any]) -> None:
                cases[key] = case_transition(case=cases[key].pk, name=name, actor=who, data=data)
            run.transition = (name, who, data)  # type: ignore[attr-defined]  # what the bulk path replays
            return run

        intake = {
            "actor": actor, "category": self.categories[code], "title": title, "description": description,
            "channel": channel, "place": place, "reporter_name": "" if not phone else rng_name, "reporter_phone": phone,
            "external_id": f"12345-{at:%Y%m%d}-{key:05d}" if channel == Channel.HOTLINE else "",
        }

        def create(cases: dict[int, Any]) -> None:
            cases[key] = case_create(**intake)

        create.intake = intake  # type: ignore[attr-defined]
        self._add(key, t, create)
        self.meta[key] = (code, place, grid, community)
        if stop == "reported":
            return key
        if life == "duplicate":
            # A neighbour reports the same matter a few hours later; the desk merges it into this one.
            self.duplicate(of=key, at=at + timedelta(hours=rng.uniform(1, 6)))
        if life == "refused":
            go(rng.uniform(0.2, 3), act("refuse", desk, reason="不属于社区受理范围，已告知居民向相关部门咨询。"), "refused")
            return key
        go(rng.uniform(0.1, 2), act("accept", desk), "accepted")
        if rng.random() < 0.3 and channel != Channel.PATROL and self.now - at < timedelta(days=30):
            for _ in range(rng.randint(1, 4)):
                support_phone = f"170{rng.randint(0, 99_999_999):08d}"
                self._add(key, t + timedelta(hours=rng.uniform(2, 30)), self._support(key, support_phone))
        if life == "returned":
            go(rng.uniform(0.1, 1), act("dispatch", desk, owner_kind="grid_worker", owner_user=worker.pk), "dispatched")
            go(rng.uniform(0.2, 1.5), act("return", worker, reason="需要专业部门处置，超出网格职责。"), "accepted")
            go(rng.uniform(0.3, 3), act("dispatch", desk, **self._owner(owner_dept, worker, force_dept=True)), "dispatched")
            owner = self._owner_user(owner_dept, worker, force_dept=True)
        else:
            go(rng.uniform(0.1, 2), act("dispatch", desk, **self._owner(owner_dept, worker)), "dispatched")
        late = life in ("late", "supervised")
        go(rng.uniform(0.2, 1.8) if not (late and rng.random() < 0.4) else rng.uniform(3, 20), act("sign", owner), "signed")
        go(rng.uniform(0.1, 2), act("handle", owner, reply="已收到，正在安排处理。"), "handling")
        if life == "extended":
            go(rng.uniform(20, 60), act("extend", owner, reason="需要协调维修单位和材料，申请延期。", days=5), "handling")
            go(rng.uniform(1, 8), act("extend_approve", desk), "handling")
        if life == "supervised":
            go(rng.uniform(100, 170), act("supervise", supervisor, note="群众反映强烈，请加快处置。",
                                         due=(t + timedelta(days=10)).isoformat()), "handling")
        if life == "summoned" and summoned_code:
            staff = cast.dept_staff[summoned_code]
            go(rng.uniform(2, 24), act("summon", desk, summons=[{
                "department": cast.departments[summoned_code].pk,
                "instruction": "请派员到场联合处置，并反馈处置结果。", "due": (t + timedelta(days=3)).isoformat()}]), "handling")
            go(rng.uniform(1, 6), act("summon_sign", staff), "handling")
            go(rng.uniform(6, 40), act("summon_answer", staff, reply="已派员到场，会同社区完成处置。"), "handling")
        if life == "parked":
            go(rng.uniform(24, 72), act("park", desk, reason="需纳入老旧小区改造计划统一实施。"), "parked")
            go(rng.uniform(15 * 24, 45 * 24), act("unpark", desk), "handling")
        report_after = rng.uniform(200, 330) if late else rng.uniform(3, 60)
        go(report_after, act("report", owner, reply=rng.choice(REPLIES)), "reported_back")
        if life == "reworked":
            go(rng.uniform(2, 20), act("rework", desk, reason="现场核查未处理到位，请返工。"), "handling")
            go(rng.uniform(10, 50), act("report", owner, reply="已按要求返工，处理到位。"), "reported_back")
        go(rng.uniform(1, 20), act("verify", desk), "verified")
        if not phone and reporter_user is None:
            state["status"] = "closed"  # nobody to rate it: it closes when verified
            return key
        if life == "unrated":
            go(24 * 8, act("close", None, reason_code="not_rated"), "closed")
            return key
        if life == "unsatisfied":
            go(rng.uniform(4, 48), act("rate", rater, satisfaction=Satisfaction.UNSATISFIED, solved=False,
                                       comment="问题没有根本解决，又出现了。"), "dispatched")
            go(rng.uniform(0.2, 2), act("sign", owner), "signed")
            go(rng.uniform(0.1, 1), act("handle", owner), "handling")
            go(rng.uniform(10, 60), act("report", owner, reply="已彻底处理，并请居民现场确认。"), "reported_back")
            go(rng.uniform(1, 10), act("verify", desk), "verified")
        satisfaction = rng.choices([Satisfaction.SATISFIED, Satisfaction.BASICALLY], [78, 22])[0]
        go(rng.uniform(4, 72), act("rate", rater, satisfaction=satisfaction, solved=True), "rated")
        go(rng.uniform(0.1, 3), act("close", desk), "closed")
        if life == "reopened":
            go(rng.uniform(48, 200), act("reopen", desk, reason="居民来电反映问题复发。"), "dispatched")
            go(rng.uniform(0.2, 2), act("sign", owner), "signed")
            go(rng.uniform(0.1, 1), act("handle", owner), "handling")
            go(rng.uniform(10, 60), act("report", owner, reply="已再次处理，加装防护措施。"), "reported_back")
            go(rng.uniform(1, 10), act("verify", desk), "verified")
            go(rng.uniform(4, 48), act("rate", rater, satisfaction=Satisfaction.SATISFIED, solved=True), "rated")
            go(rng.uniform(0.1, 3), act("close", desk), "closed")
        return key

    def duplicate(self, *, of: int, at: datetime) -> None:
        """A second report of case ``of``'s matter (same place and category), merged into it by the desk."""
        from linli.cases.actions import case_create

        code, place, _grid, community = self.meta[of]
        self.key += 1
        key = self.key
        title, description = self.rng.choice(TEXTS[code][1])
        phone = f"171{self.rng.randint(0, 99_999_999):08d}"

        def create(cases: dict[int, Any]) -> None:
            cases[key] = case_create(actor=None, category=self.categories[code], title=title,
                                     description=description, channel=Channel.QR, place=place,
                                     reporter_name="邻居", reporter_phone=phone)

        self._add(key, at, create)
        self._add(key, at + timedelta(hours=self.rng.uniform(0.2, 1)), self._merge(key, of, self.cast.desks[community.pk]))

    def _owner(self, dept: Any, worker: Any, *, force_dept: bool = False) -> dict[str, Any]:
        if dept is not None:
            return {"owner_kind": "department", "owner_department": dept.pk}
        if force_dept:
            return {"owner_kind": "department", "owner_department": self.cast.departments["D-CG"].pk}
        return {"owner_kind": "grid_worker", "owner_user": worker.pk}

    def _owner_user(self, dept: Any, worker: Any, *, force_dept: bool = False) -> Any:
        if dept is not None:
            return self.cast.dept_staff[dept.code]
        return self.cast.dept_staff["D-CG"] if force_dept else worker

    def _support(self, key: int, phone: str) -> Callable[[dict[int, Any]], None]:
        from linli.cases.actions import case_support
        from linli.core.errors import Refused

        def run(cases: dict[int, Any]) -> None:
            if cases[key].is_open:  # "me too" is for open cases; a quick one may be done already
                with suppress(Refused):
                    case_support(case=cases[key].pk, phone=phone)
        return run

    def _merge(self, key: int, target: int, desk: Any) -> Callable[[dict[int, Any]], None]:
        from linli.cases.actions import case_transition

        def run(cases: dict[int, Any]) -> None:
            if not cases[target].is_open:
                cases[key] = case_transition(case=cases[key].pk, name="refuse", actor=desk,
                                             data={"reason": "重复反映，原问题已办结。"})
                return
            cases[key] = case_transition(case=cases[key].pk, name="merge", actor=desk,
                                         data={"target": cases[target].pk})
        return run


def _months(now: datetime) -> list[datetime]:
    """The first day of each of the last ``MONTHS`` months (local time), oldest first."""
    local = timezone.localtime(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    out = [first]
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def demo_plan(demo: Any, cast: Cast, *, size: str, now: datetime) -> Planner:
    """Every case of the year with its steps (not yet run)."""
    from linli.cases.models import Category

    rng = random.Random(SEED)
    planner = Planner(cast, rng, now)
    planner.categories = {c.code: c for c in Category.objects.filter(code__in=list(TEXTS))}
    lives, weights = list(LIVES), list(LIVES.values())
    per_month = PER_GRID_MONTH.get(size, 1)
    grids_of = {c.pk: [g for g in demo.grids if g.path.startswith(c.path)] for c in demo.communities}
    for month in _months(now):
        span = min((now - month).total_seconds(), 31 * 86400) - 3600
        for community in demo.communities:
            for grid in grids_of[community.pk]:
                for _ in range(per_month):
                    at = _office_time(rng, month + timedelta(seconds=rng.uniform(0, span)))
                    if at >= now - timedelta(hours=2):  # later today: earlier this month instead
                        at = max(month, now - timedelta(hours=rng.uniform(3, 48)))
                    age = now - at
                    stop = rng.choice(STOPS) if age < timedelta(days=12) else ""
                    planner.case(grid=grid, community=community, at=at, life=rng.choices(lives, weights)[0], stop=stop)
    # The showcase: every life once (in turn in each community), filed 2 to 5 months ago so that it lived
    # it all; in each community every open state once among recent cases; and open cases that are late,
    # supervised, parked, summoned or extended now.
    communities = demo.communities
    # The demo login ``resident`` (王芳, grid1) filed a 随手拍 last month and rated it.
    planner.case(grid=demo.grids[0], community=communities[0], life="plain", channel=Channel.SNAPSHOT,
                 at=_office_time(rng, now - timedelta(days=rng.uniform(20, 40))))
    for i, life in enumerate(LIVES):
        community = communities[i % len(communities)]
        grids = grids_of[community.pk]
        at = _office_time(rng, now - timedelta(days=rng.uniform(60, 150)))
        planner.case(grid=grids[i % len(grids)], community=community, at=at, life=life)
    for community in communities:
        grids = grids_of[community.pk]
        for i, stop in enumerate(STOPS):
            at = now - timedelta(days=rng.uniform(1, 9), hours=rng.uniform(0, 6))
            planner.case(grid=grids[i % len(grids)], community=community, at=at, life="plain", stop=stop)
    for i, (life, stop) in enumerate((("late", ":handle"), ("supervised", ":supervise"), ("parked", ":park"),
                                      ("summoned", ":summon_sign"), ("extended", ":extend_approve"))):
        community = communities[i % len(communities)]
        at = now - timedelta(days=rng.uniform(14, 20))
        planner.case(grid=grids_of[community.pk][0], community=community, at=at, life=life, stop=stop)
    return planner


def demo_run(planner: Planner, *, now: datetime) -> dict[str, int]:
    """Run the steps in time order on the demo clock; steps after ``now`` are not run."""
    cases: dict[int, Any] = {}
    done = 0
    with demo_clock() as clock:
        for step in sorted(planner.steps):
            if step.at >= now:
                continue
            if step.key not in cases and step.run.__name__ != "create":
                continue
            clock["at"] = step.at
            step.run(cases)
            done += 1
    return {"cases": len(cases), "steps": done}


def history_write(history: list[Past], clock: dict[str, datetime | None]) -> dict[int, Any]:
    """The bulk path: the cases of ``history`` written in batches, with the rows their actions write.

    Each case is inserted as the intake inserts it (routing, number, deadlines), then its transitions are
    replayed in memory through the transitions' own ``apply`` functions (the same fields, event data and
    replies as the runner's), and the cases, their events and one audit row per event (``audit_entry``, as
    ``audit_record`` writes it) are written in batches. The notices of a case marked ``notify`` (open, or
    moved lately) are queued through the outbox as the actions queue them, each at its step's time; the
    year's older notices are not written: they would all be old, read and sent. The KPI rollups and the
    open cases' counters are added from these cases by ``kpi_add_cases`` and ``state_counts_add``.
    Returns the cases by their key in the plan."""
    from django.utils.translation import gettext

    from linli.cases.actions._common import Outcome, _audit_data, actor_label, case_notice
    from linli.cases.actions.intake import case_number_next, created_audit_detail, created_notice, desk_users
    from linli.cases.actions.transitions import APPLY, verify_notice
    from linli.cases.deadlines import set_report_deadlines
    from linli.cases.models import Case, CaseEvent
    from linli.cases.routing import route_case
    from linli.cases.text import tokens_of
    from linli.cases.workflow import TRANSITIONS
    from linli.core.audit import audit_entry
    from linli.points.actions import points_award_reporter

    history = sorted(history, key=lambda p: p.at)
    cases, events, verified = [], [], []
    by_key: dict[int, Any] = {}
    # (time, case, kind, user ids, text as worded then, the actor: not told of their own step)
    notes: list[tuple[datetime, Any, str, list[Any], str, Any]] = []
    with _recipients_cached():
        for past in history:
            i = past.intake
            route = route_case(category=i["category"], place=i["place"])
            actor, channel = i["actor"], i["channel"]
            staff_entry = actor is not None and channel in (Channel.PATROL, Channel.VISIT, Channel.PROXY)
            reporter = actor if actor is not None and not staff_entry else None
            case = Case(
                number=case_number_next(timezone.localtime(past.at).year, route.district_code), channel=channel,
                external_id=i["external_id"], category=i["category"], title=i["title"], description=i["description"],
                tokens=" ".join(tokens_of(f"{i['title']} {i['description']}")), place_id=route.place_id,
                grid_id=route.grid_id, community_id=route.community_id, place_path=route.place_path,
                compound_kind=route.compound_kind, routing=route.steps, suggested_user_id=route.worker_id,
                suggested_department_id=route.department_id, reporter=reporter,
                reporter_name=(i["reporter_name"] or (str(reporter) if reporter else ""))[:64],
                reporter_phone=i["reporter_phone"], created_by=actor if staff_entry else None, status="reported",
                reported_at=past.at, created_at=past.at,
            )
            case.reporter_phone_hash = Case._meta.get_field("reporter_phone_hash").hash_of(i["reporter_phone"])
            set_report_deadlines(case, past.at)
            cases.append(case)
            by_key[past.key] = case
            events.append(CaseEvent(case=case, kind="created", actor=actor, actor_name=actor_label(actor)[:150],
                                    at=past.at, to_status="reported",
                                    data={"channel": channel, "external_id": case.external_id, "photos": 0}))
            if past.notify:
                notes.append((past.at, case, "created", desk_users(case.place_path), "", actor))
            for at, name, who, data in past.steps:
                chain = [(name, who, data)]
                while chain:
                    name, who, data = chain.pop(0)
                    clock["at"] = at
                    if name == "verify":
                        # The verify action's own work; its points to the reporter are awarded below,
                        # once the case has its id (the source names it).
                        out, case.verified_at = Outcome(), at
                        verified.append(case)
                        if case.has_contact:
                            out.notify.append(verify_notice(case))
                        else:
                            chain.append(("close", None, {"reason_code": "resolved"}))  # nobody to rate it
                    else:
                        out = APPLY[name](case, who, dict(data), at)
                    if name == "rate" and (data["satisfaction"] == Satisfaction.UNSATISFIED or not data["solved"]):
                        # The rating's own consequence (its hook in the action): the case is reopened.
                        chain.append(("reopen", who, {"reason": data.get("comment") or gettext(
                            "The resident is not satisfied."), "by_rating": True}))
                    before = case.status
                    target = TRANSITIONS[name].target
                    if target is not None:
                        case.status = target
                    if out.reply and not out.automatic_reply and case.first_reply_at is None:
                        case.first_reply_at = at
                    case.version += 1
                    case.updated_at = at
                    events.append(CaseEvent(case=case, kind=name, actor=who, actor_name=actor_label(who)[:150], at=at,
                                            from_status=before, to_status=case.status, note=out.note, reply=out.reply,
                                            data=out.data))
                    if past.notify:  # worded now, as the runner words them after the step
                        notes.extend((at, case, kind, list(ids), str(text), who)
                                     for kind, ids, text in out.notify)
    last = {id(e.case): e.at for e in events}
    insert_many(cases, batch_size=500)
    for case in cases:  # auto_now_add and auto_now stamped the insert's time
        case.created_at, case.updated_at = case.reported_at, last[id(case)]
    Case.objects.bulk_update(cases, ["created_at", "updated_at"], batch_size=500)
    for event in events:
        event.case = event.case  # the case's id, now that it has one
    insert_many(events, batch_size=1000)
    audits = []
    for event in events:
        case, clock["at"] = event.case, event.at
        if event.kind == "created":
            audits.append(audit_entry(action="cases.case_create", actor=event.actor, target=case,
                                      actor_name="" if event.actor is not None else actor_label(None),
                                      detail=created_audit_detail(case, case.category)))
        else:
            audits.append(audit_entry(
                action=f"cases.case_{event.kind}", actor=event.actor, target=case,
                actor_name="" if event.actor is not None else "system",
                detail={"from": event.from_status, "to": event.to_status, "event": event.pk, **_audit_data(event.data)}))
    insert_many(audits, batch_size=1000)
    for case in verified:
        clock["at"] = case.verified_at
        points_award_reporter(reporter=case.reporter, phone_hash=case.reporter_phone_hash,
                              source=f"cases.case:{case.pk}:verified", actor=None)
    for at, case, kind, ids, text, who in sorted(notes, key=lambda n: n[0]):
        clock["at"] = at
        if kind == "created":
            created_notice(case, ids, who)
        else:
            case_notice(case, kind=kind, user_ids=ids, text=text, exclude=getattr(who, "pk", None))
    return by_key


@contextmanager
def _recipients_cached() -> Iterator[None]:
    """While the history is replayed, the transitions' reads of whom to tell (not told: the notices of the
    past are not written) are answered once per place and department."""
    import functools

    from linli.cases.actions import transitions

    saved = {name: getattr(transitions, name) for name in ("users_over", "department_users")}
    transitions.users_over = functools.cache(saved["users_over"])  # type: ignore[assignment]
    transitions.department_users = functools.cache(saved["department_users"])  # type: ignore[assignment]
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(transitions, name, fn)


def _settle_notices(now: datetime) -> None:
    """The year's notices were read and sent when they were new: older than two days, read and sent."""
    from linli.notifications.models import Delivery, Notice

    cutoff = now - timedelta(days=2)
    Delivery.objects.filter(notice__created_at__lt=cutoff, status="pending").update(status="sent", sent_at=cutoff)
    Notice.objects.filter(created_at__lt=cutoff, user__isnull=False, read_at__isnull=True).update(
        read_at=cutoff, fanout_pending=False)


@transaction.atomic
def demo_extend(demo: Any) -> None:
    """A year of cases on the demo street (called by ``linli.accounts.demo.demo_build``)."""
    from linli.cases.kpi import kpi_add_cases
    from linli.cases.open_counts import state_counts_add
    from linli.core.audit import audit_record
    from linli.core.models import AuditEntry
    from linli.residents.demo import demo_size

    if AuditEntry.objects.filter(action="cases.demo_build").exists():
        return
    now = timezone.now()
    cast = demo_cast(demo)
    planner = demo_plan(demo, cast, size=demo_size(), now=now)
    with demo_clock() as clock:
        written = history_write(planner.history, clock)
    history = [c.pk for c in written.values()]
    kpi_add_cases(history)
    state_counts_add(history)
    counts = {**demo_run(planner, now=now), "history": len(history)}
    _settle_notices(now)
    audit_record(action="cases.demo_build", actor=None, actor_name="console", target=demo.street,
                 detail={**counts, "lives": dict(planner.lives)})
