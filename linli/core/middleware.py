"""Core middleware: request context for the audit log, and the Content-Security-Policy header."""

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
