"""One anonymisation rule for public cases (issue 11, item 5): the progress board and Open311 show the same case
through ``linli.cases.selectors_public.public_case``, hide and coarsen the same fields the same way, and let
nothing personal through (names, phones, ID numbers, house numbers)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from linli.cases.selectors_public import public_text

pytestmark = pytest.mark.django_db

TITLE = "李秀英反映：3幢2单元301室楼上漏水，张先生家也漏，请联系13812345678或0571-87654321，身份证110105199001011234"
REPLY = "李秀英您好，王师傅明天到3-2-301上门，电话137 1234 5678"
PERSONAL = ["李秀英", "秀英", "张先生", "王师傅", "301室", "2单元301", "3-2-301", "1381234", "5678", "87654321", "0571", "110105", "1234",
            "13900001111", "1111", "幸福家园3幢2单元"]


@pytest.fixture
def shown_case(world, make_case, community_staff, building):
    from linli.cases.actions import case_accept

    case = make_case(title=TITLE, description="描述里也有李秀英和13812345678", reporter_name="李秀英",
                     reporter_phone="13900001111", place=building, lon=120.123456, lat=30.654321,
                     address="幸福家园3幢2单元301室")
    case_accept(case=case, actor=community_staff, reply=REPLY)
    return case


def _board_row(client, world) -> list[str]:
    html = client.get(reverse("cases:board", args=[world.community.pk])).content.decode()
    [row] = re.findall(r'<tr data-testid="board-row">(.*?)</tr>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_board_and_open311_show_a_case_by_one_rule(client, world, shown_case):
    from linli.cases.models import Case
    from linli.cases.selectors import latest_replies
    from linli.cases.selectors_public import public_case

    case = Case.objects.select_related("category", "owner_department", "grid", "community", "place").get(pk=shown_case.pk)
    rule = public_case(case, latest_replies([case.pk])[case.pk])
    number, _day, category, title, where, owner, status = _board_row(client, world)
    [row] = client.get(f"/open311/v2/requests/{case.number}.json").json()

    # the same fields, the same way
    assert number == row["service_request_id"] == rule.number
    assert title == row["description"] == rule.title
    assert rule.title == "某某反映：3幢2单元***室楼上漏水，某先生家也漏，请联系***或***，身份证***"
    assert where == row["address"] == rule.where == "第一网格 · 3幢"  # the building, never the house
    assert owner == row["agency_responsible"] == rule.owner
    assert category == row["service_name"] == rule.category and status == rule.status_label
    assert (row["lat"], row["long"]) == (rule.lat, rule.lon) == (30.654, 120.123)  # about 100 m
    assert row["status_notes"] == rule.reply == "某某您好，某师傅明天到***上门，电话***"
    assert row["media_url"] == ""

    # nothing personal in either (the description, the address, the reporter are never shown)
    for shown in (" ".join([number, title, where, owner, status]), json.dumps(row, ensure_ascii=False)):
        leaked = [p for p in PERSONAL if p in shown]
        assert leaked == [], (leaked, shown)
    xml = client.get(f"/open311/v2/requests/{case.number}.xml").content.decode()
    assert [p for p in PERSONAL if p in xml] == []


def test_the_me_too_list_before_filing_reads_the_same_title(client, world, shown_case, resident):
    client.force_login(resident)
    near = client.get("/api/v1/cases/nearby", {"lon": 120.123456, "lat": 30.654321}).json()
    assert [n["title"] for n in near] == ["某某反映：3幢2单元***室楼上漏水，某先生家也漏，请联系***或***，身份证***"]


@pytest.mark.parametrize(("text", "public"), [
    ("电话 138-1234-5678", "电话 ***"),
    ("+86 13812345678 回电", "*** 回电"),
    ("身份证33010219900101123X", "身份证***"),
    ("座机87654321", "座机***"),
    ("5号楼1502漏水", "5号楼***漏水"),
    ("住在1203户", "住在***户"),
    ("12户居民反映", "12户居民反映"),
    ("3户居民反映", "3户居民反映"),  # a count, not a house
    ("王阿姨和李大爷", "某阿姨和某大爷"),
    ("2026年路灯坏了3盏", "2026年路灯坏了3盏"),
    ("", ""),
])
def test_public_text(text, public):
    assert public_text(text) == public
