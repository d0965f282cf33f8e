"""The registry part of the demo street (``linli demo``): compounds, buildings, entrances and houses under
the demo grids, and the fictional people who live there: persons, households with their heads and
GB/T 4761 relationships, occupancies (owner, tenant, resident), shops with their organisations, the owners'
committees (业委会) and property companies (物业公司, 红色物业 for the old compounds) serving the compounds, and
tags.

幸福社区 is shaped exactly like the community of PRODUCT.md §1: 1.3 km² (its boundary comes from
linli/accounts/demo.py), 5 compounds and 2 apartment buildings (standalone buildings under a grid), 119
shops, 2,395 households, 6,779 residents, 18% aged 60+, elderly living alone 5% of residents and 20.02%
migrant workers away (1,357 persons). The other communities are drawn from the same generator with
looser figures.

Everything is fictional: names combine common surnames and given names at random, ID numbers carry the
district code 330102 and a valid check character (GB 11643), phones use the 170/171 virtual-operator
prefixes.

Places go through the places' bulk action (``places_create_bulk``: one call per community); persons, households, members, occupancies, organisations and tags
are written in batches with ``core.inserts.insert_many``, as the Excel import writes them, with one audit row per
community. Deterministic: one seeded generator per community; birth dates are counted back from the day
of the build, and no one is 59 on that day, so the 60+ share stays exact for a year after the build.
Idempotent: a community that already has compounds is left as it is.

Size: ``settings.LINLI_DEMO_SIZE`` (or the environment variable of that name) is ``full`` (the default)
or ``small``: the same places with a few households per compound and one building each, which is what
the test suite builds unless a test asks for the full size.
"""

from __future__ import annotations

import datetime
import math
import os
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from linli.core.audit import audit_record
from linli.core.idnumber import make_id_number
from linli.core.inserts import insert_many
from linli.places.actions import NewPlace, places_create_bulk
from linli.places.models import CompoundKind, HouseUsage, Place, PlaceKind
from linli.residents.models import (
    HEAD_RELATIONSHIP,
    Household,
    HouseholdMember,
    Occupancy,
    OccupancyKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    PersonTag,
    Tag,
    TagSensitivity,
)
from linli.residents.text import name_keys

AREA_CODE = "330102"
BATCH = 1000
SOURCE = "演示数据"
RESIDENT_NAME = "王芳"  # the demo user ``resident``: a Person of grid1's grid, linked by phone
RESIDENT_PHONE = "17000000001"
# The demo users ``member`` and ``volunteer`` are registry persons of the first community too (linked by
# phone, as 王芳 is): name, phone and political status. They take the place of two drawn women of working
# age, so the community's totals do not change.
DEMO_USER_PERSONS = {
    "member": ("孙丽", "17000000002", "01"),
    "volunteer": ("吴敏", "17000000003", "13"),
}
FULL, SMALL = "full", "small"


# --- what each community holds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingType:
    floors: tuple[int, int]  # lowest and highest
    entrances: int
    per_floor: int  # houses per floor and entrance
    area_m2: tuple[int, int]


@dataclass(frozen=True)
class CompoundSpec:
    name: str
    kind: str
    households: int
    building: BuildingType
    shops: int


@dataclass(frozen=True)
class ApartmentSpec:
    """A standalone apartment building, directly under its grid."""

    name: str
    households: int
    building: BuildingType


@dataclass(frozen=True)
class GridSpec:
    code: str
    compounds: tuple[CompoundSpec, ...]
    apartment: ApartmentSpec | None = None

    @property
    def households(self) -> int:
        return sum(c.households for c in self.compounds) + (self.apartment.households if self.apartment else 0)


@dataclass(frozen=True)
class CommunitySpec:
    code: str
    grids: tuple[GridSpec, ...]
    residents: int
    elderly: int  # aged 60+ on the day of the build
    living_alone: int  # elderly living alone (each the only member of a household)
    migrant_away: int
    organisations: tuple[tuple[str, str], ...] = ()  # (kind, name) besides the shops

    @property
    def households(self) -> int:
        return sum(g.households for g in self.grids)


OLD_WALKUP = BuildingType((5, 6), 3, 2, (48, 75))
WORK_UNIT = BuildingType((5, 6), 2, 2, (45, 70))
MID_RISE = BuildingType((7, 7), 2, 3, (55, 90))
HIGH_RISE = BuildingType((11, 11), 2, 2, (89, 140))
TOWER = BuildingType((18, 18), 2, 2, (75, 120))
APARTMENT = BuildingType((18, 18), 1, 4, (40, 60))
SMALL_BUILDING = BuildingType((2, 2), 1, 2, (60, 90))

# 和睦社区's twenty courtyards: (name, kind, households, shops); 645 households, 24 shops.
HARMONY_COURTYARDS: tuple[tuple[str, str, int, int], ...] = (
    ("和睦一院", CompoundKind.OLD, 36, 2), ("和睦二院", CompoundKind.OLD, 30, 0),
    ("和睦三院", CompoundKind.OLD, 34, 2), ("粮站宿舍", CompoundKind.WORK_UNIT, 24, 0),
    ("供销社院", CompoundKind.WORK_UNIT, 20, 2), ("和睦四院", CompoundKind.OLD, 36, 0),
    ("槐树院", CompoundKind.OLD, 33, 2), ("和睦五院", CompoundKind.RENTED, 40, 2),
    ("东井院", CompoundKind.OLD, 30, 0), ("和睦六院", CompoundKind.RELOCATION, 42, 2),
    ("邮电宿舍", CompoundKind.WORK_UNIT, 36, 0), ("和睦七院", CompoundKind.OLD, 34, 2),
    ("西井院", CompoundKind.OLD, 30, 0), ("锦绣小院", CompoundKind.COMMERCIAL, 40, 2),
    ("和睦八院", CompoundKind.OLD, 33, 0), ("水厂宿舍", CompoundKind.WORK_UNIT, 24, 2),
    ("和睦九院", CompoundKind.RENTED, 36, 2), ("枣树院", CompoundKind.OLD, 30, 0),
    ("和睦十院", CompoundKind.OLD, 36, 2), ("学校宿舍", CompoundKind.WORK_UNIT, 21, 2),
)

COMMUNITY_SPECS: tuple[CommunitySpec, ...] = (
    CommunitySpec(
        code="330102900001",
        grids=(
            GridSpec("330102900001-01", (CompoundSpec("幸福家园", CompoundKind.COMMERCIAL, 416, HIGH_RISE, 24),),
                     ApartmentSpec("幸福公寓", 64, APARTMENT)),
            GridSpec("330102900001-02", (CompoundSpec("和平里小区", CompoundKind.OLD, 478, OLD_WALKUP, 24),)),
            GridSpec("330102900001-03", (CompoundSpec("新安苑", CompoundKind.RELOCATION, 479, TOWER, 24),)),
            GridSpec("330102900001-04", (CompoundSpec("纺织厂宿舍", CompoundKind.WORK_UNIT, 479, WORK_UNIT, 24),)),
            GridSpec("330102900001-05", (CompoundSpec("春晖苑", CompoundKind.RENTED, 419, MID_RISE, 23),),
                     ApartmentSpec("滨河公寓", 60, APARTMENT)),
        ),
        residents=6779, elderly=1220, living_alone=339, migrant_away=1357,
        organisations=(("school", "幸福社区幼儿园"), ("unit", "幸福社区卫生服务站"), ("company", "邻里物业服务有限公司")),
    ),
    # 和睦社区: 社区—居民小组—小区楼院—楼栋 (like 泥营社区): twenty small courtyards (小区楼院) of one or two
    # buildings, ten in each residents group's grid (the groups: linli/accounts/demo.py LEVELS).
    CommunitySpec(
        code="330102900002",
        grids=(
            GridSpec("330102900002-01", tuple(
                CompoundSpec(name, kind, households, WORK_UNIT if kind == CompoundKind.WORK_UNIT else OLD_WALKUP, shops)
                for name, kind, households, shops in HARMONY_COURTYARDS[:10])),
            GridSpec("330102900002-02", tuple(
                CompoundSpec(name, kind, households, WORK_UNIT if kind == CompoundKind.WORK_UNIT else OLD_WALKUP, shops)
                for name, kind, households, shops in HARMONY_COURTYARDS[10:])),
        ),
        residents=1796, elderly=395, living_alone=72, migrant_away=180,
        organisations=(("school", "和睦小学"), ("unit", "和睦社区文化家园")),
    ),
    CommunitySpec(
        code="330102900003",
        grids=(
            GridSpec("330102900003-01", (CompoundSpec("平安里", CompoundKind.OLD, 310, OLD_WALKUP, 10),)),
            GridSpec("330102900003-02", (CompoundSpec("安居苑", CompoundKind.RELOCATION, 200, MID_RISE, 6),
                                         CompoundSpec("和园", CompoundKind.RENTED, 165, MID_RISE, 4))),
        ),
        residents=1890, elderly=378, living_alone=81, migrant_away=265,
        organisations=(("unit", "平安社区养老服务中心"), ("company", "平安农贸市场")),
    ),
)
SPECS_BY_CODE = {spec.code: spec for spec in COMMUNITY_SPECS}


# Who serves the compounds (业委会 and 物业公司, each a CompoundService from a date), by community code:
# (kind, name, [the compounds it serves]; a committee sits at its compound, a company at the first one).
# Commercial and relocation compounds have their committees and companies; the old compounds and
# courtyards are served by the community's 红色物业 (a property service led by the community's party
# organisation); some work-unit courtyards have no property service at all.
SERVICES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "330102900001": (
        ("owners_committee", "幸福家园业主委员会", ("幸福家园",)),
        ("owners_committee", "新安苑业主委员会", ("新安苑",)),
        ("owners_committee", "和平里小区业主委员会", ("和平里小区",)),
        ("property_company", "幸福家园物业服务有限公司", ("幸福家园", "春晖苑")),
        ("property_company", "新安苑物业管理有限公司", ("新安苑",)),
        ("property_company", "幸福社区红色物业服务中心", ("和平里小区",)),
        ("property_company", "纺织厂后勤物业服务部", ("纺织厂宿舍",)),
    ),
    "330102900002": (
        ("owners_committee", "锦绣小院业主委员会", ("锦绣小院",)),
        ("property_company", "锦绣物业服务有限公司", ("锦绣小院", "和睦五院", "和睦六院", "和睦九院")),
        ("property_company", "和睦社区红色物业服务站", tuple(
            name for name, kind, _h, _s in HARMONY_COURTYARDS if kind == CompoundKind.OLD)),
    ),
    "330102900003": (
        ("owners_committee", "安居苑业主委员会", ("安居苑",)),
        ("property_company", "平安里红色物业服务站", ("平安里",)),
        ("property_company", "安居物业服务有限公司", ("安居苑", "和园")),
    ),
}
SERVICE_CONTACTS = ("周明", "吴霞", "郑建国", "王秀英", "李强", "陈丽", "刘军", "孙梅")


def demo_size() -> str:
    size = getattr(settings, "LINLI_DEMO_SIZE", None) or os.environ.get("LINLI_DEMO_SIZE") or ""
    if not size:
        size = SMALL if getattr(settings, "TESTING", False) else FULL
    return SMALL if size == SMALL else FULL


def small_spec(spec: CommunitySpec) -> CommunitySpec:
    """The same places with 3 households per compound (2 per apartment building), one small building
    each, one shop per compound, and the full figures' proportions."""
    grids = tuple(
        replace(
            g,
            compounds=tuple(replace(c, households=3, building=SMALL_BUILDING, shops=1) for c in g.compounds),
            apartment=replace(g.apartment, households=2, building=SMALL_BUILDING) if g.apartment else None,
        )
        for g in spec.grids
    )
    households = sum(g.households for g in grids)
    residents = round(households * spec.residents / spec.households)
    return replace(
        spec,
        grids=grids,
        residents=residents,
        elderly=round(residents * spec.elderly / spec.residents),
        living_alone=max(1, round(residents * spec.living_alone / spec.residents)),
        migrant_away=round(residents * spec.migrant_away / spec.residents),
    )


# --- households: which kinds, and who is in them -----------------------------------------------------------

# kind: (members, of whom aged 60+)
HOUSEHOLD_KINDS: dict[str, tuple[int, int]] = {
    "alone": (1, 1),  # an elderly person living alone
    "single": (1, 0),
    "old_couple": (2, 2),
    "couple": (2, 0),
    "family3": (3, 0),
    "family4": (4, 0),
    "with_parent": (4, 1),  # a couple, a child and one of the head's parents
    "three_gen": (5, 2),
    "three_gen6": (6, 2),
    "old_with_child": (2, 1),  # an elderly head and a grown-up child
}
MIX = {"single": .08, "old_couple": .08, "couple": .14, "family3": .30, "family4": .20, "with_parent": .06,
       "three_gen": .06, "three_gen6": .03, "old_with_child": .05}


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` split by ``weights`` (largest remainder), deterministic."""
    raw = {k: total * w / sum(weights.values()) for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], k))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def household_mix(*, households: int, residents: int, elderly: int, living_alone: int) -> dict[str, int]:
    """How many households of each kind give exactly these totals. Elderly are matched by swaps between
    two-person kinds (size kept), then residents by moves that keep the number of elderly."""
    counts = {"alone": living_alone, **_apportion(households - living_alone, MIX)}

    def total(i: int) -> int:
        return sum(HOUSEHOLD_KINDS[k][i] * n for k, n in counts.items())

    def move(source: str, target: str) -> bool:
        if counts[source] <= 0:
            return False
        counts[source] -= 1
        counts[target] += 1
        return True

    while (gap := elderly - total(1)) != 0:
        if gap >= 2 and move("couple", "old_couple"):
            continue
        if gap >= 1 and (move("couple", "old_with_child") or move("old_with_child", "old_couple")):
            continue
        if gap <= -2 and move("old_couple", "couple"):
            continue
        if gap <= -1 and (move("old_with_child", "couple") or move("old_couple", "old_with_child")):
            continue
        raise ValueError("no household mix gives these elderly")
    while (gap := residents - total(0)) != 0:
        if gap > 0 and (move("family3", "family4") or move("couple", "family3") or move("single", "couple")):
            continue
        if gap < 0 and (move("family4", "family3") or move("family3", "couple") or move("couple", "single")):
            continue
        raise ValueError("no household mix gives these residents")
    return counts


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤俞楼应"
)
# Given names by generation (born before 1970, 1970-1995, after 1995) and sex ("1" male, "2" female).
GIVEN_NAMES = {
    ("old", "1"): _words("建国 国强 建华 志强 德明 学文 永福 福生 金荣 荣华 振华 国庆 卫东 建军 长林 炳南 根宝 明华 文忠 家兴"),
    ("old", "2"): _words("秀英 桂英 玉兰 淑珍 凤英 秀兰 桂兰 美华 月娥 金花 彩霞 丽华 素珍 惠芳 玉珍 爱华 秀珍 菊英 兰芳 月英"),
    ("mid", "1"): _words("伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 飞 波 建平 海峰 晓东 志刚 文斌 立新 海涛 俊 毅"),
    ("mid", "2"): _words("芳 娟 敏 静 丽 艳 霞 燕 红 玲 婷 慧 莉 琳 晓红 丽娟 海燕 春梅 雪梅 文静 晓燕 颖 洁 萍"),
    ("new", "1"): _words("子轩 浩然 宇航 梓豪 一鸣 俊杰 博文 天佑 思远 皓轩 明轩 子墨 晨阳 铭泽 睿 嘉豪 宇辰 奕辰 泽宇"),
    ("new", "2"): _words("子涵 欣怡 梓涵 雨桐 诗涵 可馨 一诺 语嫣 思彤 欣妍 雨萱 佳怡 若汐 梦瑶 芷若 心怡 安琪 思琪 诗雨"),
}
ETHNICITIES = (("01", 955), ("03", 15), ("11", 12), ("08", 8), ("10", 5), ("02", 5))
SHOP_BRANDS = _words("好邻居 阿强 老街 福满 小林 惠民 金桥 晨光 悦来 鑫源 和顺 百味 四季 佳美 同心 乐家 春风 康宁 万家 兴隆")
SHOP_TRADES = _words("便利店 理发店 面馆 水果店 药房 五金店 早餐店 洗衣店 快递驿站 花店 茶叶店 烟酒店 修鞋铺 母婴店 "
                     "烘焙坊 蔬菜店 文具店 眼镜店 小吃店 粮油店 家电维修 打印店 宠物店 足浴店")


@dataclass
class Member:
    relationship: str
    sex: str
    age: float  # years on the day of the build
    surname: str
    name: str = ""
    tags: set[str] = field(default_factory=set)
    phone: str | None = None  # None: drawn at random
    political: str = ""  # "": drawn by age
    person: Person | None = None


def person_of(member: Member) -> Person:
    assert member.person is not None, "persons are drawn before they are written"
    return member.person


@dataclass
class Plan:
    kind: str
    members: list[Member]
    tenant: bool = False


class People:
    """Draws households, names, ID numbers and phones for one community from its own generator."""

    def __init__(self, rng: random.Random, today: datetime.date, *, block: int = 0):
        self.rng = rng
        self.today = today
        self.block = block  # ID sequence numbers 200·block … 200·block+199: no clash between communities
        self.ids: set[str] = set()
        self.phones: set[str] = {RESIDENT_PHONE, *(phone for _n, phone, _p in DEMO_USER_PERSONS.values())}

    # ages: nobody is 59 on the day of the build (see the module's docstring)
    def young(self, low: float, high: float) -> float:
        return self.rng.uniform(low, min(high, 58.9))

    def old(self, low: float, high: float) -> float:
        low = max(low, 60.1)
        return self.rng.triangular(low, high, low + 4)  # more people in their sixties than in their eighties

    def sex(self, male: float = 0.5) -> str:
        return "1" if self.rng.random() < male else "2"

    def surname(self) -> str:
        # The commonest surnames come first: weight by rank.
        return SURNAMES[min(int(self.rng.paretovariate(1.1)) - 1, len(SURNAMES) - 1) if self.rng.random() < .6
                        else self.rng.randrange(len(SURNAMES))]

    def spouse_of(self, head: Member) -> Member:
        age = head.age + self.rng.uniform(-4, 4)
        age = min(max(age, 60.1), 95) if head.age >= 60 else min(max(age, 21), 58.9)
        return Member("12" if head.sex == "1" else "11", "2" if head.sex == "1" else "1", age, self.surname())

    def child_of(self, head: Member, spouse: Member | None) -> Member:
        father = head if head.sex == "1" or spouse is None else spouse
        age = max(0.2, head.age - self.rng.uniform(23, 34))
        sex = self.sex()
        return Member("20" if sex == "1" else "30", sex, age, father.surname)

    def parent_of(self, head: Member, sex: str) -> Member:
        age = min(max(head.age + self.rng.uniform(24, 32), 60.1), 96)
        return Member("51" if sex == "1" else "52", sex, age, head.surname if sex == "1" else self.surname())

    def household(self, kind: str) -> Plan:
        s = self.surname
        if kind == "alone":
            return Plan(kind, [Member(HEAD_RELATIONSHIP, self.sex(0.35), self.old(60, 93), s(), tags={"living_alone"})])
        if kind == "single":
            return Plan(kind, [Member(HEAD_RELATIONSHIP, self.sex(0.55), self.young(20, 45), s())])
        if kind == "old_couple":
            head = Member(HEAD_RELATIONSHIP, self.sex(0.7), self.old(60, 88), s())
            return Plan(kind, [head, self.spouse_of(head)])
        if kind == "old_with_child":
            head = Member(HEAD_RELATIONSHIP, self.sex(0.45), self.old(62, 90), s())
            sex = self.sex()
            child_age = self.rng.uniform(max(20, head.age - 38), min(58.9, head.age - 22))
            return Plan(kind, [head, Member("20" if sex == "1" else "30", sex, child_age, head.surname)])
        high = {"couple": 58.9, "family3": 58.9, "family4": 58.9, "with_parent": 56, "three_gen": 45, "three_gen6": 48}[kind]
        low = {"couple": 24, "family3": 25, "family4": 32, "with_parent": 35, "three_gen": 28, "three_gen6": 32}[kind]
        head = Member(HEAD_RELATIONSHIP, self.sex(0.65), self.young(low, high), s())
        spouse = self.spouse_of(head)
        members = [head, spouse]
        children = {"family3": 1, "family4": 2, "with_parent": 1, "three_gen": 1, "three_gen6": 2}.get(kind, 0)
        members += [self.child_of(head, spouse) for _ in range(children)]
        if kind == "with_parent":
            members.append(self.parent_of(head, self.sex(0.3)))
        elif kind in ("three_gen", "three_gen6"):
            members += [self.parent_of(head, "1"), self.parent_of(head, "2")]
        return Plan(kind, members)

    def name(self, member: Member) -> str:
        born = self.today.year - member.age
        era = "old" if born < 1970 else "mid" if born < 1995 else "new"
        return member.surname + self.rng.choice(GIVEN_NAMES[(era, member.sex)])

    def birth_date(self, age: float) -> datetime.date:
        return self.today - datetime.timedelta(days=int(age * 365.2425))

    def id_number(self, birth: datetime.date, sex: str) -> str:
        while True:
            seq = self.block * 200 + self.rng.randrange(100) * 2 + (1 if sex == "1" else 0)
            number = make_id_number(AREA_CODE, birth, seq)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(('170', '171'))}{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def ethnicity(self) -> str:
        return self.rng.choices([c for c, _w in ETHNICITIES], weights=[w for _c, w in ETHNICITIES])[0]

    def political_status(self, age: float) -> str:
        r = self.rng.random()
        if age < 14:
            return ""
        if age < 28:
            return "03" if r < .35 else "01" if r < .39 else "13"
        return "01" if r < (.12 if age >= 60 else .09) else "02" if r < .125 else "13"


# --- places ------------------------------------------------------------------------------------------------


@dataclass
class House:
    node: NewPlace  # written by ``places_create_bulk`` (``place`` once written)
    address: str

    @property
    def place(self) -> Place:
        assert self.node.place is not None, "the places of the block are not written yet"
        return self.node.place


@dataclass
class Block:
    """A compound or an apartment building: its residential houses and its shop houses."""

    name: str
    kind: str  # a CompoundKind, or "" for an apartment building
    households: int
    houses: list[House] = field(default_factory=list)
    shops: list[House] = field(default_factory=list)
    buildings: list[NewPlace] = field(default_factory=list)


def _create(nodes: list[NewPlace], kind: str, name: str, parent: Place | NewPlace, *, geometry: Any = None,
            **attrs: Any) -> NewPlace:
    """A node to write (all of a community's at once, through ``places_create_bulk``)."""
    node = NewPlace(kind=kind, name=name, parent=parent, geometry=geometry, attrs=attrs)
    nodes.append(node)
    return node


def _largest(shape: BaseGeometry) -> Polygon:
    if shape.geom_type == "MultiPolygon":
        return max(shape.geoms, key=lambda p: p.area)
    return shape


def _lattice(shape: BaseGeometry, n: int) -> list[tuple[float, float]]:
    """``n`` points spread over ``shape`` (metres) in rows, north-west first: where the buildings stand."""
    inner = shape.buffer(-15)
    if inner.is_empty or inner.area < shape.area * .2:
        inner = shape
    minx, miny, maxx, maxy = inner.bounds
    step = max(maxx - minx, maxy - miny)
    points: np.ndarray = np.empty((0, 2))
    while step > 2:
        xs = np.arange(minx + step * .375, maxx, step * .75)
        ys = np.arange(maxy - step * .5, miny, -step)
        grid = np.array([(x, y) for y in ys for x in xs]) if len(xs) and len(ys) else np.empty((0, 2))
        if len(grid):
            points = grid[shapely.contains_xy(inner, grid[:, 0], grid[:, 1])]
        if len(points) >= n:
            break
        step *= .92
    if len(points) < n:  # a sliver: stack them at a point inside
        p = inner.representative_point()
        return [(p.x, p.y)] * n
    picks = [points[math.floor(i * len(points) / n)] for i in range(n)]
    return [(float(x), float(y)) for x, y in picks]


def _compound_shapes(grid_m: BaseGeometry, spec: GridSpec) -> tuple[list[Polygon], tuple[float, float] | None]:
    """The compounds' boundaries inside a grid (metres) and where its apartment building stands. The
    compounds keep 35 m from the grid's border (the streets); two compounds are split by a lane."""
    from linli.accounts.demo import _split

    inner = _largest(grid_m.buffer(-35, join_style="mitre"))
    apartment = None
    if spec.apartment is not None:
        corner = _largest(inner.buffer(-70))
        spots = _lattice(corner if not corner.is_empty else inner, 40)
        apartment = max(spots, key=lambda p: p[0] + p[1])  # the north-east corner
        inner = _largest(inner.difference(Point(apartment).buffer(60, cap_style="square")))
    if len(spec.compounds) == 1:
        return [inner], apartment
    if len(spec.compounds) > 2:
        return _cells(inner, len(spec.compounds)), apartment
    cx = inner.centroid.x
    miny, maxy = inner.bounds[1] - 10, inner.bounds[3] + 10
    west, _east = _split(inner, (cx - 12, miny), (cx - 12, maxy))
    _west, east = _split(inner, (cx + 12, miny), (cx + 12, maxy))
    return [_largest(west), _largest(east)], apartment


def _cells(shape: BaseGeometry, n: int) -> list[Polygon]:
    """``n`` courtyards tiling ``shape`` (metres) in rows and columns, split by 10 m lanes; the largest
    cells first, then west to east and north to south."""
    from shapely.geometry import box

    cols = math.ceil(math.sqrt(n * 1.5))
    while True:
        rows = math.ceil(n / cols) + 1
        minx, miny, maxx, maxy = shape.bounds
        w, h = (maxx - minx) / cols, (maxy - miny) / rows
        cells = []
        for r in range(rows):
            for c in range(cols):
                cell = shape.intersection(box(minx + c * w + 5, maxy - (r + 1) * h + 5, minx + (c + 1) * w - 5, maxy - r * h - 5))
                if not cell.is_empty and cell.area > 800:
                    cells.append((r, c, _largest(cell)))
        if len(cells) >= n:
            break
        cols += 1
    chosen = sorted(cells, key=lambda t: -t[2].area)[:n]
    return [cell for _r, _c, cell in sorted(chosen, key=lambda t: (t[0], t[1]))]


def _building_floors(rng: random.Random, kind: BuildingType, households: int) -> list[int]:
    """The floors of each building, buildings added until their houses hold the households."""
    floors: list[int] = []
    while sum(floors) * kind.entrances * kind.per_floor < households:
        floors.append(rng.randint(*kind.floors))
    return floors


def _area(rng: random.Random, bounds: tuple[int, int]) -> Decimal:
    return Decimal(rng.randrange(bounds[0] * 10, bounds[1] * 10)) / 10


def _build_block(
    rng: random.Random, nodes: list[NewPlace], *, parent: Place | NewPlace, name: str, kind: BuildingType, floors_list: list[int], shops: int,
    points: list[tuple[float, float]], prefix: str, standalone: bool = False,
) -> tuple[list[House], list[House], list[NewPlace]]:
    """The buildings (at ``points``), entrances, houses and shop houses (on the ground floor of the first
    buildings) of a compound or of one standalone building, added to ``nodes``."""
    from linli.accounts.demo import as_geojson

    houses: list[House] = []
    shop_houses: list[House] = []
    buildings: list[NewPlace] = []
    shop_buildings = max(1, min(len(floors_list), math.ceil(shops / 3))) if shops else 0
    for b, floors in enumerate(floors_list, start=1):
        building_name = name if standalone else f"{b}栋"
        geometry = as_geojson(Point(points[b - 1]))
        building = _create(nodes, PlaceKind.BUILDING, building_name, parent, floors=floors, geometry=geometry)
        buildings.append(building)
        where = f"{prefix}{building_name}" if not standalone else building_name
        if b <= shop_buildings:
            count = shops // shop_buildings + (1 if b <= shops % shop_buildings else 0)
            for k in range(1, count + 1):
                shop = _create(nodes, PlaceKind.HOUSE, f"{k}号商铺", building, usage=HouseUsage.SHOP, floor=1,
                               area_m2=_area(rng, (20, 80)))
                shop_houses.append(House(shop, f"{where} {shop.name}"))
        for e in range(1, kind.entrances + 1):
            entrance = _create(nodes, PlaceKind.ENTRANCE, f"{e}单元", building)
            for floor in range(1, floors + 1):
                for i in range(1, kind.per_floor + 1):
                    house = _create(nodes, PlaceKind.HOUSE, f"{floor}{i:02d}", entrance, usage=HouseUsage.RESIDENTIAL,
                                    floor=floor, area_m2=_area(rng, kind.area_m2))
                    houses.append(House(house, f"{where} {entrance.name} {house.name}"))
    return houses, shop_houses, buildings


def build_places(rng: random.Random, grid: Place, spec: GridSpec, nodes: list[NewPlace]) -> list[Block]:
    """Compounds (with boundaries), buildings (with points), entrances and houses of one grid, added to
    ``nodes`` (written by the caller through ``places_create_bulk``)."""
    from linli.accounts.demo import as_geojson, to_metres
    from linli.places import geo

    grid_shape = geo.geometry_of(grid.geometry)
    grid_m = to_metres(grid_shape) if grid_shape is not None else Point(0, 0).buffer(300)
    shapes, apartment_at = _compound_shapes(grid_m, spec)
    blocks = []
    for compound_spec, shape in zip(spec.compounds, shapes, strict=True):
        compound = _create(nodes, PlaceKind.COMPOUND, compound_spec.name, grid, compound_kind=compound_spec.kind,
                           geometry=as_geojson(shape))
        floors = _building_floors(rng, compound_spec.building, compound_spec.households)
        houses, shops, buildings = _build_block(
            rng, nodes, parent=compound, name=compound_spec.name, kind=compound_spec.building, floors_list=floors,
            shops=compound_spec.shops, points=_lattice(shape, len(floors)), prefix=f"{compound_spec.name} ",
        )
        blocks.append(Block(compound_spec.name, compound_spec.kind, compound_spec.households, houses, shops, buildings))
    if spec.apartment is not None and apartment_at is not None:
        a = spec.apartment
        floors = _building_floors(rng, a.building, a.households)[:1]  # one building
        if floors[0] * a.building.entrances * a.building.per_floor < a.households:
            raise ValueError("the apartment building is too small for its households")
        houses, shops, buildings = _build_block(
            rng, nodes, parent=grid, name=a.name, kind=a.building, floors_list=floors, shops=0,
            points=[apartment_at], prefix="", standalone=True,
        )
        blocks.append(Block(a.name, "", a.households, houses, shops, buildings))
    return blocks


# --- the build ---------------------------------------------------------------------------------------------


def _tags() -> dict[str, Tag]:
    return {t.code: t for t in Tag.objects.filter(community__isnull=True, builtin=True)}


def _custom_tag(community: Place) -> Tag:
    from linli.residents.actions import tag_create

    existing = Tag.objects.filter(community=community, code="veteran").first()
    return existing or tag_create(community=community, code="veteran", name="退役军人", actor=None,
                                  sensitivity=TagSensitivity.INTERNAL, description="")


def _plans(people: People, spec: CommunitySpec, *, resident_first: bool) -> list[Plan]:
    mix = household_mix(households=spec.households, residents=spec.residents, elderly=spec.elderly,
                        living_alone=spec.living_alone)
    plans = [people.household(kind) for kind in sorted(mix) for _ in range(mix[kind])]
    people.rng.shuffle(plans)
    if resident_first:
        _resident_first(plans)
    # Migrant workers away: working-age members of families (not people who live by themselves, nor the
    # demo user's household).
    eligible = [m for p in plans[int(resident_first):] if len(p.members) > 1 for m in p.members if 18 <= m.age <= 55]
    for member in people.rng.sample(eligible, spec.migrant_away):
        member.tags.add("migrant_away")
    return plans


def _resident_first(plans: list[Plan]) -> None:
    """The first household (grid1's first house) is the demo user ``resident``'s: 王芳, 38, with her
    husband and their child."""
    index = next(i for i, p in enumerate(plans) if p.kind == "family3")
    plans.insert(0, plans.pop(index))
    head, husband, child = plans[0].members
    head.sex, head.age, head.surname, head.name, head.phone = "2", 38.4, "王", RESIDENT_NAME, RESIDENT_PHONE
    husband.sex, husband.relationship, husband.age = "1", "11", 40.2
    child.age, child.surname = 9.7, husband.surname
    taken = {id(plans[0])}
    for name, phone, political in DEMO_USER_PERSONS.values():
        plan = next(
            p for p in plans
            if id(p) not in taken and p.members[0].sex == "2" and 25 <= p.members[0].age < 60 and not p.tenant
        )
        taken.add(id(plan))
        head = plan.members[0]
        head.surname, head.name, head.phone, head.political = name[0], name, phone, political


def _occupied(rng: random.Random, houses: list[House], n: int, *, keep_first: bool) -> list[House]:
    if n > len(houses):
        raise ValueError("more households than houses")
    if keep_first:
        return [houses[0], *[houses[i] for i in sorted(rng.sample(range(1, len(houses)), n - 1))]] if n else []
    return [houses[i] for i in sorted(rng.sample(range(len(houses)), n))]


def _persons_for(people: People, plan: Plan, house: House, *, today: datetime.date, community: Place,
                 street: Place, moved_in: datetime.date) -> None:
    rng = people.rng
    for m in plan.members:
        m.name = m.name or people.name(m)
        birth = people.birth_date(m.age)
        number = people.id_number(birth, m.sex)
        with_phone = m.age >= 16 and rng.random() < (0.6 if m.age >= 80 else 0.95)
        phone = m.phone if m.phone is not None else people.phone() if with_phone else ""
        initials, pinyin = _name_keys(m.name)
        # Drawn in this order even when the political status is set, so that the same draws follow.
        ethnicity = people.ethnicity()
        drawn_political = people.political_status(m.age)
        m.person = Person(
            name=m.name, name_initials=initials, name_pinyin=pinyin, sex=m.sex, ethnicity=ethnicity,
            political_status=m.political or drawn_political, id_number=number,
            phone=phone, birth_month=birth.replace(day=1),
            registered_address="" if plan.tenant else f"{street.name}{community.name}{house.address.replace(' ', '')}室",
            current_address=house.address[:200], place_id=house.place.pk, place_path=house.place.path,
            status=PersonStatus.ACTIVE, moved_in_on=max(moved_in, birth),
        )


_NAME_KEYS: dict[str, tuple[str, str]] = {}


def _name_keys(name: str) -> tuple[str, str]:
    if name not in _NAME_KEYS:
        _NAME_KEYS[name] = name_keys(name)
    return _NAME_KEYS[name]


def build_community(demo, community: Place, spec: CommunitySpec, *, today: datetime.date) -> dict[str, int]:
    """Places, people and shops of one community. Returns the counts written."""
    rng = random.Random(f"linli-demo-{spec.code}")
    people = People(rng, today, block=COMMUNITY_SPECS.index(SPECS_BY_CODE[spec.code]))
    grids = {g.code: g for g in demo.grids if g.path.startswith(community.path)}
    is_resident_community = community.pk == demo.community.pk
    plans = _plans(people, spec, resident_first=is_resident_community)
    # Places, grid by grid, and who lives in which house.
    placed: list[tuple[Plan, House, Block]] = []
    shops: list[tuple[House, Block]] = []
    org_sites: list[NewPlace] = []
    nodes: list[NewPlace] = []
    cursor = 0
    for grid_spec in spec.grids:
        for block in build_places(rng, grids[grid_spec.code], grid_spec, nodes):
            keep_first = is_resident_community and cursor == 0
            for plan, house in zip(plans[cursor:cursor + block.households],
                                   _occupied(rng, block.houses, block.households, keep_first=keep_first), strict=True):
                share = .65 if block.kind == CompoundKind.RENTED else .4 if block.kind == "" else 0
                plan.tenant = rng.random() < share
                placed.append((plan, house, block))
            cursor += block.households
            shops += [(s, block) for s in block.shops]
            if block.kind and block.buildings:
                org_sites.append(block.buildings[-1])
    places_create_bulk(nodes, actor=None)  # every compound, building, entrance and house at once
    compounds = {n.name: n.place for n in nodes if n.kind == PlaceKind.COMPOUND and n.place is not None}
    street = demo.street
    for plan, house, _block in placed:
        moved_in = today - datetime.timedelta(days=rng.randrange(120, 25 * 365))
        _persons_for(people, plan, house, today=today, community=community, street=street, moved_in=moved_in)
    persons = [person_of(m) for plan, _h, _b in placed for m in plan.members]
    insert_many(persons, batch_size=BATCH)
    if any(p.pk is None for p in persons):  # pragma: no cover - both supported databases return ids
        raise RuntimeError("the database did not return the new persons' ids")
    # Households, members, occupancies.
    numbers = (f"{spec.code[-4:]}{n:05d}" for n in range(1, len(placed) + 1))
    households = insert_many([
        {"number": next(numbers), "head_id": person_of(plan.members[0]).pk, "house_id": house.place.pk,
         "place_path": house.place.path}
        for plan, house, _b in placed
    ], model=Household, batch_size=BATCH)
    members, occupancies = [], []
    for (plan, house, _b), household in zip(placed, households, strict=True):
        for m in plan.members:
            person = person_of(m)
            members.append({"household_id": household.pk, "person_id": person.pk, "relationship": m.relationship,
                            "start_date": person.moved_in_on})
            kind: str = OccupancyKind.RESIDENT
            if m.relationship in (HEAD_RELATIONSHIP, "11", "12"):
                kind = OccupancyKind.TENANT if plan.tenant else OccupancyKind.OWNER
            occupancies.append({"person_id": person.pk, "house_id": house.place.pk, "kind": kind,
                                "start_date": person.moved_in_on})
    insert_many(members, model=HouseholdMember, batch_size=BATCH)
    insert_many(occupancies, model=Occupancy, batch_size=BATCH)
    # Tags.
    tags = _tags()
    veteran = _custom_tag(community)
    person_tags = []

    def tag(member: Member, code: str) -> None:
        person = person_of(member)
        tag_row = veteran if code == "veteran" else tags[code]
        since = max(person.moved_in_on or today, today - datetime.timedelta(days=rng.randrange(30, 3 * 365)))
        person_tags.append({"person_id": person.pk, "tag_id": tag_row.pk, "valid_from": min(since, today),
                            "source": SOURCE})

    for plan, _house, block in placed:
        relocated = block.kind == CompoundKind.RELOCATION and rng.random() < .7
        low_income = rng.random() < .012
        for m in plan.members:
            for code in sorted(m.tags):
                tag(m, code)
            if plan.tenant:
                tag(m, "tenant")
            if relocated:
                tag(m, "relocated")
            if low_income:
                tag(m, "low_income")
            if rng.random() < (.03 if m.age >= 60 else .008):
                tag(m, "disabled")
            if rng.random() < .004:
                tag(m, "special_difficulty")
            if m.age < 16 and rng.random() < .015:
                tag(m, "child_in_difficulty")
            if m.sex == "1" and m.age >= 30 and rng.random() < .025:
                tag(m, "veteran")
    insert_many(person_tags, model=PersonTag, batch_size=BATCH)
    # Shops and other organisations.
    organisations = []
    for shop, _block in shops:
        contact = Member(HEAD_RELATIONSHIP, people.sex(), people.young(25, 58), people.surname())
        organisations.append(Organisation(
            name=f"{rng.choice(SHOP_BRANDS)}{rng.choice(SHOP_TRADES)}", kind=OrganisationKind.SHOP,
            place_id=shop.place.pk, place_path=shop.place.path, contact_name=people.name(contact),
            contact_phone=people.phone(), notes=shop.address,
        ))
    for i, (kind, name) in enumerate(spec.organisations):
        site = org_sites[i % len(org_sites)].place
        assert site is not None
        organisations.append(Organisation(name=name, kind=kind, place_id=site.pk, place_path=site.path))
    insert_many(organisations, batch_size=BATCH)
    serving, services = _services(spec.code, compounds, today=today)
    counts = {
        "households": len(households), "persons": len(persons), "members": len(members),
        "occupancies": len(occupancies), "tags": len(person_tags), "organisations": len(organisations),
        "shops": len(shops), "serving": len(serving), "services": len(services),
    }
    audit_record(action="residents.demo_build", actor=None, actor_name="console", target=community, detail=counts)
    return counts


def _services(code: str, compounds: dict[str, Place], *, today: datetime.date) -> tuple[list[Organisation], list[Any]]:
    """The owners' committees and property companies of a community's compounds (``SERVICES``), with the
    compounds each serves, written in batches as ``organisation_create`` and ``organisation_serve`` write
    them: one current committee and one current company per compound, the service's kind and path copied
    from the organisation and the compound. A generator of their own, so the registry's draws stay."""
    from linli.residents.models import CompoundService

    rng = random.Random(f"linli-demo-services-{code}")
    organisations, served = [], []
    for kind, name, names in SERVICES.get(code, ()):
        sites = [compounds[n] for n in names if n in compounds]
        if not sites:
            continue
        organisations.append(Organisation(
            name=name, kind=kind, place_id=sites[0].pk, place_path=sites[0].path,
            contact_name=rng.choice(SERVICE_CONTACTS), contact_phone=f"171{rng.randint(0, 99_999_999):08d}",
        ))
        served.append(sites)
    insert_many(organisations, batch_size=BATCH)
    services, current = [], set()
    for organisation, sites in zip(organisations, served, strict=True):
        for compound in sites:
            if (compound.pk, organisation.kind) in current:
                raise ValueError(f"two current {organisation.kind} for {compound.name}")
            current.add((compound.pk, organisation.kind))
            start = today - datetime.timedelta(days=rng.randrange(200, 8 * 365))
            services.append(CompoundService(organisation=organisation, compound=compound, kind=organisation.kind,
                                            place_path=compound.path, start_date=start))
    insert_many(services, batch_size=BATCH)
    return organisations, services


def _link_resident_user(demo) -> None:
    """The demo user ``resident`` is the Person 王芳 of grid1's grid: they share the phone number."""
    from linli.accounts.actions import user_update

    user = demo.users.get("resident")
    if user is not None and user.phone != RESIDENT_PHONE:
        user_update(user=user, actor=None, changes={"phone": RESIDENT_PHONE})


# 平安社区's third level, the building heads (楼长) of its areas: (login, name, compound, building).
BUILDING_HEADS = (("demo-lz-east", "何秀兰", "平安里", "1栋"), ("demo-lz-west", "邓建国", "安居苑", "1栋"))


def _building_heads(demo) -> None:
    """The 楼长 of 平安社区 (片—物业小区/居民小组—楼长): a building head bound to a building of each area."""
    import secrets

    from linli.accounts.actions import role_assign, user_create
    from linli.accounts.models import User

    community = next((c for c in demo.communities if c.code == "330102900003"), None)
    if community is None:
        return
    for login, name, compound, building_name in BUILDING_HEADS:
        building = Place.objects.filter(kind=PlaceKind.BUILDING, name=building_name, parent__name=compound,
                                        path__startswith=community.path).first()
        if building is None or User.objects.filter(username=login).exists():
            continue
        password = getattr(demo, "staff_password", None) or secrets.token_urlsafe(24) + "Aa1!"
        user = user_create(username=login, password=password, display_name=name, actor=None)
        role_assign(user=user, role="building_head", place=building, actor=None)


@transaction.atomic
def demo_extend(demo) -> None:
    """Add the registry to the demo street (called by ``linli.accounts.demo.demo_build``)."""
    today = timezone.localdate()
    size = demo_size()
    for community in demo.communities:
        spec = SPECS_BY_CODE.get(community.code)
        if spec is None or Place.objects.filter(path__startswith=community.path, kind=PlaceKind.COMPOUND).exists():
            continue
        build_community(demo, community, small_spec(spec) if size == SMALL else spec, today=today)
    _link_resident_user(demo)
    _building_heads(demo)
