"""The worker side of the outbox: claim deliveries, send them, record the outcome.

A claim is an UPDATE that sets ``status=sending``, a random claim token and ``claimed_until`` (now +
``LINLI_NOTICE_CLAIM_SECONDS``) on pending rows that are due, and on ``sending`` rows whose claim has
run out (their worker died). Rows are picked ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers
never claim the same row; SQLite serialises the claiming transactions. The outcome is written only
``WHERE claim = <token>``: a worker that was too slow and lost its claim changes nothing.

A row whose worker died mid-send is sent again by the next worker with the same dedupe key, which the
sender hands to the gateway (SMS gateway key, WeChat ``client_msg_id``, e-mail Message-ID): the person
gets it once. Failures are retried with exponential backoff up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import random
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from linli.notifications.models import Delivery, DeliveryStatus
from linli.notifications.senders import Message, Reject, sender_for

logger = logging.getLogger("linli.notifications")

MAX_ATTEMPTS = 8
BACKOFF_BASE = 30  # seconds: 30 s, 1 min, 2 min, 4 min, ... capped at an hour
BACKOFF_CAP = 3600
BATCH = 50


def claim_seconds() -> int:
    return int(getattr(settings, "LINLI_NOTICE_CLAIM_SECONDS", 120))


def backoff(attempts: int) -> timedelta:
    seconds = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


def _claimable(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )


def deliveries_claim(*, now: datetime | None = None, limit: int = BATCH) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due deliveries; returns the claim token and the claimed ids. A dead worker's
    row that already used every attempt is ended as failed instead."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        qs = Delivery.objects.filter(_claimable(now)).order_by("next_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if not ids:
            return token, []
        Delivery.objects.filter(id__in=ids, status=DeliveryStatus.SENDING, attempts__gte=MAX_ATTEMPTS).update(
            status=DeliveryStatus.FAILED,
            claim="",
            claimed_until=None,
            error="the worker stopped while sending",
        )
        Delivery.objects.filter(Q(id__in=ids) & _claimable(now)).update(
            status=DeliveryStatus.SENDING,
            claim=token,
            claimed_until=now + timedelta(seconds=claim_seconds()),
            attempts=F("attempts") + 1,
        )
    return token, list(Delivery.objects.filter(id__in=ids, claim=token).values_list("id", flat=True))


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    base = (settings.LINLI_PUBLIC_URL or settings.LINLI_LOCAL_URL).rstrip("/")
    return f"{base}{url}"


def message_of(delivery: Delivery) -> Message:
    from linli.notifications.selectors import preferences_of

    notice = delivery.notice
    user = notice.user
    openid = ""
    if user is not None and delivery.channel == "wechat":
        openid = preferences_of([user.pk])[user.pk].wechat_openid
    return Message(
        channel=delivery.channel,
        text=notice.text,
        url=_absolute(notice.url),
        kind=notice.kind,
        ref=notice.ref,
        dedupe_key=delivery.dedupe_key,
        user_id=notice.user_id,
        phone=notice.phone or (getattr(user, "phone", "") if user is not None else ""),
        email=getattr(user, "email", "") if user is not None else "",
        wechat_openid=openid,
        name=str(user) if user is not None else "",
    )


def _finish(delivery: Delivery, token: str, **values) -> bool:
    return bool(
        Delivery.objects.filter(pk=delivery.pk, claim=token, status=DeliveryStatus.SENDING).update(
            claim="", claimed_until=None, **values
        )
    )


def delivery_send(delivery: Delivery, token: str, *, now: datetime | None = None) -> str:
    """Send one claimed delivery; returns the status it ended in."""
    now = now or timezone.now()
    try:
        sender_for(delivery.channel).send(message_of(delivery))
    except Reject as exc:
        _finish(delivery, token, status=DeliveryStatus.FAILED, error=str(exc)[:300])
        return DeliveryStatus.FAILED
    except Exception as exc:  # a sender's failure is retried (a gateway down, a timeout)
        logger.warning(
            "delivery %s (%s) failed, attempt %s: %s", delivery.pk, delivery.channel, delivery.attempts, exc
        )
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, token, status=DeliveryStatus.FAILED, error=str(exc)[:300])
            return DeliveryStatus.FAILED
        _finish(
            delivery,
            token,
            status=DeliveryStatus.PENDING,
            next_at=now + backoff(delivery.attempts),
            error=str(exc)[:300],
        )
        return DeliveryStatus.PENDING
    _finish(delivery, token, status=DeliveryStatus.SENT, sent_at=now, error="")
    return DeliveryStatus.SENT


def notices_fan_out(*, limit: int = 500) -> int:
    """The outside deliveries of new notices, from each person's channels (staff on the digest get none:
    their digest goes out once a day). Rows are taken ``SKIP LOCKED`` and cleared in the same transaction;
    a repeat creates nothing twice (one delivery per notice and channel)."""
    from linli.notifications.models import Notice
    from linli.notifications.selectors import preferences_of

    with transaction.atomic():
        qs = Notice.objects.filter(fanout_pending=True).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs.values_list("id", "user_id")[:limit])
        if not rows:
            return 0
        prefs = preferences_of({uid for _id, uid in rows if uid is not None})
        deliveries = []
        for notice_id, uid in rows:
            pref = prefs.get(uid)
            if pref is None or pref.digest_applies:
                continue
            deliveries += [Delivery(notice_id=notice_id, channel=ch) for ch in pref.channels]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Notice.objects.filter(id__in=[r[0] for r in rows]).update(fanout_pending=False)
    return len(rows)


def deliveries_run(*, now: datetime | None = None, max_batches: int = 20) -> dict[str, int]:
    """Fan new notices out to their channels, then claim and send what is due, batch after batch
    (bounded); returns counts by outcome."""
    counts: dict[str, int] = {}
    for _batch in range(max_batches):
        if not notices_fan_out():
            break
    for _batch in range(max_batches):
        token, ids = deliveries_claim(now=now)
        if not ids:
            break
        for delivery in (
            Delivery.objects.filter(id__in=ids, claim=token)
            .select_related("notice", "notice__user")
            .order_by("id")
        ):
            status = delivery_send(delivery, token, now=now)
            counts[status] = counts.get(status, 0) + 1
    return counts
