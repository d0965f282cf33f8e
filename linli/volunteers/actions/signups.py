"""Sign-ups, the waiting list, check-in and check-out, and verifying an attendance's hours.

- ``signup_create``: locks the activity row, then takes a seat while ``confirmed_count < quota``, else a
  place on the waiting list (when the activity keeps one), else refuses. Two people racing for the last
  seat: the lock serialises them; one gets it, the other waits in line.
- ``signup_cancel``: the table's ``cancel`` (``SIGNUP_TRANSITIONS``) on the one runner: frees the seat and
  promotes the first on the waiting list (notified after commit).
- ``signup_checkin_by_token`` / ``signup_checkout_by_token``: the volunteer opens the activity's QR code
  on their phone; refused outside the activity's time window (with ``LINLI_CHECKIN_MARGIN_MINUTES``).
- ``signup_checkin`` / ``signup_checkout``: the organiser marks people by hand.
- ``signup_verify``: the organiser verifies one attendance's hours (never their own); the activity's
  ``verify`` transition verifies the rest. Both write the hours and the points in the same transaction
  (``linli.points`` contract, idempotent on ``volunteers.signup:<id>``).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.workflow import Outcome, Spec, spec_register, step
from linli.volunteers.actions._common import authenticated, check_visible, event_write, lock_activity, notify
from linli.volunteers.models import Activity, ActivityEvent, Signup, Volunteer
from linli.volunteers.workflow import (
    CHECKIN_STATUSES,
    SIGNUP_STATUSES,
    SIGNUP_TRANSITIONS,
    ActivityStatus,
    SignupStatus,
    VolunteerStatus,
    is_manager,
    is_organiser,
)

MANUAL_CHECKIN_STATUSES = CHECKIN_STATUSES | {ActivityStatus.FINISHED}


def checkin_margin() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "LINLI_CHECKIN_MARGIN_MINUTES", 30)))


def volunteer_of(user: Any) -> Volunteer | None:
    """The volunteer behind a login: registered with this account, else the person with its phone."""
    if not authenticated(user):
        return None
    found = Volunteer.objects.select_related("person").filter(user=user).first()
    if found is not None:
        return found
    from linli.residents.selectors import person_for_user

    person = person_for_user(user)
    if person is None:
        return None
    return Volunteer.objects.select_related("person").filter(person=person).first()


def _is_self(signup: Signup, actor: Any) -> bool:
    """Whether ``actor`` is the volunteer of ``signup`` (their account, or a login with their phone)."""
    if not authenticated(actor):
        return False
    if signup.volunteer.user_id == actor.pk:
        return True
    mine = volunteer_of(actor)
    return mine is not None and mine.pk == signup.volunteer_id


def _organises(activity: Activity, actor: Any) -> bool:
    return actor is None or (
        authenticated(actor) and (is_organiser(activity, actor) or is_manager(activity, actor))
    )


# --- sign up, cancel, the waiting list -----------------------------------------------------------------------


def promote_waitlisted(activity: Activity, *, actor: Any) -> list[int]:
    """Fill free seats from the head of the waiting list (the activity row is locked by the caller)."""
    promoted: list[int] = []
    free = activity.quota - activity.confirmed_count
    if free <= 0:
        return promoted
    queue = list(
        Signup.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .filter(activity=activity, status=SignupStatus.WAITLISTED)
        .order_by("signed_up_at", "id")[:free]
    )
    for signup in queue:
        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CONFIRMED)
        signup.status = SignupStatus.CONFIRMED
        promoted.append(signup.pk)
        event_write(activity, kind="promote", actor=actor, data={"signup": signup.pk})
        notify(
            activity,
            kind="promote",
            user_ids=[signup.volunteer.user_id],
            text=_("A place has come free: you are now signed up for “%(title)s”.")
            % {"title": activity.title},
        )
    if promoted:
        activity.confirmed_count += len(promoted)
        Activity.objects.filter(pk=activity.pk).update(confirmed_count=activity.confirmed_count)
    return promoted


@transaction.atomic
def signup_create(*, activity: Activity | int, actor: Any, volunteer: Volunteer | None = None) -> Signup:
    """Sign ``volunteer`` (default: the actor's own) up for ``activity``: a seat, or the waiting list."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    check_visible(pk, actor)
    locked = lock_activity(pk)
    if volunteer is None:
        volunteer = volunteer_of(actor)
        if volunteer is None:
            raise Refused(_("Register as a volunteer before signing up."), code="not_a_volunteer")
    elif not _organises(locked, actor) and not (authenticated(actor) and volunteer.user_id == actor.pk):
        raise PermissionDenied(_("You may only sign yourself up."))
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise Refused(_("Your volunteer registration is not active."), code="not_active")
    if locked.status not in SIGNUP_STATUSES:
        raise Refused(_("Sign-up for this activity is not open."), code="signup_closed")
    existing = (
        Signup.objects.select_for_update(of=("self",)).filter(activity=locked, volunteer=volunteer).first()
    )
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        raise Refused(_("You have already signed up for this activity."), code="already_signed_up")
    if locked.confirmed_count < locked.quota:
        status = SignupStatus.CONFIRMED
    elif locked.waitlist:
        status = SignupStatus.WAITLISTED
    else:
        raise Refused(_("This activity is full."), code="full")
    now = timezone.now()
    if existing is not None:
        existing.status = status
        existing.signed_up_at = now
        existing.checked_in_at = existing.checked_out_at = None
        existing.save(update_fields=["status", "signed_up_at", "checked_in_at", "checked_out_at"])
        signup = existing
    else:
        signup = Signup.objects.create(
            activity=locked,
            volunteer=volunteer,
            place_path=locked.place_path,
            status=status,
            signed_up_at=now,
        )
    if status == SignupStatus.CONFIRMED:
        locked.confirmed_count += 1
        Activity.objects.filter(pk=locked.pk).update(confirmed_count=locked.confirmed_count)
    event_write(locked, kind="signup", actor=actor, at=now, data={"signup": signup.pk, "status": status})
    audit_record(
        action="volunteers.signup_create",
        actor=actor,
        target=signup,
        detail={"activity": locked.pk, "status": status},
    )
    signup.activity = locked
    return signup


def _apply_signup_cancel(signup: Signup, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    """The seat goes back and the first on the waiting list takes it (the activity is locked by the caller)."""
    activity = signup.activity
    was = signup.status
    promoted: list[int] = []
    if was == SignupStatus.CONFIRMED:
        activity.confirmed_count -= 1
        Activity.objects.filter(pk=activity.pk).update(confirmed_count=activity.confirmed_count)
        promoted = promote_waitlisted(activity, actor=actor)
    return Outcome(data={"activity": activity.pk, "was": was, "promoted": promoted})


@functools.cache
def signup_spec() -> Spec:
    """Sign-ups on the one runner: their events go on the activity's timeline (``event_owner``), with the
    sign-up's id in ``data``; the audit action stays ``volunteers.signup_cancel``."""
    return spec_register(
        Spec(
            model=Signup,
            event_model=ActivityEvent,
            event_fk="activity",
            table=SIGNUP_TRANSITIONS,
            apply={"cancel": _apply_signup_cancel},
            audit_prefix="volunteers.signup",
            noun=_("sign-up"),
            related=("activity", "volunteer"),
            event_owner=lambda signup: signup.activity,
            url=lambda signup: reverse("volunteers:activity_detail", args=[signup.activity_id]),
        )
    )


@transaction.atomic
def signup_cancel(*, signup: Signup | int, actor: Any) -> Signup:
    """Withdraw a sign-up (the volunteer, or the organiser) before the activity starts; a freed seat goes
    to the first on the waiting list. The activity is locked first (as ``signup_create`` does), then the
    sign-up, and the table's ``cancel`` runs on the one runner (``core.workflow.step``)."""
    spk = signup.pk if isinstance(signup, Signup) else signup
    if actor is not None and not Signup.objects.visible_to(actor).filter(pk=spk).exists():
        raise NotFound(_("Not found."))
    activity_id = Signup.objects.filter(pk=spk).values_list("activity_id", flat=True).first()
    if activity_id is None:
        raise NotFound(_("Not found."))
    locked = lock_activity(activity_id)
    row = Signup.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=spk)
    row.activity = locked
    seen = signup.status if isinstance(signup, Signup) else None
    step(signup_spec(), row, "cancel", actor=actor, seen_status=seen)
    return row


# --- check-in and check-out ---------------------------------------------------------------------------------


def _activity_by_token(token: str) -> Activity:
    pk = Activity.objects.filter(checkin_token=str(token or "")).values_list("pk", flat=True).first()
    if not token or pk is None:
        raise NotFound(_("Not found."))
    return lock_activity(pk)


def _own_signup(activity: Activity, actor: Any) -> Signup:
    volunteer = volunteer_of(actor)
    signup = None
    if volunteer is not None:
        signup = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("volunteer")
            .filter(activity=activity, volunteer=volunteer)
            .first()
        )
    if signup is None or signup.status == SignupStatus.CANCELLED:
        raise Refused(_("You have not signed up for this activity."), code="not_signed_up")
    if signup.status == SignupStatus.WAITLISTED:
        raise Refused(
            _("You are on the waiting list of this activity, not signed up: ask the organiser."),
            code="waitlisted",
        )
    return signup


def _check_window(activity: Activity, now: datetime, *, out: bool) -> None:
    if activity.status not in CHECKIN_STATUSES:
        raise Refused(
            _("This activity is “%(status)s”: check-in is closed.")
            % {"status": activity.get_status_display()},
            code="checkin_closed",
        )
    margin = checkin_margin()
    opens = activity.starts_at - margin
    closes = activity.ends_at + margin if out else activity.ends_at
    if now < opens:
        local = timezone.localtime(opens)
        raise Refused(
            _("Check-in opens at %(time)s, %(minutes)s minutes before the activity starts.")
            % {"time": local.strftime("%Y-%m-%d %H:%M"), "minutes": int(margin.total_seconds() // 60)},
            code="too_early",
        )
    if now > closes:
        raise Refused(_("The activity is over: check-in and check-out are closed."), code="too_late")


def _mark_in(signup: Signup, activity: Activity, actor: Any, now: datetime, *, manual: bool) -> Signup:
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.checked_in_by = actor if manual and authenticated(actor) else None
        signup.save(update_fields=["checked_in_at", "checked_in_by"])
        event_write(
            activity, kind="checkin", actor=actor, at=now, data={"signup": signup.pk, "manual": manual}
        )
        audit_record(
            action="volunteers.signup_checkin",
            actor=actor,
            target=signup,
            detail={"activity": activity.pk, "manual": manual},
        )
    return signup


def _mark_out(signup: Signup, activity: Activity, actor: Any, now: datetime, *, manual: bool) -> Signup:
    if signup.checked_in_at is None:
        raise Refused(_("Check in first."), code="not_checked_in")
    if signup.checked_out_at is None:
        signup.checked_out_at = max(now, signup.checked_in_at)
        signup.save(update_fields=["checked_out_at"])
        event_write(
            activity, kind="checkout", actor=actor, at=now, data={"signup": signup.pk, "manual": manual}
        )
        audit_record(
            action="volunteers.signup_checkout",
            actor=actor,
            target=signup,
            detail={"activity": activity.pk, "manual": manual},
        )
    return signup


@transaction.atomic
def signup_checkin_by_token(*, token: str, actor: Any) -> Signup:
    """The volunteer checks in with the activity's QR code (idempotent: a second scan changes nothing)."""
    if not authenticated(actor):
        raise NotFound(_("Not found."))
    activity = _activity_by_token(token)
    signup = _own_signup(activity, actor)
    now = timezone.now()
    if signup.checked_in_at is None:
        _check_window(activity, now, out=False)
    return _mark_in(signup, activity, actor, now, manual=False)


# A check-out this soon after the check-in is most likely a second tap: it is asked about first.
CHECKOUT_CONFIRM_SECONDS = 60


@transaction.atomic
def signup_checkout_by_token(*, token: str, actor: Any, confirm: bool = False) -> Signup:
    """The volunteer checks out with the activity's QR code. Within a minute of the check-in it is
    refused with ``checkout_too_soon`` unless ``confirm``: the page and the API ask first."""
    if not authenticated(actor):
        raise NotFound(_("Not found."))
    activity = _activity_by_token(token)
    signup = _own_signup(activity, actor)
    now = timezone.now()
    if signup.checked_out_at is None:
        _check_window(activity, now, out=True)
        if (not confirm and signup.checked_in_at is not None
                and (now - signup.checked_in_at).total_seconds() < CHECKOUT_CONFIRM_SECONDS):
            raise Refused(_("You checked in less than a minute ago. Check out now?"), code="checkout_too_soon")
    return _mark_out(signup, activity, actor, now, manual=False)


def _organiser_lock(signup: Signup | int, actor: Any) -> tuple[Signup, Activity]:
    spk = signup.pk if isinstance(signup, Signup) else signup
    if actor is not None and not Signup.objects.visible_to(actor).filter(pk=spk).exists():
        raise NotFound(_("Not found."))
    activity_id = Signup.objects.filter(pk=spk).values_list("activity_id", flat=True).first()
    if activity_id is None:
        raise NotFound(_("Not found."))
    activity = lock_activity(activity_id)
    if not _organises(activity, actor):
        raise PermissionDenied(_("Only the organiser may do this."))
    row = Signup.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=spk)
    return row, activity


@transaction.atomic
def signup_checkin(*, signup: Signup | int, actor: Any) -> Signup:
    """The organiser checks a signed-up volunteer in by hand."""
    row, activity = _organiser_lock(signup, actor)
    if row.status != SignupStatus.CONFIRMED:
        raise Refused(_("Only a confirmed sign-up can be checked in."), code="not_confirmed")
    if activity.status not in MANUAL_CHECKIN_STATUSES:
        raise Refused(
            _("This activity is “%(status)s”: check-in is closed.")
            % {"status": activity.get_status_display()},
            code="checkin_closed",
        )
    now = (
        min(timezone.now(), activity.ends_at)
        if activity.status == ActivityStatus.FINISHED
        else timezone.now()
    )
    return _mark_in(row, activity, actor, now, manual=True)


@transaction.atomic
def signup_checkout(*, signup: Signup | int, actor: Any) -> Signup:
    row, activity = _organiser_lock(signup, actor)
    if activity.status not in MANUAL_CHECKIN_STATUSES:
        raise Refused(
            _("This activity is “%(status)s”: check-in is closed.")
            % {"status": activity.get_status_display()},
            code="checkin_closed",
        )
    return _mark_out(
        row, activity, actor, min(timezone.now(), activity.ends_at + checkin_margin()), manual=True
    )


# --- hours ----------------------------------------------------------------------------------------------------


def computed_hours(signup: Signup, activity: Activity) -> Decimal:
    """Hours from check-in to check-out (the activity's end when nobody checked out), never more than the
    activity lasts; to one decimal."""
    if signup.checked_in_at is None:
        return Decimal("0.0")
    start = max(signup.checked_in_at, activity.starts_at)
    end = signup.checked_out_at or activity.ends_at
    end = min(end, activity.ends_at)
    seconds = max((end - start).total_seconds(), 0)
    seconds = min(seconds, (activity.ends_at - activity.starts_at).total_seconds())
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def verify_attendance(
    signup: Signup, activity: Activity, *, actor: Any, now: datetime, hours: Decimal | None = None
) -> Signup:
    """Verify one attendance (rows locked by the caller): hours, then the hours and points ledgers."""
    from linli.points import actions as points_actions

    if _is_self(signup, actor):
        raise PermissionDenied(_("You cannot verify your own hours: another organiser must do it."))
    duration = computed_hours(
        Signup(checked_in_at=activity.starts_at, checked_out_at=activity.ends_at), activity
    )
    value = (
        computed_hours(signup, activity) if hours is None else Decimal(str(hours)).quantize(Decimal("0.1"))
    )
    if value < 0 or value > duration:
        raise Invalid(
            _("Hours must be between 0 and the activity's %(hours)s hours.") % {"hours": duration},
            fields={"hours": [_("Out of range.")]},
        )
    signup.hours = value
    signup.verified_at = now
    signup.verified_by = actor if authenticated(actor) else None
    signup.save(update_fields=["hours", "verified_at", "verified_by"])
    person_id = signup.volunteer.person_id
    occurred_on = timezone.localdate(activity.starts_at)
    if value > 0:
        points_actions.hours_record(
            person_id=person_id,
            hours=value,
            source=signup.source,
            kind="activity",
            actor=actor,
            occurred_on=occurred_on,
            note=activity.title[:100],
        )
        points_actions.points_award(
            person_id=person_id,
            rule_code="activity",
            amount=activity.points,
            source=signup.source,
            actor=actor,
            note=activity.title[:100],
        )
    event_write(
        activity, kind="hours_verify", actor=actor, at=now, data={"signup": signup.pk, "hours": str(value)}
    )
    audit_record(
        action="volunteers.signup_verify",
        actor=actor,
        target=signup,
        detail={"activity": activity.pk, "hours": str(value)},
    )
    notify(
        activity,
        kind="hours_verify",
        user_ids=[signup.volunteer.user_id],
        text=_("Your %(hours)s hours at “%(title)s” have been verified.")
        % {"hours": value, "title": activity.title},
        exclude=getattr(actor, "pk", None),
    )
    return signup


@transaction.atomic
def signup_verify(*, signup: Signup | int, actor: Any, hours: Decimal | None = None) -> Signup:
    """The organiser verifies one attendance (hours computed, or given) once the activity is finished."""
    row, activity = _organiser_lock(signup, actor)
    if activity.status != ActivityStatus.FINISHED:
        raise Refused(_("Hours are verified once the activity is finished."), code="refused_transition")
    if row.status != SignupStatus.CONFIRMED or row.checked_in_at is None:
        raise Refused(_("This volunteer did not check in."), code="not_checked_in")
    if row.verified_at is not None:
        raise Refused(_("These hours are already verified."), code="already_verified")
    return verify_attendance(row, activity, actor=actor, now=timezone.now(), hours=hours)


signup_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
