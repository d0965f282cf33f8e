"""Registry test fixtures: compounds, buildings and houses in the personas' grids; workbook builders."""

from __future__ import annotations

import datetime
import io
import itertools
from dataclasses import dataclass
from typing import Any

import pytest

from linli.core.idnumber import make_id_number
from linli.places.actions import place_create
from linli.places.models import PlaceKind

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and error reports go to a temporary directory, never under var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def new_id(birth: datetime.date = datetime.date(1980, 5, 17), *, male: bool = True, area: str = "330102") -> str:
    """A fresh valid ID number (the sequence keeps numbers unique within a test run)."""
    n = next(_seq)
    seq = (n * 2 + (1 if male else 0)) % 1000
    birth = birth + datetime.timedelta(days=n // 500)
    return make_id_number(area, birth, seq)


@dataclass
class Houses:
    compound_a: Any
    building_a: Any
    entrance_a: Any
    house_a1: Any
    house_a2: Any
    compound_b: Any
    building_b: Any
    house_b1: Any


@pytest.fixture
def houses(world) -> Houses:
    ca = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    ba = place_create(kind=PlaceKind.BUILDING, name="1栋", parent=ca)
    ea = place_create(kind=PlaceKind.ENTRANCE, name="1单元", parent=ba)
    a1 = place_create(kind=PlaceKind.HOUSE, name="101", parent=ea)
    a2 = place_create(kind=PlaceKind.HOUSE, name="102", parent=ea)
    cb = place_create(kind=PlaceKind.COMPOUND, name="幸福里", parent=world.grid_b)
    bb = place_create(kind=PlaceKind.BUILDING, name="2号楼", parent=cb)
    b1 = place_create(kind=PlaceKind.HOUSE, name="201", parent=bb)
    return Houses(ca, ba, ea, a1, a2, cb, bb, b1)


def workbook(rows: list[dict[str, Any]], headers: tuple[str, ...] | None = None) -> bytes:
    """An .xlsx like a community's: the template's headers, one dict per row keyed by header."""
    from openpyxl import Workbook

    from linli.residents.excel import DATA_SHEET, HEADERS

    headers = headers or HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def person_row(name: str, id_number: str, **extra: Any) -> dict[str, Any]:
    row = {"姓名": name, "身份证号": id_number, "民族": "汉族", "政治面貌": "群众"}
    row.update(extra)
    return row


def make_person(place, name: str, *, id_number: str | None = None, phone: str = "", tags=(), kind: str = "resident",
                **extra: Any):
    """A person registered by the console at ``place`` (a house, grid or community), with tags by code."""
    from linli.residents.actions import person_create, person_tag_add
    from linli.residents.models import Tag

    person = person_create(actor=None, name=name, place=place, id_number=id_number or new_id(), phone=phone,
                           occupancy_kind=kind, **extra)
    for code in tags:
        person_tag_add(person=person, tag=Tag.objects.get(code=code, community__isnull=True), actor=None)
    return person


@dataclass
class People:
    zhang: Any  # grid A, house a1, living alone, low income (sensitive)
    li: Any  # grid A, house a2
    wang: Any  # grid B, house b1, disabled (sensitive)
    old: Any  # grid A, born 1950 (60+)


@pytest.fixture
def people(houses) -> People:
    zhang = make_person(houses.house_a1, "张三", phone="13812345678", tags=("living_alone", "low_income"))
    li = make_person(houses.house_a2, "李四", phone="13900001111", registered_address="浙江省杭州市上城区清波街道1号")
    wang = make_person(houses.house_b1, "王五", phone="13700002222", tags=("disabled",))
    old = make_person(houses.house_a2, "赵老汉", id_number=new_id(datetime.date(1950, 3, 1)))
    return People(zhang, li, wang, old)


def login(client, user):
    from linli.core.testing.personas import PASSWORD

    assert client.login(username=user.username, password=PASSWORD)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def xlsx_rows(content: bytes, sheet: str = "人员信息") -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(content), read_only=True)[sheet].iter_rows(values_only=True))
