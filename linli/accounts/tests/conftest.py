"""Helpers for the accounts tests: two-factor enrolment, API tokens, a request context (address)."""

from __future__ import annotations

import pyotp
import pytest

from linli.core import context


def enrol_totp(user) -> str:
    """Turn on two-factor for ``user``; returns the secret."""
    from linli.accounts.actions import totp_enable

    secret = pyotp.random_base32()
    totp_enable(user=user, secret=secret, code=pyotp.TOTP(secret).now(), actor=user)
    user.refresh_from_db()
    return secret


def issue_token(user, *, days: int | None = None) -> str:
    from linli.accounts.actions import token_issue

    return token_issue(user=user, actor=user, days=days)[1]


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def from_address():
    """Run actions as if a request came from ``ip`` (what the request middleware sets for real requests).

        with from_address("10.0.0.1"): login_attempt(...)
    """
    import contextlib

    @contextlib.contextmanager
    def _at(ip: str):
        token = context.set_current(context.RequestContext(ip=ip, user_agent="pytest", channel="web"))
        try:
            yield
        finally:
            context.reset(token)

    return _at
