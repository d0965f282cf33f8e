"""Reads from a standby where they pay (reports), never for access checks, actions or anything in a
transaction; a client that just wrote reads from the primary until the standby has replayed its write."""

import pytest
from django.core import signing
from django.db import connection, connections, transaction
from django.test import RequestFactory

from linli.core import replica
from linli.core.models import CalendarDay
from linli.core.replica import COOKIE, COOKIE_SALT, ReplicaRouter, alias_for, reading_from, replica_reads


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def _request(method="GET", lsn=None):
    request = getattr(RequestFactory(), method.lower())("/x")
    if lsn is not None:
        request.COOKIES[COOKIE] = signing.dumps(lsn, salt=COOKIE_SALT)
    return request


@pytest.mark.django_db(transaction=True)  # no test transaction around: the router sees the real depth
def test_the_router_sends_reads_to_the_replica_only_inside_replica_reads():
    router = ReplicaRouter()
    assert router.db_for_read(CalendarDay) == "default"
    with reading_from("replica"):
        assert router.db_for_read(CalendarDay) == "replica"
        assert router.db_for_write(CalendarDay) == "default"
        with transaction.atomic():  # a read inside a transaction is part of a write: the primary
            assert router.db_for_read(CalendarDay) == "default"
    assert router.allow_migrate("replica", "core") is False and router.allow_migrate("default", "core")


def test_without_a_replica_everything_reads_the_primary(db):
    assert alias_for(_request()) == "default"


def test_a_writer_reads_the_primary_until_the_replica_caught_up(with_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_caught_up", lambda lsn: False)
    assert alias_for(_request(lsn="0/16B3748")) == "default"
    monkeypatch.setattr(replica, "replica_caught_up", lambda lsn: True)
    assert alias_for(_request(lsn="0/16B3748")) == "replica"
    assert alias_for(_request()) == "replica"  # no write of theirs: the standby
    assert alias_for(_request("POST")) == "default"
    forged = _request()
    forged.COOKIES[COOKIE] = "0/FFFFFFFF"  # unsigned: ignored
    assert alias_for(forged) == "replica"


def test_lsns_compare_as_wal_positions():
    assert replica._lsn_value("1/0") > replica._lsn_value("0/FFFFFFFF")
    assert replica._lsn_value("0/16B3748") == 0x16B3748


@pytest.mark.django_db(transaction=True)
def test_access_checks_are_read_before_the_switch(with_replica, monkeypatch):
    from linli.core.testing.personas import make_user
    from linli.places.actions import place_create

    street_supervisor = make_user("sup", "street_supervisor", place=place_create(kind="street", name="某街道"))
    monkeypatch.setattr(replica, "replica_caught_up", lambda lsn: True)
    seen = {}

    @replica_reads
    def view(request):
        seen["scope_cached"] = "scope" in request.user.__dict__
        seen["alias"] = ReplicaRouter().db_for_read(CalendarDay)
        return "ok"

    request = _request()
    request.user = street_supervisor
    assert view(request) == "ok"
    assert seen == {"scope_cached": True, "alias": "replica"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="WAL positions: PostgreSQL")
def test_a_write_leaves_the_primarys_wal_position_in_a_signed_cookie(db, with_replica):
    middleware = replica.ReplicaWriteMarkMiddleware(lambda request: __import__("django.http").http.HttpResponse("ok"))
    response = middleware(_request("POST"))
    lsn = signing.loads(response.cookies[COOKIE].value, salt=COOKIE_SALT)
    assert "/" in lsn and response.cookies[COOKIE]["httponly"]
    assert COOKIE not in middleware(_request("GET")).cookies
    # The primary is no standby: it has replayed everything it will ever have.
    connections["replica"] = connections["default"]
    try:
        assert replica.replica_caught_up(lsn)
    finally:
        del connections["replica"]
