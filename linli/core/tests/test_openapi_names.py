"""The published OpenAPI schema matches what the endpoints return: no two different schemas of the API
share a name (django-ninja keys components by class name, so the second one silently replaced the
first in /api/v1/openapi.json: /me, the case notes and the reveal answers described the wrong shape)."""

from __future__ import annotations

from collections import defaultdict

import pydantic

GENERATED = {"BodyParams", "PathParams", "QueryParams", "NinjaResponseSchema", "FormParams", "FileParams"}


def _models_of_api():
    from config.api import api

    seen: dict[str, set[type]] = defaultdict(set)

    def walk(t, depth=0):
        if depth > 8:
            return
        if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
            if t in seen[t.__name__]:
                return
            seen[t.__name__].add(t)
            for f in t.model_fields.values():
                walk(f.annotation, depth + 1)
        for arg in getattr(t, "__args__", ()) or ():
            walk(arg, depth + 1)

    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for op in view.operations:
                for model in op.models:
                    walk(model)
                for model in (op.response_models or {}).values():
                    walk(model)
    return seen


def test_no_two_api_schemas_share_a_name():
    clashes = {name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
               for name, models in _models_of_api().items() if len(models) > 1 and name not in GENERATED}
    assert not clashes, clashes


def test_openapi_components_describe_the_me_endpoint(client, resident):
    from linli.core.testing.personas import PASSWORD

    schema = client.get("/api/v1/openapi.json").json()
    me = schema["paths"]["/api/v1/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][me["$ref"].rsplit("/", 1)[1]]
    assert client.login(username=resident.username, password=PASSWORD)
    body = client.get("/api/v1/me").json()
    assert set(component["properties"]) == set(body)
