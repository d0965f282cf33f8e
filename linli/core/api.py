"""API plumbing shared by every app's router: the orjson renderer and the one error shape
``{"code", "message", "fields"}`` (404 out of scope, 409 refused transition, 422 invalid)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from pydantic import create_model

from linli.core.batches import keyset_page
from linli.core.errors import DomainError

log = logging.getLogger("django.request")


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=str)


# Every operation may answer these, in the one error shape (the handlers below): the published schema says
# so, and tests/test_api_fuzz.py holds every answer to it.
ERROR_STATUSES: dict[int, str] = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Missing, or out of the caller's scope",
    409: "A refused transition or a lost race",
    413: "Too large",
    422: "Invalid input: fields name what is wrong",
    429: "Too many requests",
    503: "The database cannot be reached for a moment (a failover): try again after Retry-After seconds",
}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "ApiError",
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "message", "fields"],
}
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete"})


class LinliAPI(NinjaAPI):
    """The one NinjaAPI: its OpenAPI schema documents the error answers of every operation."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/ApiError"}
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method not in HTTP_METHODS:
                    continue
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": text, "content": {"application/json": {"schema": ref}}}
        return schema


PAGE_SIZE = 50
_PAGES: dict[type, type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The one page shape of a list endpoint: ``items`` and ``next_after`` (pass it back as ``after`` for the
    next page; null when there is no more). Nothing is cut without a word. One class per item schema,
    published as ``<Item>Page``."""
    if item not in _PAGES:
        _PAGES[item] = create_model(
            f"{item.__name__}Page",
            __base__=Schema,
            __module__=item.__module__,
            items=(list[item], ...),  # type: ignore[valid-type]
            next_after=(int | None, Field(None, description="pass as `after` for the next page; null at the end")),
        )
    return _PAGES[item]


def paged(
    qs: Any, out: Callable[[Any], Any], *, after: int | None, size: int | None = PAGE_SIZE, max_size: int = 200,
    ascending: bool = False, batch: bool = False,
) -> dict[str, Any]:
    """One page of ``qs`` for ``page_of``: by primary key through ``core.batches.keyset_page`` (newest first,
    or oldest first for a catalogue in the order it was made), each row through ``out`` (with ``batch``, the
    page's rows at once through ``out``, for items that share a query such as addresses)."""
    rows, next_after = keyset_page(qs, after=after, size=size or PAGE_SIZE, max_size=max_size, ascending=ascending)
    return {"items": out(rows) if batch else [out(row) for row in rows], "next_after": next_after}


def patch_values(payload: Any, current: Any) -> dict[str, Any]:
    """A PATCH body over the object's current values: each field the client sent wins, each it left out keeps
    the object's value (or the schema's default where the object has no such attribute, e.g. a phone kept
    encrypted elsewhere). Updates are PATCH everywhere; this lets an action that takes every field serve."""
    sent = payload.dict(exclude_unset=True)
    return {
        name: sent[name] if name in sent else getattr(current, name, field.default)
        for name, field in type(payload).model_fields.items()
    }


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _fields_from_ninja(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form", "payload")]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, []).append(str(err.get("msg", "")))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return respond(request, exc.status, exc.as_dict())

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        return respond(
            request, 422, error_body("invalid", _("The request is not valid."), _fields_from_ninja(exc.errors))
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, error_body("not_authenticated", _("Authentication required.")))

    @api.exception_handler(AuthorizationError)
    def forbidden(request, exc):
        return respond(request, 403, error_body("forbidden", _("You may not do this.")))

    @api.exception_handler(OverflowError)
    def overflow(request, exc):
        return respond(request, 422, error_body("invalid", _("A value is out of range or not acceptable.")))

    @api.exception_handler(DataError)
    def data_error(request, exc):
        return respond(request, 422, error_body("invalid", _("A value is out of range or not acceptable.")))

    @api.exception_handler(DjangoPermissionDenied)
    def django_forbidden(request, exc):
        return respond(request, 403, error_body("forbidden", _("You may not do this.")))

    @api.exception_handler(DjangoValidationError)
    def django_invalid(request, exc: DjangoValidationError):
        return respond(request, 422, error_body("invalid", " ".join(str(m) for m in exc.messages)))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return respond(request, 400, error_body("bad_request", _("The request is not valid.")))

    @api.exception_handler(DatabaseError)
    def database_error(request, exc):
        from linli.core.hostile import UNAVAILABLE_RETRY_AFTER, database_unavailable, unavailable_message

        if not database_unavailable(exc):
            return server_error(request, exc)
        log.error("Database unavailable: %s", request.path, exc_info=exc)
        response = respond(request, 503, error_body("unavailable", str(unavailable_message())))
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response

    @api.exception_handler(Exception)
    def server_error(request, exc):
        # Never an HTML page from the API: the one shape, and the traceback in the log.
        log.error("Internal Server Error: %s", request.path, exc_info=exc)
        return respond(request, 500, error_body("server_error",
                                                _("Something went wrong on our side. It has been logged.")))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {404: "not_found", 409: "refused", 422: "invalid", 401: "not_authenticated", 403: "forbidden"}
        return respond(request, exc.status_code, error_body(code.get(exc.status_code, "error"), str(exc)))
