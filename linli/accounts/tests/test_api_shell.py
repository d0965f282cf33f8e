"""The API shell: OpenAPI and docs pages, and one error shape {code, message, fields} for every error."""

from __future__ import annotations

import pytest

from linli.accounts.tests.conftest import bearer, issue_token
from linli.core.testing.personas import PASSWORD

SHAPE = {"code", "message", "fields"}


def test_openapi_schema_lists_the_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Linli API"
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/places", "/api/v1/places/{place_id}", "/api/v1/users/{user_id}"):
        assert path in schema["paths"]
    assert "BearerAuth" in schema["components"]["securitySchemes"]


def test_docs_page_renders(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()


def test_401_without_credentials_has_the_error_shape(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == SHAPE and body["code"] == "not_authenticated" and body["message"]


def test_401_with_a_made_up_token(client, db):
    response = client.get("/api/v1/me", **bearer("lnl_made-up"))
    assert response.status_code == 401 and set(response.json()) == SHAPE


def test_403_has_the_error_shape(client, community_staff):
    response = client.get("/api/v1/users", **bearer(issue_token(community_staff)))
    assert response.status_code == 403
    body = response.json()
    assert set(body) == SHAPE and body["code"] == "forbidden" and body["message"]


def test_404_has_the_error_shape(client, community_staff):
    response = client.get("/api/v1/places/999999", **bearer(issue_token(community_staff)))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"], "fields": {}}


def test_409_has_the_error_shape(client, system_admin):
    response = client.post(
        "/api/v1/auth/token", {"username": "sys_admin", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 409
    body = response.json()
    assert set(body) == SHAPE and body["code"] == "otp_enrolment_required"


def test_422_names_the_fields(client, db):
    response = client.post("/api/v1/auth/token", {"username": "someone"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == SHAPE and body["code"] == "invalid" and "password" in body["fields"]


def test_422_for_a_bad_query_parameter(client, community_staff):
    response = client.get("/api/v1/places?parent_id=abc", **bearer(issue_token(community_staff)))
    assert response.status_code == 422 and "parent_id" in response.json()["fields"]


@pytest.mark.parametrize("lang, expected", [("en", "Authentication required."), ("zh-hans", None)])
def test_error_messages_follow_the_users_language(client, db, lang, expected):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE=lang)
    message = response.json()["message"]
    if expected:
        assert message == expected
    else:
        assert message != "Authentication required." and any("\u4e00" <= ch <= "\u9fff" for ch in message)
