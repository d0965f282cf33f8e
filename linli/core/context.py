"""Where the current request comes from, for the audit log (set by RequestContextMiddleware)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    channel: str = "web"


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "linli_request_context", default=RequestContext(channel="system")  # noqa: B039 - frozen, so never shared mutably
)


def client_ip(request) -> str | None:
    """The client address; X-Forwarded-For is trusted only through LINLI_TRUSTED_PROXIES hops."""
    hops = int(getattr(settings, "LINLI_TRUSTED_PROXIES", 0) or 0)
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def context_from_request(request) -> RequestContext:
    channel = "api" if request.path.startswith("/api/") else "web"
    return RequestContext(client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:200], channel)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
