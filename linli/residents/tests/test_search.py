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


def test_search_elderly_boundary_is_the_month_of_the_sixtieth_birthday(houses, community_staff):
    """The registry keeps the month of birth in clear, not the day: 60+ from the first of that month."""
    from linli.core.idnumber import make_id_number

    month = datetime.date.today().replace(day=1)
    sixty = month.replace(year=month.year - 60)
    next_month = (sixty + datetime.timedelta(days=31)).replace(day=1)
    make_person(houses.house_a1, "本月六十", id_number=make_id_number("330102", sixty.replace(day=28), 11))
    make_person(houses.house_a1, "下月六十", id_number=make_id_number("330102", next_month, 13))
    assert "本月六十" in names(community_staff, tag="elderly_60")
    assert "下月六十" not in names(community_staff, tag="elderly_60")


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
    assert row.id_number == "*" * 16 + people.zhang.id_number[-2:]


# --- the substring index (search_index: pg_trgm / FTS5 trigram over the doubled text) ---------------------


def test_search_given_name_and_two_characters_through_the_index(houses, street_supervisor):
    make_person(houses.house_a1, "张三丰")
    make_person(houses.house_b1, "欧阳三丰")
    make_person(houses.house_a2, "丰三")
    assert names(street_supervisor, "三丰") == ["张三丰", "欧阳三丰"]
    assert names(street_supervisor, "阳三") == ["欧阳三丰"]
    assert names(street_supervisor, "张三丰") == ["张三丰"]
    assert names(street_supervisor, "丰张") == []  # not across the end of one name and the start of another


def test_search_index_does_not_match_across_fields(houses, street_supervisor):
    make_person(houses.house_a1, "李明", current_address="阳光小区1幢", registered_address="明珠路")
    assert names(street_supervisor, "李明") == ["李明"]
    assert names(street_supervisor, "明阳") == []  # end of the name + start of the address
    assert names(street_supervisor, "幢明") == []  # end of one address + start of the other
    assert names(street_supervisor, "明珠") == ["李明"]


def test_search_index_is_case_insensitive_and_takes_quotes_and_percent(houses, street_supervisor):
    make_person(houses.house_a1, "王一", current_address='Sunny Court 5F "B" 50%')
    assert names(street_supervisor, "COURT 5f") == ["王一"]  # letters alone would be pinyin
    assert names(street_supervisor, '"B"') == ["王一"]
    assert names(street_supervisor, "50%") == ["王一"]
    assert names(street_supervisor, "5%") == []  # % is a character here, not a wildcard
    assert names(street_supervisor, "a|b") == []


def test_search_index_follows_renames_and_deletes(houses, street_supervisor):
    from linli.residents.actions import person_update

    person = make_person(houses.house_a1, "钱多多")
    assert names(street_supervisor, "多多") == ["钱多多"]
    person_update(person=person, actor=None, name="钱少少")
    assert names(street_supervisor, "多多") == []
    assert names(street_supervisor, "少少") == ["钱少少"]
    person.refresh_from_db()
    person.occupancies.all().delete()
    person.memberships.all().delete()
    person.delete()
    assert names(street_supervisor, "少少") == []


def test_search_index_keeps_the_scope(houses, community_staff, grid_worker_b):
    make_person(houses.house_a1, "孙悟空")
    assert names(community_staff, "悟空") == ["孙悟空"]
    assert names(grid_worker_b, "悟空") == []


def test_search_index_is_what_answers(houses, street_supervisor):
    """The query reads the substring index (a GIN index scan / an FTS5 MATCH), not every person."""
    from django.db import connection, transaction

    make_person(houses.house_a1, "周星星")
    qs = person_search(street_supervisor, "星星")
    if connection.vendor == "sqlite":
        assert "MATCH" in str(qs.query)
        return
    from linli.residents import search_index
    from linli.residents.models import Person

    assert "residents_search_text" in str(qs.query)
    # The condition is the indexed expression (else PostgreSQL could only ever read every person).
    only_text = Person.objects.filter(search_index.terms_q(["星星"], connection.vendor)).order_by().values("id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # left: a bitmap scan of an index on the condition
        sql, params = only_text.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "residents_person_search" in plan, plan
