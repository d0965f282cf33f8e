"""Activities: create, edit, and one action per row of the transition table (``workflow.TRANSITIONS``).

Every transition runs ``activity_transition``: scope (404), lock the row, the table's state (409) and
actor (403) checks, required input (422), the change, one ``ActivityEvent`` and one audit row, notices
after commit. ``verify`` verifies the hours of every attendance not verified yet (see
``signups.verify_attendance``), so points and hours are written in the same transaction.
"""

from __future__ import annotations

import functools
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.access import scope_of
from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.workflow import Apply, Outcome, Spec, run, spec_register
from linli.volunteers.access import can_manage, leads_team_in
from linli.volunteers.actions._common import check_visible, clean_text, event_write, lock_activity
from linli.volunteers.models import Activity, ActivityEvent, Signup
from linli.volunteers.workflow import TRANSITIONS, ActivityArea, ActivityStatus, SignupStatus

EDITABLE_STATUSES = frozenset({ActivityStatus.DRAFT, ActivityStatus.RECRUITING, ActivityStatus.CLOSED})
FIELDS = (
    "title",
    "description",
    "location",
    "starts_at",
    "ends_at",
    "quota",
    "waitlist",
    "area",
    "points",
    "team",
)


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _validate(data: dict[str, Any], community: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    out["title"] = clean_text(data.get("title"), limit=100)
    if not out["title"]:
        errors["title"] = [_("This field is required.")]
    out["description"] = clean_text(data.get("description"))
    out["location"] = clean_text(data.get("location"), limit=200)
    if not out["location"]:
        errors["location"] = [_("This field is required.")]
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, datetime):
        errors["starts_at"] = [_("This field is required.")]
    if not isinstance(ends, datetime):
        errors["ends_at"] = [_("This field is required.")]
    if isinstance(starts, datetime) and isinstance(ends, datetime) and ends <= starts:
        errors["ends_at"] = [_("The activity must end after it starts.")]
    out["starts_at"], out["ends_at"] = starts, ends
    try:
        quota = int(data.get("quota") or 0)
    except (TypeError, ValueError):
        quota = 0
    if quota < 1:
        errors["quota"] = [_("At least one place.")]
    out["quota"] = quota
    out["waitlist"] = bool(data.get("waitlist", True))
    area = data.get("area") or ""
    if area not in ActivityArea.values:
        errors["area"] = [_("Choose one of the five areas.")]
    out["area"] = area
    points = data.get("points")
    if points in ("", None):
        out["points"] = None
    else:
        try:
            out["points"] = int(points)
        except (TypeError, ValueError):
            out["points"] = -1
        if out["points"] < 0 or out["points"] > 100:
            errors["points"] = [_("Between 0 and 100 points.")]
    team = data.get("team")
    if team is not None and team.community_id != community.pk:
        errors["team"] = [_("The team belongs to another community.")]
    out["team"] = team
    if errors:
        raise Invalid(_("Please correct the activity."), fields=errors)
    return out


def _check_may_organise(actor: Any, community: Any, team: Any) -> None:
    if actor is None:
        return
    if can_manage(actor) and scope_of(actor).covers_path(community.path):
        return
    if team is not None and any(t.pk == team.pk for t in leads_team_in(actor, community)):
        return
    raise PermissionDenied(_("Only community staff or a team's leader may organise its activities."))


@transaction.atomic
def activity_create(*, actor: Any, community: Any, **data: Any) -> Activity:
    """A draft activity organised by ``actor`` (a manager over ``community``, or the leader of ``team``)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("An activity needs an organiser."))
    clean = _validate(data, community)
    _check_may_organise(actor, community, clean["team"])
    activity = Activity.objects.create(
        community=community,
        place_path=community.path,
        organiser=actor,
        status=ActivityStatus.DRAFT,
        checkin_token=new_token(),
        **clean,
    )
    event_write(activity, kind="create", actor=actor, to_status=activity.status)
    audit_record(
        action="volunteers.activity_create",
        actor=actor,
        target=activity,
        detail={"community": community.pk, "quota": activity.quota},
    )
    return activity


@transaction.atomic
def activity_update(*, activity: Activity | int, actor: Any, **data: Any) -> Activity:
    """Edit an activity before it starts; the quota cannot drop below the confirmed sign-ups, and a larger
    quota promotes people from the waiting list."""
    from linli.volunteers.actions.signups import promote_waitlisted

    pk = activity.pk if isinstance(activity, Activity) else activity
    check_visible(pk, actor)
    locked = lock_activity(pk)
    from linli.volunteers.workflow import is_manager, is_organiser

    if actor is not None and not (is_organiser(locked, actor) or is_manager(locked, actor)):
        raise PermissionDenied(_("Only the organiser may edit this activity."))
    if locked.status not in EDITABLE_STATUSES:
        raise Refused(
            _("This activity is “%(status)s” and can no longer be edited.")
            % {"status": locked.get_status_display()},
            code="refused_transition",
        )
    merged = {f: getattr(locked, f) for f in FIELDS}
    merged.update({k: v for k, v in data.items() if k in FIELDS})
    clean = _validate(merged, locked.community)
    if clean["quota"] < locked.confirmed_count:
        raise Invalid(
            _("%(count)s people have already signed up: the quota cannot be lower.")
            % {"count": locked.confirmed_count},
            fields={"quota": [_("Lower than the sign-ups.")]},
        )
    changed = {f: str(clean[f]) for f in FIELDS if clean[f] != getattr(locked, f)}
    for f in FIELDS:
        setattr(locked, f, clean[f])
    locked.version += 1
    locked.save()
    promoted = promote_waitlisted(locked, actor=actor)
    event_write(locked, kind="update", actor=actor, data={"changed": sorted(changed), "promoted": promoted})
    audit_record(
        action="volunteers.activity_update", actor=actor, target=locked, detail={"changed": sorted(changed)}
    )
    return locked


# --- the transitions ------------------------------------------------------------------------------------------


def _signup_users(activity: Activity, statuses: tuple[str, ...]) -> list[int | None]:
    return list(
        Signup.objects.filter(activity=activity, status__in=statuses).values_list(
            "volunteer__user_id", flat=True
        )
    )


def _apply_plain(activity: Activity, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    return Outcome(note=clean_text(data.get("note")))


def _apply_verify(activity: Activity, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    from linli.volunteers.actions.signups import verify_attendance

    pending = list(
        Signup.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .filter(activity=activity, status=SignupStatus.CONFIRMED, checked_in_at__isnull=False, verified_at__isnull=True)
    )
    for signup in pending:
        verify_attendance(signup, activity, actor=actor, now=now)
    return Outcome(note=clean_text(data.get("note")), data={"verified": len(pending)})


def _apply_cancel(activity: Activity, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    activity.cancel_reason = clean_text(data.get("reason"), limit=300)
    told = _signup_users(activity, (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED))
    text = _("The activity “%(title)s” has been cancelled.") % {"title": activity.title}
    return Outcome(note=activity.cancel_reason, notify=[("cancel", told, text)])


APPLY: dict[str, Apply] = {name: _apply_plain for name in TRANSITIONS} | {
    "verify": _apply_verify,
    "cancel": _apply_cancel,
}


@functools.cache
def activity_spec() -> Spec:
    return spec_register(
        Spec(
            model=Activity,
            event_model=ActivityEvent,
            event_fk="activity",
            table=TRANSITIONS,
            apply=APPLY,
            audit_prefix="volunteers.activity",
            noun=_("activity"),
            related=("community",),
            url=lambda a: reverse("volunteers:activity_detail", args=[a.pk]),
        )
    )


def activity_transition(
    *, activity: Activity | int, name: str, actor: Any, data: dict[str, Any] | None = None
) -> Activity:
    """Run one transition of the table on ``activity`` for ``actor`` (``None``: the system), through the
    one runner."""
    return run(activity_spec(), obj=activity, name=name, actor=actor, data=data)


def activity_publish(*, activity: Activity | int, actor: Any) -> Activity:
    return activity_transition(activity=activity, name="publish", actor=actor)


def activity_close(*, activity: Activity | int, actor: Any) -> Activity:
    return activity_transition(activity=activity, name="close", actor=actor)


def activity_reopen(*, activity: Activity | int, actor: Any) -> Activity:
    return activity_transition(activity=activity, name="reopen", actor=actor)


def activity_start(*, activity: Activity | int, actor: Any) -> Activity:
    return activity_transition(activity=activity, name="start", actor=actor)


def activity_finish(*, activity: Activity | int, actor: Any) -> Activity:
    return activity_transition(activity=activity, name="finish", actor=actor)


def activity_verify(*, activity: Activity | int, actor: Any) -> Activity:
    return activity_transition(activity=activity, name="verify", actor=actor)


def activity_cancel(*, activity: Activity | int, actor: Any, reason: str) -> Activity:
    return activity_transition(activity=activity, name="cancel", actor=actor, data={"reason": reason})


activity_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
