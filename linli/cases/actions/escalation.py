"""Escalation of overdue cases and the end of the rating window (run by ``tasks.py``; safe to run by hand).

``cases_escalate`` looks for deadlines passed and not yet escalated: a case not signed for by
``sign_due``, not handled by ``handle_due``, a resident not answered by ``feedback_due``, a summoned
department not answered by its ``due``. For each it inserts an ``EscalationMark`` (unique on case,
level and the deadline), a ``CaseEvent`` of kind ``escalate`` and an audit row in ONE transaction, and
notifies the supervisors over the case after commit. The mark makes it idempotent: running twice
escalates once; a crash rolls back the whole escalation of that case, so the next run does it (never
skipped). A deadline moved later (extension, supervision, parking) that passes again is a new
(case, level, due) and escalates again.

``cases_close_unrated`` closes, as "not rated", the verified cases the resident has not rated within
``LINLI_RATING_DAYS`` (7 by default).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.actions._common import event_write, owner_users, users_over
from linli.cases.models import Case, CaseSummons, EscalationLevel, EscalationMark
from linli.cases.workflow import PERM_SUPERVISE, CaseStatus, SummonsStatus, rating_days
from linli.core.audit import audit_record

logger = logging.getLogger("linli.cases")
BATCH = 500

_HANDLE_STATES = [CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.SIGNED, CaseStatus.HANDLING]
_FEEDBACK_STATES = [*_HANDLE_STATES, CaseStatus.REPORTED_BACK]


def _not_marked(level: str, due_field: str) -> Q:
    marks = EscalationMark.objects.filter(case_id=OuterRef("pk"), level=level, due=OuterRef(due_field))
    return ~Q(Exists(marks))


def _candidates(now: datetime) -> list[tuple[int, str, datetime, int | None]]:
    """(case id, level, due, summons id) of every deadline passed and not yet escalated."""
    found: list[tuple[int, str, datetime, int | None]] = []
    levels = [
        (EscalationLevel.SIGN, "sign_due", Q(status=CaseStatus.DISPATCHED)),
        (EscalationLevel.HANDLE, "handle_due", Q(status__in=_HANDLE_STATES)),
        (EscalationLevel.FEEDBACK, "feedback_due", Q(status__in=_FEEDBACK_STATES, first_reply_at__isnull=True)),
    ]
    for level, field, state_q in levels:
        rows = (
            Case.objects.filter(state_q, **{f"{field}__lt": now})
            .filter(_not_marked(level, field))
            .order_by(field)
            .values_list("pk", field)[:BATCH]
        )
        found.extend((pk, level, due, None) for pk, due in rows)
    summons_marks = EscalationMark.objects.filter(
        case_id=OuterRef("case_id"), level=EscalationLevel.SUMMONS, due=OuterRef("due"), summons_key=OuterRef("pk")
    )
    summons = (
        CaseSummons.objects.filter(due__lt=now, case__status__in=[*_FEEDBACK_STATES, CaseStatus.PARKED])
        .exclude(status=SummonsStatus.ANSWERED)
        .filter(~Q(Exists(summons_marks)))
        .order_by("due")
        .values_list("case_id", "pk", "due")[:BATCH]
    )
    found.extend((case_id, EscalationLevel.SUMMONS, due, pk) for case_id, pk, due in summons)
    return found


def _escalate_one(case_id: int, level: str, due: datetime, summons_id: int | None, now: datetime) -> bool:
    from linli.cases.actions._common import case_notice

    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            return False
        try:
            with transaction.atomic():
                EscalationMark.objects.create(case=case, level=level, due=due, summons_key=summons_id or 0, at=now)
        except IntegrityError:
            return False  # another run got here first
        data: dict[str, Any] = {"level": level, "due": due.isoformat()}
        if summons_id is not None:
            summons = CaseSummons.objects.filter(pk=summons_id).first()
            data["summons"] = summons_id
            data["department"] = summons.department_id if summons else None
        event_write(case, kind="escalate", actor=None, at=now, from_status=case.status, to_status=case.status, data=data)
        audit_record(action="cases.case_escalate", actor_name="system", target=case, detail=data)
        text = _("Case %(number)s is overdue: %(what)s") % {
            "number": case.number, "what": EscalationLevel(data["level"]).label}
        case_notice(case, kind="escalate", user_ids=users_over(case.place_path, PERM_SUPERVISE) + owner_users(case),
                    text=text)
    return True


def cases_escalate(*, now: datetime | None = None) -> int:
    """Escalate every deadline passed and not yet escalated; returns how many escalations were made."""
    now = now or timezone.now()
    done = 0
    for case_id, level, due, summons_id in _candidates(now):
        try:
            if _escalate_one(case_id, level, due, summons_id, now):
                done += 1
        except Exception:  # one bad case must not stop the others; the next run retries it
            logger.exception("escalating case %s (%s) failed", case_id, level)
    return done


def cases_close_unrated(*, now: datetime | None = None) -> int:
    """Close as "not rated" the verified cases whose rating window has ended; returns how many."""
    from linli.cases.actions._common import lock_case, step
    from linli.core.errors import DomainError

    now = now or timezone.now()
    cutoff = now - timedelta(days=rating_days())
    ids = list(
        Case.objects.filter(status=CaseStatus.VERIFIED, verified_at__lt=cutoff).order_by("verified_at").values_list(
            "pk", flat=True)[:BATCH]
    )
    closed = 0
    for pk in ids:
        try:
            with transaction.atomic():
                case = lock_case(pk)
                if case.status != CaseStatus.VERIFIED:
                    continue
                step(case, "close", None, {"reason_code": "not_rated"}, now=now)
                closed += 1
        except DomainError:
            logger.exception("closing unrated case %s failed", pk)
    return closed
