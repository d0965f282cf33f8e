"""The closed loop's states and its one transition table.

    report → accept | refuse | merge → dispatch → sign → handle → report (back) → verify → rate → close

with the side paths return (回退), extend (延期, request + approval), park (挂账), rework (返工), reopen
(重办), supervise (督办), summon (吹哨) and the departments' summon_sign / summon_answer, and comment
(an internal note or a public reply without a change of state).

``TRANSITIONS`` is the only place that says what may happen. The actions (``linli.cases.actions``)
consult it, the UI renders its buttons from ``available_actions(case, user)``, and the tests iterate
over it. A transition names:

- ``sources``: the states it may start from (anything else is refused: 409);
- ``target``: the state it leads to, or ``None`` when the state does not change;
- ``who``: predicates over (case, user); the actor needs one of them (else 403). ``actor=None`` is the
  system (tasks, commands) and passes;
- ``guard``: an extra condition on the case (a deadline, a pending request) whose failure is a
  refused transition (409) with the guard's message;
- ``required``: the input fields the action needs (422 when missing).

Predicates never test role names: they ask for permissions (``linli.accounts.roles``) and the scope.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Predicate, Transition, available
from linli.core.workflow import transition as core_transition

# --- states ------------------------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED = "signed", _("Signed for")
    HANDLING = "handling", _("Being handled")
    REPORTED_BACK = "reported_back", _("Reported back")
    VERIFIED = "verified", _("Verified")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed")
    REFUSED = "refused", _("Not accepted")
    MERGED = "merged", _("Merged")
    PARKED = "parked", _("Parked")


S = CaseStatus
TERMINAL_STATUSES = frozenset({S.CLOSED, S.REFUSED, S.MERGED})
OPEN_STATUSES = frozenset(set(S) - TERMINAL_STATUSES)
# States in which somebody owns the work (the handle deadline runs, except while parked).
WORKING_STATUSES = frozenset({S.DISPATCHED, S.SIGNED, S.HANDLING})
# States after acceptance and before verification: supervision and summons apply.
ACTIVE_STATUSES = frozenset({S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.HANDLING, S.REPORTED_BACK, S.PARKED})


class Channel(models.TextChoices):
    QR = "qr", _("Building QR code")
    SNAPSHOT = "snapshot", _("Snapshot (随手拍)")
    PATROL = "patrol", _("Grid patrol")
    VISIT = "visit", _("Door-knocking visit")
    HOTLINE = "hotline", _("12345 hotline")
    PROXY = "proxy", _("Entered by staff for a resident")
    SENSOR = "sensor", _("Sensor")
    OPEN311 = "open311", _("Open311")
    JOINT_MEETING = "joint_meeting", _("Joint party committee meeting")  # 大党委联席会 (linli.party)


class OwnerKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    PARTY_MEMBER = "party_member", _("Party member")
    COMMUNITY = "community", _("Community")
    DEPARTMENT = "department", _("Department")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class ClosedReason(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    NOT_RATED = "not_rated", _("Not rated in time")
    REFUSED = "refused", _("Not accepted")
    MERGED = "merged", _("Merged into another case")


class ExtensionState(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SummonsStatus(models.TextChoices):
    SUMMONED = "summoned", _("Summoned")
    SIGNED = "signed", _("Signed for")
    ANSWERED = "answered", _("Answered")


# --- permissions (granted to roles in linli.accounts.roles.ROLE_PERMISSIONS) ------------------------

PERM_VIEW = "cases.view"  # see the cases of one's places
PERM_REPORT = "cases.report"  # file cases (residents, staff on patrol or for a resident)
PERM_DISPATCH = "cases.dispatch"  # the dispatch desk: accept, refuse, merge, dispatch, close
PERM_HANDLE = "cases.handle"  # own and handle cases
PERM_VERIFY = "cases.verify"  # verify the work reported back
PERM_SUPERVISE = "cases.supervise"  # supervise (督办), approve extensions, park
PERM_UNMASK = "cases.unmask"  # see a reporter's phone unmasked (audited)
PERM_CATEGORIES = "categories.manage"  # edit the categories


# --- who: predicates over (case, user) ----------------------------------------------------------------


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def _covers(user: Any, case: Any) -> bool:
    scope = getattr(user, "scope", None)
    return bool(scope is not None and scope.covers_path(case.place_path))


def is_dispatcher(case: Any, user: Any) -> bool:
    """The dispatch desk of the case's place: community staff (and the street) over it."""
    return PERM_DISPATCH in _perms(user) and _covers(user, case)


def is_supervisor(case: Any, user: Any) -> bool:
    return PERM_SUPERVISE in _perms(user) and _covers(user, case)


def is_owner(case: Any, user: Any) -> bool:
    """The user the case is dispatched to; staff of the owning department; for a case owned by the
    community, its dispatch desk."""
    if case.owner_user_id is not None:
        return case.owner_user_id == user.pk
    if case.owner_department_id is not None:
        return PERM_HANDLE in _perms(user) and case.owner_department_id in user.scope.department_ids
    if case.owner_kind == OwnerKind.COMMUNITY:
        return is_dispatcher(case, user)
    return False


def is_verifier(case: Any, user: Any) -> bool:
    """Staff over the case's place who may verify, other than the user who did the work."""
    return PERM_VERIFY in _perms(user) and _covers(user, case) and case.owner_user_id != user.pk


def is_reporter(case: Any, user: Any) -> bool:
    if case.reporter_id is not None and case.reporter_id == user.pk:
        return True
    phone = getattr(user, "phone", "")
    if case.reporter_id is None and case.reporter_phone_hash and phone:
        from linli.core.crypto import lookup_hashes

        return case.reporter_phone_hash in lookup_hashes(phone)
    return False


def is_summoned(case: Any, user: Any) -> bool:
    """Staff of a department summoned onto the case (吹哨报到)."""
    departments = user.scope.department_ids
    if not departments or PERM_HANDLE not in _perms(user):
        return False
    return any(s.department_id in departments for s in _open_summons(case))


def is_case_staff(case: Any, user: Any) -> bool:
    """Staff who may write on the case's timeline: over its place, its owner, or summoned to it."""
    staff = (PERM_VIEW in _perms(user) and _covers(user, case)) or is_owner(case, user)
    return staff or is_summoned(case, user)


WHO_LABELS: dict[Predicate, Any] = {
    is_dispatcher: _("the dispatch desk"),
    is_supervisor: _("a supervisor"),
    is_owner: _("the owner"),
    is_verifier: _("a verifier"),
    is_reporter: _("the reporter"),
    is_summoned: _("a summoned department"),
    is_case_staff: _("staff of the case"),
}


# --- guards: conditions on the case; failure is a refused transition (409) ---------------------------


def _open_summons(case: Any) -> list[Any]:
    cached = getattr(case, "_open_summons_cache", None)
    if cached is None:
        cached = list(case.summons.exclude(status=SummonsStatus.ANSWERED))
        case._open_summons_cache = cached
    return cached


def forget_summons_cache(case: Any) -> None:
    if hasattr(case, "_open_summons_cache"):
        del case._open_summons_cache


def guard_before_return_due(case: Any, user: Any) -> Any:
    if case.return_due is not None and timezone.now() > case.return_due:
        return _("The time to return this case has passed; ask the dispatch desk to reassign it.")
    return None


def guard_no_pending_extension(case: Any, user: Any) -> Any:
    if case.extension_state == ExtensionState.REQUESTED:
        return _("An extension has already been requested and awaits a decision.")
    return None


def guard_pending_extension(case: Any, user: Any) -> Any:
    if case.extension_state != ExtensionState.REQUESTED:
        return _("No extension has been requested.")
    return None


def rating_days() -> int:
    return int(getattr(settings, "LINLI_RATING_DAYS", 7))


def guard_closable(case: Any, user: Any) -> Any:
    """A rated case closes at once; a verified one not yet rated only after the rating window."""
    window_open = case.verified_at is None or timezone.now() < case.verified_at + timedelta(days=rating_days())
    if case.status == S.VERIFIED and user is not None and window_open:
        return _("The resident may still rate this case; it closes by itself when the rating window ends.")
    return None


def guard_reopenable(case: Any, user: Any) -> Any:
    if case.status == S.CLOSED and case.closed_reason not in (ClosedReason.RESOLVED, ClosedReason.NOT_RATED):
        return _("Only a case closed after handling can be reopened.")
    return None


def _user_departments(user: Any) -> frozenset[int]:
    return user.scope.department_ids if user is not None else frozenset()


def guard_summons_to_sign(case: Any, user: Any) -> Any:
    mine = [s for s in _open_summons(case) if user is None or s.department_id in _user_departments(user)]
    if not any(s.status == SummonsStatus.SUMMONED for s in mine):
        return _("Your department has no summons on this case waiting to be signed for.")
    return None


def guard_summons_to_answer(case: Any, user: Any) -> Any:
    if not [s for s in _open_summons(case) if user is None or s.department_id in _user_departments(user)]:
        return _("Your department has no open summons on this case.")
    return None


# --- the table ---------------------------------------------------------------------------------------

_t = core_transition


_STAFF_OPEN = (S.ACCEPTED, S.DISPATCHED, S.SIGNED, S.HANDLING)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("accept", _("Accept"), [S.REPORTED], S.ACCEPTED, [is_dispatcher], style="primary", fields=["reply", "note"]),
        _t("refuse", _("Do not accept"), [S.REPORTED, S.ACCEPTED], S.REFUSED, [is_dispatcher], ["reason"], style="danger"),
        _t("merge", _("Merge as duplicate"), [S.REPORTED, S.ACCEPTED], S.MERGED, [is_dispatcher], ["target"], fields=["note"]),
        _t("dispatch", _("Dispatch"), [S.ACCEPTED], S.DISPATCHED, [is_dispatcher], style="primary", fields=["owner", "note"]),
        _t("sign", _("Sign for"), [S.DISPATCHED], S.SIGNED, [is_owner], style="primary", fields=["note"]),
        _t("return", _("Return"), [S.DISPATCHED, S.SIGNED], S.ACCEPTED, [is_owner], ["reason"], guard_before_return_due),
        _t("handle", _("Start handling"), [S.SIGNED], S.HANDLING, [is_owner], style="primary", fields=["reply", "note"]),
        _t("report", _("Report back"), [S.HANDLING], S.REPORTED_BACK, [is_owner], ["reply"], style="primary", fields=["photos", "note"]),
        _t("verify", _("Verify"), [S.REPORTED_BACK], S.VERIFIED, [is_verifier], style="success", fields=["note"]),
        _t("rework", _("Rework"), [S.REPORTED_BACK], S.HANDLING, [is_verifier], ["reason"], style="warning"),
        _t("rate", _("Rate"), [S.VERIFIED], S.RATED, [is_reporter, is_dispatcher], ["satisfaction", "solved"], style="primary"),
        _t("close", _("Close"), [S.RATED, S.VERIFIED], S.CLOSED, [is_dispatcher, is_supervisor], guard=guard_closable, style="success", fields=["reply", "note"]),
        _t("reopen", _("Reopen"), [S.RATED, S.CLOSED], S.DISPATCHED, [is_reporter, is_dispatcher, is_supervisor], ["reason"],
           guard_reopenable, style="warning"),
        _t("extend", _("Request an extension"), [S.SIGNED, S.HANDLING], None, [is_owner], ["reason", "days"],
           guard_no_pending_extension),
        _t("extend_approve", _("Approve the extension"), [S.SIGNED, S.HANDLING], None, [is_dispatcher, is_supervisor],
           guard=guard_pending_extension, style="success", fields=["days", "note"]),
        _t("extend_reject", _("Reject the extension"), [S.SIGNED, S.HANDLING], None, [is_dispatcher, is_supervisor], ["reason"],
           guard_pending_extension, style="danger"),
        _t("park", _("Park"), [S.SIGNED, S.HANDLING], S.PARKED, [is_dispatcher, is_supervisor], ["reason"]),
        _t("unpark", _("Resume"), [S.PARKED], S.HANDLING, [is_dispatcher, is_supervisor], style="primary", fields=["note"]),
        _t("supervise", _("Supervise"), ACTIVE_STATUSES, None, [is_supervisor], ["note", "due"], style="warning"),
        _t("summon", _("Summon departments"), _STAFF_OPEN, None, [is_dispatcher], fields=["summons", "note"]),  # summons: see actions
        _t("summon_sign", _("Sign for the summons"), ACTIVE_STATUSES, None, [is_summoned], guard=guard_summons_to_sign,
           style="primary", fields=["note"]),
        _t("summon_answer", _("Answer the summons"), ACTIVE_STATUSES, None, [is_summoned], ["reply"],
           guard_summons_to_answer, style="primary", fields=["note"]),
        _t("comment", _("Add a note or reply"), OPEN_STATUSES, None, [is_case_staff], fields=["reply", "note"]),
    ]
}

ACTION_NAMES: tuple[str, ...] = tuple(TRANSITIONS)


def transition(name: str) -> Transition:
    return TRANSITIONS[name]


def available_actions(case: Any, user: Any) -> list[Transition]:
    """The transitions ``user`` may start on ``case`` now, in table order (the UI's buttons)."""
    return available(TRANSITIONS, case, user)
