"""Telling people that a case moved: in-app notices plus pluggable senders, always after commit.

    case_notify(case, kind="dispatch", user_ids=[owner.pk], text=...)

registers a ``transaction.on_commit`` hook: nothing is sent for a transition that rolls back. The hook
writes one ``CaseNotice`` per user and hands each notice to every sender in ``SENDERS`` (the console
sender logs a line with the user id and the case number, never a phone number). When the
notifications app arrives it can replace this module's senders (``SENDERS[:] = [...]``) without
touching the actions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("linli.cases.notify")

Sender = Callable[[Any], None]


def console_sender(notice: Any) -> None:
    logger.info("notice to user %s: case %s %s", notice.user_id, notice.case_id, notice.kind)


SENDERS: list[Sender] = [console_sender]


def _deliver(case_id: int, kind: str, user_ids: list[int], text: str) -> None:
    from linli.cases.models import CaseNotice

    now = timezone.now()
    notices = CaseNotice.objects.bulk_create(
        [CaseNotice(user_id=uid, case_id=case_id, kind=kind, text=text[:300], created_at=now) for uid in user_ids]
    )
    for notice in notices:
        for sender in SENDERS:
            try:
                sender(notice)
            except Exception:  # a sender failing must not break the others (nor the request)
                logger.exception("case notice sender %r failed", sender)


def case_notify(case: Any, *, kind: str, user_ids: Iterable[int | None], text: str, exclude: int | None = None) -> None:
    """Notify these users about ``case`` once the current transaction commits."""
    ids = sorted({uid for uid in user_ids if uid is not None and uid != exclude})
    if not ids:
        return
    case_id = case.pk
    transaction.on_commit(lambda: _deliver(case_id, kind, ids, str(text)))
