"""Shared machinery of the case actions: the transition runner, events, recipients.

Every transition runs ``run_transition``, which is the one runner (``linli.core.workflow``) with the
case's spec (``case_spec``):

1. scope: the case must be visible to the actor (else 404, like a missing case);
2. lock: the row is re-read ``select_for_update`` inside the transaction (SQLite serialises writers
   with IMMEDIATE transactions), and the final write is a compare-and-set on ``version``;
3. the table (``workflow.TRANSITIONS``): a state not among the sources is refused (409); an actor
   matching none of the ``who`` predicates is denied (403); a failing guard is refused (409);
4. required fields (422), then the action's own ``apply`` (which may raise Invalid);
5. one ``CaseEvent`` and one audit row; notices after commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from linli.accounts.selectors import user_ids_of_department
from linli.cases.kpi import kpi_record
from linli.cases.models import Case, CaseEvent
from linli.cases.open_counts import state_record
from linli.cases.workflow import TRANSITIONS, forget_summons_cache
from linli.core.errors import NotFound
from linli.core.text import trimmed_text
from linli.core.workflow import Outcome as CoreOutcome
from linli.core.workflow import Spec, spec_register
from linli.core.workflow import event_write as core_event_write
from linli.core.workflow import run as core_run
from linli.core.workflow import step as core_step

clean_text = trimmed_text  # the app's name for the shared piece

# Fields a transition may never write through ``apply``'s input (status is the table's business).
_SNAPSHOT_EXCLUDE = frozenset({"id", "created_at", "updated_at"})


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


def event_write(
    case: Case,
    *,
    kind: str,
    actor: Any,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    reply: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """A case event outside a transition (the intake's "created", a comment's photos) and its KPI rows."""
    event = core_event_write(case_spec(), case, kind=kind, actor=actor, at=at, from_status=from_status,
                             to_status=to_status, note=note, data=data, reply=reply)
    kpi_record(event, case)  # KPI rollups (linli/cases/kpi.py), in the same transaction
    state_record(case, kind=kind, from_status=from_status)  # the open cases' counters (open_counts.py)
    return event


# --- recipients -----------------------------------------------------------------------------------------


def roles_with(perm: str) -> list[str]:
    from linli.accounts.roles import ROLE_PERMISSIONS

    return sorted(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def users_over(path: str, perm: str) -> list[int]:
    """Users holding ``perm`` through a role bound to a node above (or at) ``path``: the ones told about a
    case (``linli.accounts.selectors.users_over``, the one reading of "who is over this place")."""
    from linli.accounts.selectors import users_over as accounts_users_over

    return accounts_users_over(path, perm)


def department_users(department_id: int | None) -> list[int]:

    if department_id is None:
        return []
    return sorted(user_ids_of_department(department_id))


def owner_users(case: Case) -> list[int]:
    if case.owner_user_id is not None:
        return [case.owner_user_id]
    if case.owner_department_id is not None:
        return department_users(case.owner_department_id)
    from linli.cases.workflow import PERM_DISPATCH, OwnerKind

    if case.owner_kind == OwnerKind.COMMUNITY:
        return users_over(case.place_path, PERM_DISPATCH)
    return []


# --- the runner -----------------------------------------------------------------------------------------


@dataclass
class Outcome(CoreOutcome):
    """What ``apply`` tells the runner to record: the core outcome, and the reply the resident reads."""

    reply: str = ""
    # The reply is a standard message written by the system (not a person answering the resident): it is
    # shown, but does not keep the reply-within-3-days promise.
    automatic_reply: bool = False

    def auto_reply(self, text: str) -> None:
        if not self.reply:
            self.reply = text
            self.automatic_reply = True


Apply = Callable[[Case, Any, dict[str, Any], datetime], Outcome]


def lock_case(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_related("category").select_for_update(of=("self",)).get(pk=pk)
    except Case.DoesNotExist as exc:
        raise NotFound(_("Not found.")) from exc


def check_visible(case: Case | int, actor: Any) -> None:
    if actor is None:
        return
    pk = case.pk if isinstance(case, Case) else case
    if not Case.objects.visible_to(actor).filter(pk=pk).exists():
        raise NotFound(_("Not found."))


def _before_write(case: Case, outcome: Any, now: datetime) -> None:
    """The case's own hooks: the first reply a person wrote starts the "heard back" clock; the reply goes
    on the event row; the cached summons are forgotten."""
    if outcome.reply and not outcome.automatic_reply and case.first_reply_at is None:
        case.first_reply_at = now
    outcome.event["reply"] = outcome.reply
    forget_summons_cache(case)


def _after_write(case: Case, event: CaseEvent, outcome: Any) -> None:
    kpi_record(event, case)  # KPI rollups (linli/cases/kpi.py), in the same transaction
    state_record(case, kind=event.kind, from_status=event.from_status)  # the open cases' counters
    case._last_event = event  # type: ignore[attr-defined]


def _case_notifier(*, obj: Case, ref: str, kind: str, user_ids: Any, text: Any, exclude: int | None = None) -> None:
    case_notice(obj, kind=kind, user_ids=user_ids, text=text, exclude=exclude)


_case_notifier.wants_obj = True  # type: ignore[attr-defined]


@functools.cache
def case_spec() -> Spec:
    from django.urls import reverse

    from linli.cases.actions.transitions import APPLY

    return spec_register(
        Spec(
            model=Case,
            event_model=CaseEvent,
            event_fk="case",
            table=TRANSITIONS,
            apply=APPLY,
            audit_prefix="cases.case",
            noun=_("case"),
            related=("category",),
            notifier=_case_notifier,
            url=lambda case: reverse("cases:case", args=[case.pk]),
            before_write=_before_write,
            after_write=_after_write,
        )
    )


def step(case: Case, name: str, actor: Any, data: dict[str, Any], *, now: datetime, check_actor: bool = True) -> Case:
    """Apply transition ``name`` to the locked ``case`` (inside the caller's transaction), through the one
    runner's ``step``."""
    return core_step(case_spec(), case, name, actor=actor, data=data, now=now, check_actor=check_actor)


# What a reporter without an account (a phone on the QR form, a 12345 call) is told by SMS: accepted (or
# not), answered, closed. Each of these notices goes to the reporter only.
REPORTER_SMS_KINDS = frozenset({"accept", "refuse", "verify", "comment", "close"})


def case_notice(case: Case, *, kind: str, user_ids: Iterable[int | None], text: Any, exclude: int | None = None) -> None:
    """Queue a notice about ``case`` through the outbox (inside the caller's transaction): the reporter
    is linked to their own page of the case, staff to the case page; a phone-only reporter gets an SMS
    for the steps in ``REPORTER_SMS_KINDS`` with the link to follow the case."""
    from django.urls import reverse

    from linli.notifications.actions import notice_queue

    ids = list(user_ids)
    to_reporter = ids == [case.reporter_id]
    if to_reporter and case.number:
        url = reverse("cases:my_case", args=[case.number])
    else:
        url = reverse("cases:case", args=[case.pk])
    phone = None
    if kind in REPORTER_SMS_KINDS and case.reporter_id is None and case.reporter_phone:
        phone = case.reporter_phone
    notice_queue(user_ids=ids, kind=kind, ref=f"cases.case:{case.pk}", text=text, url=url, exclude=exclude, phone=phone)


def _audit_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool | type(None) | list)}


def run_transition(*, case: Case | int, name: str, actor: Any, data: dict[str, Any] | None = None) -> Case:
    """Run one transition of the table on ``case`` for ``actor`` (``None``: the system): the one runner."""
    return core_run(case_spec(), obj=case, name=name, actor=actor, data=data)
