"""No 500 for ordinary input: numbers beyond 2^63, very long and NUL-bearing text, JSON that is not an
object, deleting a house people live in; and the API answers every error in its one shape."""

from __future__ import annotations

import pytest
from django.test import Client

from linli.core.testing.personas import PASSWORD

HUGE = str(2**64 + 7)


def _api_shape(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    data = response.json()
    assert set(data) == {"code", "message", "fields"}, data
    return data


@pytest.fixture
def staff_client(community_staff) -> Client:
    client = Client()
    assert client.login(username=community_staff.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("url", [
    f"/api/v1/residents/persons?after={HUGE}",
    f"/api/v1/residents/persons?place={HUGE}",
    f"/api/v1/residents/persons?size={HUGE}",
    f"/api/v1/residents/persons/{HUGE}",
    f"/api/v1/residents/households/{HUGE}",
    f"/api/v1/residents/households?after={HUGE}",
    f"/api/v1/places/{HUGE}",
    f"/api/v1/cases/{HUGE}",
    f"/api/v1/cases?after={HUGE}",
    f"/api/v1/points/persons/{HUGE}",
    "/api/v1/residents/persons/-" + HUGE,
])
def test_api_numbers_beyond_the_database_are_refused(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code in (200, 404, 422), (url, response.status_code)
    if response.status_code != 200:
        _api_shape(response)


@pytest.mark.parametrize("url", [f"/registry/persons/{HUGE}/", f"/registry/households/{HUGE}/",
                                 f"/registry/?after={HUGE}", f"/registry/?place={HUGE}", f"/cases/{HUGE}/"])
def test_pages_numbers_beyond_the_database_are_no_error(staff_client, url):
    assert staff_client.get(url).status_code in (200, 302, 400, 404), url


@pytest.mark.parametrize("q", ["x" * 50_000, "张" * 50_000, "a\x00b", "\x00"])
def test_long_and_nul_search_words(staff_client, q):
    api = staff_client.get("/api/v1/residents/persons", {"q": q})
    assert api.status_code == 422 and _api_shape(api)["code"] == "invalid"
    assert staff_client.get("/registry/", {"q": q}).status_code == 400


def test_search_of_4000_characters_is_answered(staff_client):
    assert staff_client.get("/api/v1/residents/persons", {"q": "张" * 4000}).status_code == 200


@pytest.mark.parametrize("body", ["[1, 2]", "42", '"text"', "null", '{"summary": "a\\u0000b"}', "{not json"])
def test_json_bodies_that_are_not_objects(staff_client, body):
    response = staff_client.post("/api/v1/cases", body, content_type="application/json")
    assert response.status_code in (400, 422), (body, response.status_code)
    _api_shape(response)


def test_unknown_api_path_is_json_404(staff_client):
    response = staff_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _api_shape(response)["code"] == "not_found"


def test_an_unexpected_error_in_the_api_is_json_500(staff_client, monkeypatch):
    from linli.residents import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "person_page", boom)
    response = staff_client.get("/api/v1/residents/persons")
    assert response.status_code == 500
    assert _api_shape(response)["code"] == "server_error"
    assert b"Traceback" not in response.content and b"boom" not in response.content


def test_deleting_a_house_people_live_in_is_refused_with_409(staff_client, world):
    from linli.places.actions import place_create
    from linli.places.models import Place, PlaceKind
    from linli.residents import actions

    compound = place_create(kind=PlaceKind.COMPOUND, name="阳光小区", parent=world.grid_a)
    building = place_create(kind=PlaceKind.BUILDING, name="1栋", parent=compound)
    house = place_create(kind=PlaceKind.HOUSE, name="101", parent=building)
    actions.person_create(actor=None, place=house, name="住户")
    response = staff_client.delete(f"/api/v1/places/{house.pk}")
    assert response.status_code == 409, response.content
    assert _api_shape(response)["code"] == "referenced"
    assert Place.objects.filter(pk=house.pk).exists()


def _database_gone(execute, sql, params, many, context):
    from django.db import OperationalError

    raise OperationalError("server closed the connection unexpectedly")


def test_a_database_that_cannot_be_reached_is_503_with_retry_after_in_the_api(staff_client):
    from django.db import connection

    staff_client.raise_request_exception = False
    with connection.execute_wrapper(_database_gone):
        response = staff_client.get("/api/v1/residents/persons")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    body = _api_shape(response)
    assert body["code"] == "unavailable" and "几秒后再试" in body["message"]
    assert b"server closed" not in response.content


def test_a_database_that_cannot_be_reached_is_a_503_page(staff_client):
    from django.db import connection

    staff_client.raise_request_exception = False
    with connection.execute_wrapper(_database_gone):
        response = staff_client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "服务暂时不可用" in page and "server closed" not in page


class _StandbyCause(Exception):
    sqlstate = "25006"  # read_only_sql_transaction: a pooled connection reached a standby being promoted


def _database_read_only(execute, sql, params, many, context):
    from django.db import InternalError

    raise InternalError("cannot execute INSERT in a read-only transaction") from _StandbyCause()


def _pooler_dropped_the_server(execute, sql, params, many, context):
    """What psycopg raises when PgBouncer answers a BEGIN with its error about a server that died and closes the
    connection (seen in the cluster test's failover): its own InternalError, no SQLSTATE."""
    import psycopg
    from django.db import InternalError

    raise InternalError("received 2 results from command 'BEGIN'") from psycopg.InternalError(
        "received 2 results from command 'BEGIN'")


def _client_side_defect(execute, sql, params, many, context):
    import psycopg
    from django.db import ProgrammingError

    raise ProgrammingError("the query has 2 placeholders but 1 parameters were passed") from psycopg.ProgrammingError(
        "the query has 2 placeholders but 1 parameters were passed")


def _database_defect(execute, sql, params, many, context):
    from django.db import IntegrityError

    raise IntegrityError("duplicate key value violates unique constraint")


@pytest.mark.parametrize("failure", ["_database_read_only", "_pooler_dropped_the_server"])
@pytest.mark.parametrize("path", ["/api/v1/residents/persons", "/"])
def test_a_standby_not_yet_promoted_is_503_too(staff_client, path, failure):
    """Failover errors psycopg raises as InternalError, not OperationalError: a standby not yet promoted (SQLSTATE
    25006), a connection PgBouncer dropped mid-protocol (no SQLSTATE). Still 503, never 500."""
    from django.db import connection

    staff_client.raise_request_exception = False
    with connection.execute_wrapper(globals()[failure]):
        response = staff_client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"read-only" not in response.content and b"BEGIN" not in response.content


@pytest.mark.parametrize("defect", ["_database_defect", "_client_side_defect"])
def test_a_database_defect_is_still_a_500_in_the_api(staff_client, defect):
    """A defect the server reports (IntegrityError) or psycopg finds itself (no SQLSTATE) is not a failover."""
    from django.db import connection

    staff_client.raise_request_exception = False
    with connection.execute_wrapper(globals()[defect]):
        response = staff_client.get("/api/v1/residents/persons")
    assert response.status_code == 500 and "Retry-After" not in response
    assert _api_shape(response)["code"] == "server_error"
    assert b"duplicate key" not in response.content and b"placeholders" not in response.content


def test_any_other_error_is_still_a_500_page(staff_client, monkeypatch):
    from django.db import connection

    def broken(execute, sql, params, many, context):
        raise RuntimeError("boom")

    staff_client.raise_request_exception = False
    with connection.execute_wrapper(broken):
        response = staff_client.get("/")
    assert response.status_code == 500 and "Retry-After" not in response
