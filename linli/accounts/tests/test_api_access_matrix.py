"""The API's access matrix: every endpoint that takes an id answers 404 to a user for whom that object is
out of scope, exactly as for an id that does not exist.

The endpoints are found by walking ``config.api.api``'s routers, so an endpoint added tomorrow is in the
matrix without anyone editing this file, except to say how to make an object of a new kind: for a
path parameter ``<name>`` that is not in ``OUT_OF_SCOPE_IDS`` below, define a fixture
``api_outsider_id_<name>`` (in the root ``conftest.py`` or the personas plugin) returning the id of an
object in community 1 / grid A that the outsiders below must not see. Request bodies and required query
parameters are filled in from the OpenAPI schema.

An object the whole community sees (a meeting's decision, a community's campaign) is not out of the sibling
grid's scope: for a parameter named in ``COMMUNITY_WIDE`` the outsiders are the other community's staff and
its grid worker, and the sibling grid's worker, who sees the object, must not get 404 (the exemption stays
true).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from linli.accounts.tests.conftest import bearer, issue_token

PARAM_RE = re.compile(r"\{(?:[^}:]+:)?([^}]+)\}")
MISSING_ID = 2_000_000_000

# Personas for whom community 1 / grid A is out of scope: community staff of the other community, and
# the grid worker of the sibling grid.
OUTSIDERS = ["outsider", "grid_worker_b"]

# Objects the whole of community 1 sees (so the sibling grid's worker too): another community's grid worker
# stands in for the sibling grid's. Each entry says why; the list may only shrink.
COMMUNITY_WIDE = {
    "decision_id": "a meeting's decision is the community's (deliberation/access.py: the community deliberates "
                   "in the open); only its managers carry it out or cancel it",
    "campaign_id": "a community's campaign (创文创卫) is seen by the inspectors under it (evaluation/access.py "
                   "CampaignQuerySet); only its organisers start, finish or cancel it",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the OpenAPI form: /api/v1/places/{place_id}
    params: tuple[str, ...]
    name: str


def api_routes() -> list[Route]:
    import config.urls  # noqa: F401  (builds the API's routers)
    from config.api import api

    base = reverse("api:api-root").rstrip("/")
    routes: list[Route] = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            parts = [p.strip("/") for p in (prefix, path) if p.strip("/")]
            full = base + "/" + "/".join(parts)
            full = PARAM_RE.sub(lambda m: "{" + m.group(1) + "}", full)
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.append(
                        Route(method, full, tuple(PARAM_RE.findall(full)), operation.view_func.__name__)
                    )
    return routes


# Endpoints whose path parameter names no object in a place: who may call them is a permission, tested
# where named. Each entry says why; the list may only shrink.
NOT_SCOPED = {
    "rule_update": "a points rule ({code}) is the street's configuration, not a place's: points.manage "
                   "decides (linli/points/tests/test_api.py, the PATCH /rules/{code} test)",
}
ID_ROUTES = [r for r in api_routes() if r.params and r.name not in NOT_SCOPED]


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def sample(schema: dict, components: dict) -> Any:
    """A minimal value that satisfies ``schema`` (enough to get past validation to the scope check)."""
    schema = _resolve(schema, components)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return sample(options[0], components)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: sample(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return [sample(schema.get("items", {}), components) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(max(schema.get("minimum", 1), 1))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-01-05"
    if fmt == "date-time":
        return "2026-01-05T09:00:00+08:00"
    return "x" * max(int(schema.get("minLength", 0)), 4)


@functools.cache
def _openapi() -> dict:
    from config.api import api

    return api.get_openapi_schema()


def _request_parts(route: Route) -> tuple[dict, Any]:
    openapi = _openapi()
    components = openapi.get("components", {}).get("schemas", {})
    operation = openapi["paths"][route.path][route.method.lower()]
    query = {
        p["name"]: sample(p["schema"], components)
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = sample(content["application/json"]["schema"], components)
    return query, body


@pytest.fixture
def out_of_scope_ids(world, resident, grid_worker_a, community_staff) -> dict[str, int]:
    """Objects in community 1 / grid A, and other users' own things."""
    from linli.accounts.models import ApiToken

    issue_token(grid_worker_a)
    return {
        "place_id": world.grid_a.pk,
        "user_id": resident.pk,
        "token_id": ApiToken.objects.get(user=grid_worker_a).pk,
    }


def _id_for(request, ids: dict[str, int], param: str) -> int:
    if param in ids:
        return ids[param]
    try:
        return request.getfixturevalue(f"api_outsider_id_{param}")
    except pytest.FixtureLookupError:
        pytest.fail(
            f"The API has an endpoint taking {{{param}}} but the access matrix cannot make one: define a "
            f"fixture api_outsider_id_{param} (see this module's docstring)."
        )


def _call(client, route: Route, ids: dict[str, int], headers: dict):
    query, body = _request_parts(route)
    url = PARAM_RE.sub(lambda m: str(ids[m.group(1)]), route.path)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, route.method.lower())(url, **kwargs)


def test_the_matrix_covers_the_known_id_endpoints():
    names = {r.name for r in ID_ROUTES}
    assert {"place_detail", "user_detail", "user_phone", "token_revoke"} <= names
    assert set(NOT_SCOPED) <= {r.name for r in api_routes()}, "an exemption for an endpoint that is gone"


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_out_of_scope_id_is_404_like_a_missing_one(request, client, world, out_of_scope_ids, persona, route):
    if persona == "grid_worker_b" and set(route.params) & set(COMMUNITY_WIDE):
        from linli.core.testing.personas import make_user

        user = make_user("worker_c", "grid_worker", place=world.grid_c)  # the other community's grid worker
    else:
        user = request.getfixturevalue(persona)
    headers = bearer(issue_token(user))
    ids = {p: _id_for(request, out_of_scope_ids, p) for p in route.params}
    response = _call(client, route, ids, headers)
    assert response.status_code == 404, (route, response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "not_found"
    missing = _call(client, route, dict.fromkeys(route.params, MISSING_ID), headers)
    assert missing.status_code == 404 and missing.json() == body


@pytest.mark.parametrize(
    "route", [r for r in ID_ROUTES if set(r.params) & set(COMMUNITY_WIDE)], ids=lambda r: f"{r.method} {r.path}"
)
def test_a_community_wide_object_is_seen_by_the_sibling_grid_worker(request, client, out_of_scope_ids, route,
                                                                     grid_worker_b):
    """Why ``COMMUNITY_WIDE`` holds: the sibling grid's worker sees the object (an action they may not take is
    403, not 404). When one answers 404 here, its entry goes."""
    ids = {p: _id_for(request, out_of_scope_ids, p) for p in route.params}
    response = _call(client, route, ids, bearer(issue_token(grid_worker_b)))
    assert response.status_code != 404, (route, response.content[:300])


def test_community_wide_params_are_taken_by_an_endpoint():
    params = {p for r in ID_ROUTES for p in r.params}
    assert set(COMMUNITY_WIDE) <= params, "a community-wide exemption for a parameter no endpoint takes"


def test_in_scope_ids_are_found(client, world, grid_worker_a, system_admin, resident):
    """The positive control: the same endpoints answer their rightful users."""
    from linli.accounts.models import ApiToken
    from linli.accounts.tests.conftest import enrol_totp

    worker = bearer(issue_token(grid_worker_a))
    assert client.get(f"/api/v1/places/{world.grid_a.pk}", **worker).status_code == 200
    token_id = ApiToken.objects.filter(user=grid_worker_a).latest("id").pk
    assert client.post(f"/api/v1/auth/tokens/{token_id}/revoke", **bearer(issue_token(grid_worker_a))).status_code == 200
    enrol_totp(system_admin)
    admin = bearer(issue_token(system_admin))
    assert client.get(f"/api/v1/users/{resident.pk}", **admin).status_code == 200
    assert client.get(f"/api/v1/users/{resident.pk}/phone?reason=check", **admin).status_code == 200
