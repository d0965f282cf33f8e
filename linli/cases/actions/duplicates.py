"""我也遇到 ("me too") and what merging a duplicate adds to the case it joins.

A supporter counts once per household: a resident found in the registry (their account's phone is a
current member's phone) counts as their household; anyone else as their account, or their phone.
``support_count`` is recounted from the rows under the case's lock, and raises ``priority``:
``PRIORITY_STEPS`` (3 households → high, 10 → urgent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import user_get
from linli.cases.actions._common import event_write, lock_case
from linli.cases.models import Case, CaseSupport
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, Refused
from linli.residents.selectors import household_ids_by_phone

# (supporters, priority): the highest step reached sets the priority (0 normal, 1 high, 2 urgent).
PRIORITY_STEPS = ((10, 2), (3, 1))


def priority_for(support_count: int) -> int:
    for threshold, level in PRIORITY_STEPS:
        if support_count >= threshold:
            return level
    return 0


def household_of_phone(phone: str) -> int | None:
    """The id of the current household of the registry person with this phone, if exactly known.
    (A read of the registry; kept here until the registry offers it as a selector.)"""

    ids = household_ids_by_phone(phone)
    return ids.pop() if len(ids) == 1 else None


def supporter_key(*, user: Any = None, phone: str = "") -> tuple[str, int | None]:
    """(key, household id) for a supporter: ``h:<household>``, ``u:<user>`` or ``p:<phone hash>``."""
    from linli.core.crypto import lookup_hash

    phone = phone or (getattr(user, "phone", "") if user is not None else "")
    household = household_of_phone(phone)
    if household is not None:
        return f"h:{household}", household
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u:{user.pk}", None
    if phone:
        return f"p:{lookup_hash(phone)}", None
    raise Invalid(_("Sign in or give your phone number."), fields={"phone": [_("This field is required.")]})


def _reporter_key(case: Case) -> str | None:

    user = user_get(case.reporter_id, active=False) if case.reporter_id else None
    try:
        return supporter_key(user=user, phone=case.reporter_phone or "")[0]
    except Invalid:
        return None


def _recount(case: Case) -> None:
    count = CaseSupport.objects.filter(case=case).count()
    case.support_count = count
    case.priority = max(case.priority, priority_for(count))
    Case.objects.filter(pk=case.pk).update(support_count=count, priority=case.priority, updated_at=timezone.now())


def case_support(*, case: Case | int, actor: Any = None, phone: str = "") -> Case:
    """Add "me too" to an open, public case. Pressing it twice (or two members of one household)
    counts once; the second press changes nothing. Returns the case."""
    pk = case.pk if isinstance(case, Case) else case
    with transaction.atomic():
        locked = lock_case(pk)
        if locked.private:
            raise NotFound(_("Not found."))
        if not locked.is_open:
            raise Refused(_("This case is done; “me too” is closed."), code="refused_transition")
        key, household = supporter_key(user=actor, phone=phone)
        if key == _reporter_key(locked):
            raise Refused(_("This is your own case."), code="own_case")
        now = timezone.now()
        try:
            with transaction.atomic():
                CaseSupport.objects.create(
                    case=locked, supporter_key=key, household_id=household,
                    user=actor if getattr(actor, "is_authenticated", False) else None, created_at=now,
                )
        except IntegrityError:
            return locked
        _recount(locked)
        event_write(locked, kind="support", actor=actor, at=now, data={"supporters": locked.support_count})
        audit_record(
            action="cases.case_support", actor=actor, actor_name="" if actor is not None else "public", target=locked,
            detail={"supporters": locked.support_count, "priority": locked.priority, "household": household is not None},
        )
    return locked


def support_from_merge(*, target: Case, duplicate: Case, now: datetime) -> None:
    """The duplicate's reporter joins the target as a supporter (once per household; not the target's
    own reporter). Runs inside the merge's transaction, with ``target`` locked."""
    key = _reporter_key(duplicate)
    if key is None or key == _reporter_key(target):
        return
    household = int(key[2:]) if key.startswith("h:") else None
    try:
        with transaction.atomic():
            CaseSupport.objects.create(
                case=target, supporter_key=key, household_id=household, user_id=duplicate.reporter_id, created_at=now
            )
    except IntegrityError:
        return
    _recount(target)
