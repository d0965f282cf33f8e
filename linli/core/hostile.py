"""Hostile input changes nothing and costs little: no 500 for ordinary input.

- ``HostileInputMiddleware`` refuses, before any view runs, a request whose path, query string or
  (url-encoded or JSON) body holds a NUL character, or whose query holds a value longer than
  ``LINLI_MAX_PARAM`` characters (4,000): 422 in the API's shape, 400 on pages. PostgreSQL cannot
  store a NUL in text, and nothing a person types is that long.
- ``BadValueErrors``: a number beyond what the database holds (an id of 2^63 or more, in a path or a
  query parameter) or a value the database refuses (``DataError``) is the client's mistake: 422 in the
  API (``linli.core.api``), 404 on pages (no such object).
- ``handler404``/``handler500``/``csrf_failure`` answer under ``/api/`` in the one shape
  ``{code, message, fields}``, never an HTML page; pages keep their templates.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

log = logging.getLogger("linli.hostile")

BadValueErrors = (OverflowError, DataError)
MAX_PARAM = 4000
JSON_NUL = b"\\u0000"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def refuse(request: HttpRequest, message: str, field: str = "") -> HttpResponse:
    if is_api(request):
        return api_error(422, "invalid", message, {field: [message]} if field else None)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _bad_query(request: HttpRequest) -> tuple[str, str] | None:
    limit = int(getattr(settings, "LINLI_MAX_PARAM", MAX_PARAM))
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return "", _("The request holds a NUL character.")
    for key, values in request.GET.lists():
        for value in values:
            if "\x00" in value or "\x00" in key:
                return key, _("The request holds a NUL character.")
            if len(value) > limit:
                return key, _("This value is too long (at most %(n)d characters).") % {"n": limit}
    return None


def _bad_body(request: HttpRequest) -> tuple[str, str] | None:
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if content_type.startswith("application/json"):
        body = request.body  # already bounded by BodyLimitMiddleware
        if b"\x00" in body or JSON_NUL in body.lower():
            return "", _("The request holds a NUL character.")
    elif content_type.startswith("application/x-www-form-urlencoded"):
        try:
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key, _("The request holds a NUL character.")
        except Exception:  # noqa: BLE001 - a body Django cannot parse is refused by the view as usual
            return None
    return None


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path and not is_api(request):
            return not_found(request, Http404())  # a file or page name with NUL: no such thing
        bad = _bad_query(request) or _bad_body(request)
        if bad is not None:
            field, message = bad
            return refuse(request, message, field)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadValueErrors):
            log.info("refused a value the database cannot hold: %s", exception.__class__.__name__)
            if is_api(request):
                message = _("A value is out of range or not acceptable.")
                return api_error(422, "invalid", message)
            raise Http404 from exception
        return None


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api(request):
        return api_error(404, "not_found", _("Not found."))
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


UNAVAILABLE_RETRY_AFTER = 5  # seconds: a failover promotes the standby in about two


def unavailable_message() -> Any:
    return _("The service is briefly unavailable (the database is being switched over or restarted). Please try "
             "again in a few seconds.")


# SQLSTATEs that mean "the database is going away or not the primary yet", not "your input is wrong": class 08
# (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now) and 25006 (a read-only
# transaction: a pooled connection reached a standby that is being promoted). psycopg raises some of them as
# InternalError or DatabaseError, which Django does not map to OperationalError.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "25006")


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database could not be reached or is switching over (answer 503, try again), rather
    than a defect (500). The request's transaction was rolled back either way."""
    from django.db import DatabaseError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or ""
    if sqlstate:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    # No SQLSTATE: psycopg's own error, the server sent none. Its InternalError then means the messages on the
    # connection broke the protocol: "received 2 results from command 'BEGIN'" when PgBouncer answers a BEGIN with
    # its error about the server that died (server conn crashed?) and closes the connection.
    from psycopg import InternalError as ProtocolBroken

    return isinstance(cause, ProtocolBroken)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or 503 with Retry-After when the database could not be reached (a failover, a restart, a
    locked SQLite file): the request's transaction was rolled back, so trying again is safe."""
    import sys

    if database_unavailable(sys.exc_info()[1]):
        if is_api(request):
            response: HttpResponse = api_error(503, "unavailable", str(unavailable_message()))
        else:
            from django.template import loader

            response = HttpResponse(loader.get_template("503.html").render({"message": unavailable_message()}),
                                    status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response
    if is_api(request):
        return api_error(500, "server_error", _("Something went wrong on our side. It has been logged."))
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api(request):
        return api_error(400, "bad_request", _("The request is not valid."))
    from django.views.defaults import bad_request as page_bad_request

    return page_bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api(request):
        return api_error(403, "forbidden", _("You may not do this."))
    from django.views.defaults import permission_denied as page_denied

    return page_denied(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api(request):
        return api_error(403, "csrf", _("The request lacks a valid CSRF token (log in again, or use a bearer token)."))
    from django.views.csrf import csrf_failure as page_csrf_failure

    return page_csrf_failure(request, reason)
