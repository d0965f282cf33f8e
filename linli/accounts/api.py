"""Accounts API: bearer tokens, "who am I", and the users list for the system administrator."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyCookie, HttpBearer

from linli.accounts import actions
from linli.accounts.models import ApiToken, RoleAssignment, User
from linli.accounts.selectors import user_has_perm
from linli.core.access import access_object
from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.core.masking import mask_phone


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        user = actions.token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django session with CSRF (for the web pages' own HTMX/fetch calls). A session that still owes
    two-factor enrolment or a password change is not accepted."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key):
        from linli.accounts.middleware import session_has_obligation

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if session_has_obligation(request.session):
            return None
        return user


AUTH = [BearerAuth(), SessionAuth()]

router = Router(tags=["auth"])
users_router = Router(tags=["users"])


# --- tokens --------------------------------------------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(max_length=150, description="Username or mobile phone")
    password: str = Field(max_length=256)
    otp: str | None = Field(None, max_length=8, description="The 6-digit code, for users with two-factor on")
    name: str = Field("", max_length=64)


class TokenOut(Schema):
    id: int
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


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut},
    summary="Issue a bearer token",
    description="Username (or mobile phone) and password, and the TOTP code for users with two-factor on. "
    "Subject to the same lockout, address throttle and audit as the login page. The raw token is shown "
    "once; only its hash is stored.",
)
def token_create(request, payload: TokenIn):
    outcome = actions.login_attempt(identifier=payload.username, password=payload.password, otp_code=payload.otp)
    if outcome.must_enrol_totp:
        raise Refused(
            _("Your role requires two-factor authentication: enrol it on the web first."), code="otp_enrolment_required"
        )
    if outcome.password_expired:
        raise Refused(_("Your password has expired: change it on the web first."), code="password_expired")
    token, raw = actions.token_issue(user=outcome.user, actor=outcome.user, name=payload.name or "api")
    return TokenOut(id=token.pk, token=raw, expires_at=token.expires_at)


@router.get("/auth/tokens", response=page_of(TokenInfoOut), summary="My tokens (newest first)")
def token_list(request, after: int | None = None, size: int = PAGE_SIZE):
    return paged(ApiToken.objects.filter(user=request.auth), lambda token: token, after=after, size=size)


@router.post("/auth/tokens/{token_id}/revoke", response=TokenInfoOut, summary="Revoke one of my tokens")
def token_revoke(request, token_id: int):
    # Tokens are their owner's own: another user's token id is "not found", like anything out of scope.
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise NotFound(_("Not found."))
    return actions.token_revoke(token=token, actor=request.auth)


# --- me ---------------------------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    places: list[str]
    departments: list[int]
    totp_enabled: bool


@router.get("/me", response=MeOut, summary="Who am I")
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


# --- users (the system administrator) -----------------------------------------------------------------


class RoleAssignmentOut(Schema):
    id: int
    role: str
    place_id: int | None
    department_id: int | None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str = Field(description="Masked (138****5678); the full number is at /users/{id}/phone")
    email: str
    is_active: bool
    locked: bool
    totp_enabled: bool
    last_login: datetime | None
    roles: list[RoleAssignmentOut]


class PhoneOut(Schema):
    phone: str


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        phone=mask_phone(user.phone),
        email=user.email,
        is_active=user.is_active,
        locked=actions.is_locked(user),
        totp_enabled=user.totp_enabled,
        last_login=user.last_login,
        roles=[
            RoleAssignmentOut(id=a.pk, role=a.role, place_id=a.place_id, department_id=a.department_id)
            for a in user.role_assignments.all()
        ],
    )


def _users(request):
    return User.objects.prefetch_related(Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("pk")))


@users_router.get("", response=page_of(UserOut), summary="Users (system administrator; oldest first)")
def user_list(request, after: int | None = None, size: int = PAGE_SIZE, q: str = ""):
    if not user_has_perm(request.auth, "users.manage"):
        raise PermissionDenied(_("Only the system administrator can list users."))
    qs = _users(request).visible_to(request.auth)
    if q:
        qs = qs.filter(username__icontains=q.strip())
    return paged(qs, _user_out, after=after, size=size, ascending=True)


@users_router.get("/{user_id}", response=UserOut, summary="One user (phone masked)")
def user_detail(request, user_id: int):
    return _user_out(access_object(_users(request), request.auth, user_id))


@users_router.get(
    "/{user_id}/phone",
    response=PhoneOut,
    summary="A user's full phone number (audited)",
    description="Every call writes a `pii.unmask` audit row with the reason given.",
)
def user_phone(request, user_id: int, reason: str = Query(..., min_length=2, max_length=200)):
    from linli.core.pii import pii_reveal

    user = access_object(User.objects.all(), request.auth, user_id)
    return PhoneOut(phone=pii_reveal(actor=request.auth, obj=user, field="phone", perm="users.manage", reason=reason))

