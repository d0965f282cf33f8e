"""Accounts API: bearer tokens and "who am I"."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import APIKeyCookie, HttpBearer

from linli.accounts import actions
from linli.accounts.models import ApiToken
from linli.core.errors import NotFound


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = actions.token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django session with CSRF (for the web pages' own HTMX/fetch calls)."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


AUTH = [BearerAuth(), SessionAuth()]

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None
    name: str = ""


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    places: list[str]
    departments: list[int]
    totp_enabled: bool


@router.post("/auth/token", auth=None, response={200: TokenOut}, summary="Issue a bearer token")
def token_create(request, payload: TokenIn):
    outcome = actions.login_attempt(identifier=payload.username, password=payload.password, otp_code=payload.otp)
    if outcome.must_enrol_totp:
        from linli.core.errors import Refused

        raise Refused("Two-factor authentication must be enrolled in the web interface first.", code="otp_enrolment_required")
    token, raw = actions.token_issue(user=outcome.user, actor=outcome.user, name=payload.name or "api")
    return TokenOut(token=raw, expires_at=token.expires_at)


@router.get("/auth/tokens", auth=AUTH, response=list[TokenInfoOut], summary="My tokens")
def token_list(request):
    return list(ApiToken.objects.filter(user=request.auth).order_by("-created_at")[:100])


@router.post("/auth/tokens/{token_id}/revoke", auth=AUTH, response=TokenInfoOut, summary="Revoke a token")
def token_revoke(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise NotFound("Not found.")
    return actions.token_revoke(token=token, actor=request.auth)


@router.get("/me", auth=AUTH, response=MeOut, summary="Who am I")
def me(request):
    user = request.auth
    scope = user.scope
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(scope.roles),
        places=list(scope.place_paths),
        departments=sorted(scope.department_ids),
        totp_enabled=user.totp_enabled,
    )


