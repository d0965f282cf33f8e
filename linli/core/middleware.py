"""Core middleware: the body-size limit at the door, request context for the audit log, and the
Content-Security-Policy header."""

from __future__ import annotations

from django.conf import settings

from linli.core import context


class ContentSecurityPolicyMiddleware:
    """Sets the request context (address, user agent) for the audit log and adds the CSP header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_current(context.context_from_request(request))
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        csp = getattr(settings, "LINLI_CSP", "")
        if csp and "Content-Security-Policy" not in response:
            if request.path.startswith("/api/v1/docs"):
                # The API docs page (Swagger UI from django-ninja's own static files) runs an inline script.
                response["Content-Security-Policy"] = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
            else:
                response["Content-Security-Policy"] = csp
        return response


def max_body(path: str) -> int:
    """The largest request body accepted on ``path``: ``LINLI_API_MAX_BODY`` (24 MB) for the API, whose
    photos travel as base64 inside JSON; ``LINLI_MAX_BODY`` (100 MB: nine 10 MB photos and the form) for
    pages, whose files stream to disk. docs/limits.md."""
    if path.startswith("/api/"):
        return int(getattr(settings, "LINLI_API_MAX_BODY", 24 * 1024 * 1024))
    return int(getattr(settings, "LINLI_MAX_BODY", 100 * 1024 * 1024))


class BodyLimitMiddleware:
    """Refuse a request whose declared body is larger than the limit before anything reads it: 413, in
    the API's error shape under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_body(request.path)
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request, limit: int):
    from django.http import HttpResponse, JsonResponse
    from django.utils.translation import gettext as _

    message = _("The request is too large (at most %(mb)s MB).") % {"mb": f"{limit / 1048576:g}"}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_large", "message": message, "fields": {}}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
