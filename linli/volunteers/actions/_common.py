"""Shared machinery of the volunteers actions: locking an activity, its event rows, its notices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import NotFound
from linli.core.text import trimmed_text
from linli.volunteers.models import Activity, ActivityEvent

clean_text = trimmed_text  # the app's name for the shared piece


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""



def authenticated(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def lock_activity(pk: int) -> Activity:
    """The activity row, locked for the rest of the transaction (SQLite: IMMEDIATE transactions)."""
    try:
        return Activity.objects.select_for_update(of=("self",)).select_related("community").get(pk=pk)
    except Activity.DoesNotExist as exc:
        raise NotFound(_("Not found.")) from exc


def check_visible(activity_id: int, actor: Any) -> None:
    if actor is None:
        return
    if not Activity.objects.visible_to(actor).filter(pk=activity_id).exists():
        raise NotFound(_("Not found."))


def event_write(
    activity: Activity,
    *,
    kind: str,
    actor: Any,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ActivityEvent:
    return ActivityEvent.objects.create(
        activity=activity,
        kind=kind,
        actor=actor if authenticated(actor) else None,
        actor_name=actor_label(actor)[:150],
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def notify(
    activity: Activity, *, kind: str, user_ids: Iterable[int | None], text: Any, exclude: int | None = None
) -> None:
    """Tell these users about ``activity`` through the outbox (inside the caller's transaction: nothing
    for a rolled-back change)."""
    from django.urls import reverse

    from linli.notifications.actions import notice_queue

    notice_queue(
        user_ids=user_ids,
        kind=kind,
        ref=f"volunteers.activity:{activity.pk}",
        text=text,
        url=reverse("volunteers:activity_detail", args=[activity.pk]),
        exclude=exclude,
    )
