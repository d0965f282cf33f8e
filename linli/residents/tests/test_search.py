"""Registry search: name, pinyin initials and full pinyin, phone and ID tails, full ID and phone through
the hash, address, tags (60+ computed from the date of birth), status."""

from __future__ import annotations

import datetime

import pytest

from linli.residents.actions import person_move_out
from linli.residents.selectors import STATUS_ALL, PersonFilters, person_search
from linli.residents.text import name_keys

from .conftest import make_person


def names(user, q="", **filters):
    return sorted(p.name for p in person_search(user, q, PersonFilters(**filters)))


@pytest.mark.parametrize("q", ["zs", "ZS", "zhangsan", "zhang", "张", "张三"])
def test_search_finds_zhang_san(people, community_staff, q):
    assert "张三" in names(community_staff, q)


def test_search_pinyin_initials_is_prefix(people, community_staff):
    assert names(community_staff, "zs") == ["张三"]
    assert names(community_staff, "s") == []  # not "contains": 李四 (ls) is not found by "s"


def test_search_phone_tail(people, community_staff):
    assert names(community_staff, "5678") == ["张三"]


def test_search_id_tail(people, community_staff):
    assert names(community_staff, people.li.id_number[-4:]) == ["李四"]


def test_search_full_id_number_and_15_digit_form(people, community_staff):
    assert names(community_staff, people.wang.id_number) == ["王五"]
    assert names(community_staff, people.wang.id_number.lower()) == ["王五"]


def test_search_full_phone(people, community_staff):
    assert names(community_staff, "139 0000 1111") == ["李四"]


def test_search_address(people, community_staff):
    assert names(community_staff, "清波街道") == ["李四"]
    assert "张三" in names(community_staff, "阳光小区")


def test_search_address_with_spaces_matches_every_term(people, community_staff):
    address = people.zhang.current_address
    parts = address.split()
    assert len(parts) > 1, address
    assert "张三" in names(community_staff, " ".join(parts[:2]))
    assert names(community_staff, f"{parts[0]} 不存在的楼") == []


def test_search_tag_and_computed_elderly(people, community_staff):
    assert names(community_staff, tag="living_alone") == ["张三"]
    assert names(community_staff, tag="elderly_60") == ["赵老汉"]
    assert names(community_staff, "zlh", tag="elderly_60") == ["赵老汉"]


def test_search_elderly_boundary_is_sixtieth_birthday(houses, community_staff):
    today = datetime.date.today()
    sixty = today.replace(year=today.year - 60) if not (today.month == 2 and today.day == 29) else today.replace(
        year=today.year - 60, day=28)
    from linli.core.idnumber import make_id_number

    make_person(houses.house_a1, "今天六十", id_number=make_id_number("330102", sixty, 11))
    make_person(houses.house_a1, "明天六十", id_number=make_id_number("330102", sixty + datetime.timedelta(days=1), 13))
    assert "今天六十" in names(community_staff, tag="elderly_60")
    assert "明天六十" not in names(community_staff, tag="elderly_60")


def test_search_status_filter(people, community_staff):
    person_move_out(person=people.li, actor=community_staff)
    assert "李四" not in names(community_staff)
    assert names(community_staff, status="moved_out") == ["李四"]
    assert "李四" in names(community_staff, status=STATUS_ALL)


def test_name_keys_surnames_and_latin():
    assert name_keys("张三") == ("zs", "zhangsan")
    assert name_keys("曾小明") == ("zxm", "zengxiaoming")
    assert name_keys("欧阳明华") == ("oymh", "ouyangminghua")
    assert name_keys("单于春") == ("cyc", "chanyuchun")


def test_search_result_rows_are_masked(people, community_staff):
    from linli.residents.selectors import person_rows

    row = person_rows(community_staff, [people.zhang])[0]
    assert row.phone == "138****5678"
    assert row.id_number == people.zhang.id_number[:6] + "********" + people.zhang.id_number[-4:]
