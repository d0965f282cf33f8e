"""Volunteer activities: states and the one transition table.

    draft → recruiting (publish) → closed (close sign-up) / ongoing (start) → finished → verified (hours)
    cancel from draft, recruiting, closed, ongoing; reopen (closed → recruiting)

``TRANSITIONS`` is the only place that says what may happen to an activity. The actions
(``linli.volunteers.actions``) consult it, the pages render their buttons from
``available_actions(activity, user)``, and ``tests/test_workflow_table.py`` walks every (state, action)
pair. A transition names its ``sources``, ``target``, ``who`` (predicates over (activity, user); the
actor needs one, ``actor=None`` is the system) and ``required`` input fields.

Who: the activity's organiser (an account: community staff, or a team leader) and the volunteer managers
(``volunteers.manage``) over the activity's community.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Predicate, Transition, available, transition

PERM_JOIN = "volunteers.join"  # register as a volunteer, sign up for activities
PERM_MANAGE = "volunteers.manage"  # community staff: volunteers, teams, activities of their places


class VolunteerKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    RIDER = "rider", _("Delivery rider")
    COURIER = "courier", _("Courier")
    OTHER = "other", _("Other")


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    LEFT = "left", _("Left")


class ActivityArea(models.TextChoices):
    """The five areas points are counted in."""

    DEMOCRACY = "democracy", _("Democratic participation")
    CIVILITY = "civility", _("Civility")
    MUTUAL_AID = "mutual_aid", _("Neighbourly help")
    SAFETY = "safety", _("Safety")
    MEDIATION = "mediation", _("Dispute mediation")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RECRUITING = "recruiting", _("Recruiting")
    CLOSED = "closed", _("Sign-up closed")
    ONGOING = "ongoing", _("Under way")
    FINISHED = "finished", _("Finished")
    VERIFIED = "verified", _("Hours verified")
    CANCELLED = "cancelled", _("Cancelled")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Signed up")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


S = ActivityStatus
# Published and not over: people may sign up (recruiting) or check in (recruiting, closed, ongoing).
SIGNUP_STATUSES = frozenset({S.RECRUITING})
CHECKIN_STATUSES = frozenset({S.RECRUITING, S.CLOSED, S.ONGOING})
PUBLIC_STATUSES = frozenset({S.RECRUITING, S.CLOSED, S.ONGOING, S.FINISHED, S.VERIFIED})


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def is_manager(activity: Any, user: Any) -> bool:
    """Volunteer managers (community staff, the street) over the activity's community."""
    scope = getattr(user, "scope", None)
    return PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(activity.place_path)


def is_organiser(activity: Any, user: Any) -> bool:
    return activity.organiser_id is not None and activity.organiser_id == user.pk


WHO_LABELS: dict[Predicate, Any] = {
    is_manager: _("a volunteer manager"),
    is_organiser: _("the organiser"),
}

_ORG = (is_organiser, is_manager)


def _t(name, label, sources, target, required=(), style="secondary") -> Transition:
    return transition(name, label, sources, target, _ORG, required, style=style)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("publish", _("Publish"), [S.DRAFT], S.RECRUITING, style="primary"),
        _t("close", _("Close sign-up"), [S.RECRUITING], S.CLOSED),
        _t("reopen", _("Reopen sign-up"), [S.CLOSED], S.RECRUITING),
        _t("start", _("Start"), [S.RECRUITING, S.CLOSED], S.ONGOING, style="primary"),
        _t("finish", _("Finish"), [S.RECRUITING, S.CLOSED, S.ONGOING], S.FINISHED, style="primary"),
        _t("verify", _("Verify hours"), [S.FINISHED], S.VERIFIED, style="success"),
        _t(
            "cancel",
            _("Cancel the activity"),
            [S.DRAFT, S.RECRUITING, S.CLOSED, S.ONGOING],
            S.CANCELLED,
            ["reason"],
            style="danger",
        ),
    ]
}
ACTION_NAMES: tuple[str, ...] = tuple(TRANSITIONS)


def available_actions(activity: Any, user: Any) -> list[Transition]:
    """The transitions ``user`` may start on ``activity`` now, in table order (the page's buttons)."""
    return available(TRANSITIONS, activity, user)


# --- a volunteer's own status ---------------------------------------------------------------------------------

V = VolunteerStatus


def is_self(volunteer: Any, user: Any) -> bool:
    return volunteer.user_id is not None and volunteer.user_id == user.pk


def is_volunteer_manager(volunteer: Any, user: Any) -> bool:
    scope = getattr(user, "scope", None)
    return PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(volunteer.place_path)


_SELF_OR_MANAGER = (is_self, is_volunteer_manager)

VOLUNTEER_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        transition("pause", _("Pause"), [V.ACTIVE], V.PAUSED, _SELF_OR_MANAGER),
        transition("resume", _("Come back"), [V.PAUSED, V.LEFT], V.ACTIVE, _SELF_OR_MANAGER, style="primary"),
        transition("leave", _("Leave"), [V.ACTIVE, V.PAUSED], V.LEFT, _SELF_OR_MANAGER, style="danger"),
    ]
}


# --- a sign-up (报名): taken by ``signup_create`` (a seat, or the waiting list); given back on the runner ---------

SS = SignupStatus


def is_signup_volunteer(signup: Any, user: Any) -> bool:
    """The volunteer who signed up (their account, or a login with their phone)."""
    from linli.volunteers.actions.signups import volunteer_of

    if signup.volunteer.user_id is not None and signup.volunteer.user_id == user.pk:
        return True
    mine = volunteer_of(user)
    return mine is not None and mine.pk == signup.volunteer_id


def is_signup_organiser(signup: Any, user: Any) -> bool:
    """The activity's organiser, or a volunteer manager over it."""
    return is_organiser(signup.activity, user) or is_manager(signup.activity, user)


def guard_signup_cancellable(signup: Any, user: Any) -> Any:
    """A sign-up is given back before the activity starts (while it recruits or sign-up is closed)."""
    if signup.activity.status not in (S.RECRUITING, S.CLOSED):
        return _("The activity has started or is over: the sign-up can no longer be cancelled.")
    return None


SIGNUP_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        transition("cancel", _("Cancel my sign-up"), [SS.CONFIRMED, SS.WAITLISTED], SS.CANCELLED,
                   (is_signup_volunteer, is_signup_organiser), guard=guard_signup_cancellable, style="danger"),
    ]
}
