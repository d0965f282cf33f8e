"""Helpers the care actions share."""

from __future__ import annotations

from collections.abc import Iterable

from linli.core.text import trimmed_text

clean_text = trimmed_text  # the app's name for the shared piece


def notify(
    *, ref: str, kind: str, user_ids: Iterable[int | None], text: str, exclude: int | None = None, url: str = ""
) -> None:
    """Tell these users through the one outbox (``linli.notifications``): notice rows written in the
    caller's transaction, delivered by the worker after the commit."""
    from linli.notifications.actions import notice_queue

    notice_queue(user_ids=user_ids, kind=kind, ref=ref, text=text, url=url, exclude=exclude)
