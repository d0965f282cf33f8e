"""双报到 registrations: their states and their one transition table.

    submitted → approve → approved
              → reject (reason) → rejected
              → withdraw → withdrawn

``TRANSITIONS`` is the only place that says what may happen: the actions consult it (409 on a state it
does not allow, 403 on an actor it does not name), the UI renders its buttons from
``available_actions(registration, user)``, the tests iterate over it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Transition, available, table, transition

PERM_VIEW = "party.view"
PERM_MANAGE = "party.manage"


class RegistrationKind(models.TextChoices):
    UNIT = "unit", _("Unit registration")  # 单位党组织到社区报到
    MEMBER = "member", _("Member registration")  # 在职党员到居住地社区报到


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RegistrationStatus


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def is_manager(registration: Any, user: Any) -> bool:
    """Party staff over the community registered with."""
    scope = getattr(user, "scope", None)
    return PERM_MANAGE in _perms(user) and scope is not None and scope.covers_path(registration.place_path)


def is_submitter(registration: Any, user: Any) -> bool:
    return registration.submitted_by_id is not None and registration.submitted_by_id == user.pk


TRANSITIONS: dict[str, Transition] = table(
    [
        transition("approve", _("Approve"), [S.SUBMITTED], S.APPROVED, [is_manager], style="success",
                   fields=["grid"]),
        transition("reject", _("Reject"), [S.SUBMITTED], S.REJECTED, [is_manager], ["reason"], style="danger"),
        transition("withdraw", _("Withdraw"), [S.SUBMITTED], S.WITHDRAWN, [is_submitter, is_manager]),
    ]
)
ACTION_NAMES: tuple[str, ...] = tuple(TRANSITIONS)


def event_label(kind: str) -> Any:
    """How the history names an event: the transition's label, or "Submitted" for the first one."""
    if kind in TRANSITIONS:
        return TRANSITIONS[kind].label
    return S.SUBMITTED.label if kind == "submitted" else kind


def available_actions(registration: Any, user: Any) -> list[Transition]:
    return available(TRANSITIONS, registration, user)
