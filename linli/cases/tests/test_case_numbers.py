"""Case numbers (issue 18): per district and year, drawn by ONE statement at the END of the intake
transaction, so that intakes of a city never queue behind one row, and a rollback gives the number back."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases.actions import case_create, case_number_next
from linli.cases.models import CaseSequence

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")


def _file(place, **kw):
    return case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="路灯不亮", place=place, **kw)


def test_each_district_counts_its_own_numbers(city, categories):
    year = timezone.localdate().year
    a1, a2 = _file(city.grid_a), _file(city.grid_a)
    b1 = _file(city.grid_b)
    assert (a1.number, a2.number) == (f"{year}-330105-000001", f"{year}-330105-000002")
    assert b1.number == f"{year}-330106-000001"
    assert set(CaseSequence.objects.values_list("district", "year", "last")) == {
        ("330105", year, 2), ("330106", year, 1)
    }


def test_a_street_without_codes_numbers_in_the_plain_sequence(db, categories):
    from linli.places.actions import place_create

    street = place_create(kind="street", name="无码街道")
    community = place_create(kind="community", name="无码社区", parent=street)
    case = _file(community)
    assert case.number == f"{timezone.localdate().year}-000001"


def test_a_year_starts_again_at_one(world, categories):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # 2030-01-01 00:30 in Shanghai is still 2029 in UTC: the local year counts.
    at = datetime(2030, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = _file(world.grid_a, reported_at=at)
    assert case.number == "2030-330102-000001"


def test_the_draw_is_one_statement(db):
    with CaptureQueriesContext(connection) as queries:
        assert case_number_next(2041, "330102") == "2041-330102-000001"
    assert len(queries) == 1


def test_a_rollback_gives_the_number_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_number_next(2042, "330102")
        raise RuntimeError
    assert case_number_next(2042, "330102") == "2042-330102-000001"


def test_the_number_is_drawn_where_it_holds_nobody_up(world, categories):
    table = CaseSequence._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        case = _file(world.grid_a)
    sqls = [q["sql"] for q in queries]
    draw = next(i for i, sql in enumerate(sqls) if table in sql and "INSERT" in sql)
    after = [sql for sql in sqls[draw + 1:] if not sql.upper().startswith(("SAVEPOINT", "RELEASE", "COMMIT"))]
    if connection.vendor == "postgresql":
        # Drawn last, by the statement that writes it into the case (the district's row is locked only
        # from there to the commit): only the audit row follows.
        assert "UPDATE" in sqls[draw] and "cases_case" in sqls[draw]
        assert len(after) == 1 and "core_auditentry" in after[0], after
    else:
        # SQLite has one writer at a time (the whole database is locked from the first write): the number
        # is drawn first and inserted with the case, never written twice.
        assert any(sql.startswith('INSERT INTO "cases_case"') for sql in after), after
        assert not any(sql.startswith('UPDATE "cases_case"') for sql in sqls), sqls
    assert not case.number.startswith("~")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_numbers_drawn_at_once_in_one_district_never_collide(db):
    numbers: list[str] = []
    barrier = threading.Barrier(4)

    def draw():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(case_number_next(2043, "330105"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"2043-330105-{n:06d}" for n in range(1, 21)]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_open_intake_in_one_district_does_not_hold_up_another_district(db):
    """District A's transaction holds its sequence row; district B draws at once (the old city-wide row
    made B wait for A's commit)."""
    case_number_next(2044, "330105")
    case_number_next(2044, "330106")
    holding = threading.Event()
    release = threading.Event()

    def hold_a():
        try:
            with transaction.atomic():
                case_number_next(2044, "330105")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    t = threading.Thread(target=hold_a)
    t.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        with transaction.atomic():
            assert case_number_next(2044, "330106") == "2044-330106-000002"
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        t.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
