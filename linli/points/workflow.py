"""The points shop's redemption states and its one transition table, and the selection states.

    issued → fulfilled | refunded | cancelled

``REDEMPTION_TRANSITIONS`` is the only place that says what may happen to a redemption; the actions
consult it, the UI renders its buttons from ``available_actions``, the tests iterate over it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Transition, available, transition

PERM_REDEEM = "points.redeem"
PERM_MANAGE = "points.manage"
PERM_FULFIL = "points.fulfil"


class RedemptionStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    FULFILLED = "fulfilled", _("Fulfilled")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class SelectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PUBLISHED = "published", _("Published")


R = RedemptionStatus


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def _covers(user: Any, path: str) -> bool:
    scope = getattr(user, "scope", None)
    return bool(scope is not None and scope.covers_path(path))


def is_owner(redemption: Any, user: Any) -> bool:
    """The resident who redeemed it."""
    return redemption.user_id is not None and redemption.user_id == user.pk


def is_provider(redemption: Any, user: Any) -> bool:
    """The item's provider account, or staff with ``points.fulfil`` over the item's community."""
    if redemption.item.provider_user_id is not None and redemption.item.provider_user_id == user.pk:
        return True
    return PERM_FULFIL in _perms(user) and _covers(user, redemption.item.place_path)


def is_manager(redemption: Any, user: Any) -> bool:
    return PERM_MANAGE in _perms(user) and _covers(user, redemption.item.place_path)


REDEMPTION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        transition("fulfil", _("Hand over"), [R.ISSUED], R.FULFILLED, [is_provider], style="success"),
        transition("refund", _("Refund"), [R.ISSUED, R.FULFILLED], R.REFUNDED, [is_manager], style="warning",
                   fields=["note"]),
        transition("cancel", _("Cancel"), [R.ISSUED], R.CANCELLED, [is_owner, is_manager]),
    ]
}


S = SelectionStatus


def is_selection_manager(selection: Any, user: Any) -> bool:
    """Staff with ``points.manage`` over the selection's community."""
    return PERM_MANAGE in _perms(user) and _covers(user, selection.place_path)


def _has_included(selection: Any, user: Any) -> Any:
    if not selection.candidates.filter(included=True).exists():
        return _("Include at least one person before confirming.")
    return None


# 一年两评选: a draft is confirmed (with at least one person included), then published or reopened.
SELECTION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        transition("confirm", _("Confirm"), [S.DRAFT], S.CONFIRMED, [is_selection_manager], guard=_has_included,
                   style="primary"),
        transition("publish", _("Publish"), [S.CONFIRMED], S.PUBLISHED, [is_selection_manager], style="success"),
        transition("reopen", _("Reopen"), [S.CONFIRMED], S.DRAFT, [is_selection_manager]),
    ]
}


def available_actions(redemption: Any, user: Any) -> list[Transition]:
    return available(REDEMPTION_TRANSITIONS, redemption, user)
