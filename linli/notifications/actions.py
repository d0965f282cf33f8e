"""Writes of the outbox: queue notices (inside the caller's transaction), mark them read, set one's
preferences.

    notice_queue(user_ids=[owner.pk], kind="dispatch", ref=f"cases.case:{case.pk}", text=..., url=...)

writes one ``Notice`` per user (their inbox) and one ``Delivery`` per outside channel the user chose,
plus an SMS for ``phone`` (a reporter without an account). Nothing is sent here: after the transaction
commits a worker task claims the deliveries and sends them (``linli.notifications.delivery``); a
rolled-back transaction leaves no row and tells nobody.
"""

from __future__ import annotations

import os
import threading
import time as time_module
from collections.abc import Iterable
from datetime import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Invalid, NotFound
from linli.core.inserts import insert_many
from linli.notifications.models import Channel, Delivery, Notice, NoticePreference

TEXT_MAX = 300


class _Kick:
    """One wake-up of the delivery task; ``done`` once it ran (a test that runs the callbacks of a transaction it
    keeps open, captureOnCommitCallbacks, leaves it in the list: it must not cover the next transaction's)."""

    done = False

    def __call__(self) -> None:
        self.done = True
        wake()


class _Waker:
    """At most one enqueued wake-up per ``LINLI_NOTICE_WAKE_SECONDS`` in a process. Each enqueue is a
    write to the task queue (with SqliteHuey a commit of its own file, as costly as the intake's own); a
    burst of actions needs one run of the task, which claims every pending delivery. The first wake-up of
    a window goes at once; the ones after it within the window are covered by one more, sent when the
    window ends (a timer): it is enqueued after their commits, so the run it starts sees their rows. A
    process that exits with one pending leaves it to ``notices_deliver_due`` (every minute)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.last = -1e18
        self.timer: threading.Timer | None = None

    def __call__(self) -> None:
        from huey.contrib.djhuey import HUEY

        from linli.notifications.tasks import notices_deliver

        window = float(getattr(settings, "LINLI_NOTICE_WAKE_SECONDS", 0) or 0)
        if window <= 0 or HUEY.immediate:
            notices_deliver()
            return
        now = time_module.monotonic()
        with self.lock:
            if self.timer is not None:
                return  # the window's closing wake-up is still to come: it covers this commit
            if now - self.last >= window:
                self.last = now
                send = True
            else:
                self.timer = threading.Timer(self.last + window - now, self.closing)
                self.timer.daemon = True
                self.timer.start()
                send = False
        if send:
            notices_deliver()

    def closing(self) -> None:
        from linli.notifications.tasks import notices_deliver

        with self.lock:
            self.timer = None
            self.last = time_module.monotonic()
        notices_deliver()


wake = _Waker()
os.register_at_fork(after_in_child=wake.reset)  # a forked worker has no timer thread of its parent


def kick_on_commit() -> None:
    """After the commit, wake the delivery task once per transaction (it claims every pending delivery), not
    once per notice: a run that queues many notices (the demo's year, a bulk action) enqueues one task.
    A wake-up still pending covers this one: a savepoint rollback that would drop it can only be of a
    savepoint open now (a released one cannot be rolled back), which would drop this one too."""
    connection = transaction.get_connection()
    if any(isinstance(func, _Kick) and not func.done for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_Kick())


def notice_queue(
    *,
    user_ids: Iterable[int | None],
    kind: str,
    ref: str,
    text: Any,
    url: str = "",
    exclude: int | None = None,
    phone: str | None = None,
) -> list[Notice]:
    """Queue a notice to each of ``user_ids`` (None and ``exclude``, the actor, skipped; each user once)
    and, with ``phone``, an SMS to that number. Call it inside the action's transaction."""
    ids = sorted({int(uid) for uid in user_ids if uid is not None and uid != exclude})
    message = str(text)[:TEXT_MAX]
    now = timezone.now()
    common = {"kind": kind[:32], "ref": ref[:64], "text": message, "url": url[:300], "created_at": now}
    rows = [{"user_id": uid, "fanout_pending": True, **common} for uid in ids]
    if phone:
        rows.append({"phone": phone, **common})
    if not rows:
        return []
    # Writes only (no read in the action's transaction): the people's channels are looked up by the
    # worker after the commit (``delivery.notices_fan_out``); a phone-only recipient's SMS is known now.
    with transaction.atomic(savepoint=False):
        created = insert_many(rows, model=Notice)  # one statement (core.inserts), no query compiler per row
        sms = [Delivery(notice=n, channel=Channel.SMS, next_at=now) for n in created if n.user_id is None]
        if sms:
            Delivery.objects.bulk_create(sms)
        kick_on_commit()
    return created


def notice_read(*, user: Any, notice_id: int) -> Notice:
    notice = Notice.objects.visible_to(user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("Not found."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_read_all(*, user: Any) -> int:
    return Notice.objects.visible_to(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def preference_set(
    *, user: Any, channels: Iterable[str], digest: bool, digest_at: time, wechat_openid: str = ""
) -> NoticePreference:
    """A person's channels and, for staff, the digest. A channel needs an address: SMS the account's
    phone, e-mail its address, WeChat an OpenID."""
    chosen = list(dict.fromkeys(channels))
    errors: dict[str, list[str]] = {}
    unknown = [c for c in chosen if c not in Channel.values]
    if unknown:
        errors["channels"] = [_("Unknown channel.")]
    if Channel.SMS in chosen and not getattr(user, "phone", ""):
        errors["channels"] = [_("Your account has no mobile phone number for SMS.")]
    if Channel.EMAIL in chosen and not getattr(user, "email", ""):
        errors["channels"] = [_("Your account has no e-mail address.")]
    openid = (wechat_openid or "").strip()
    if Channel.WECHAT in chosen and not openid:
        errors["wechat_openid"] = [_("Enter the OpenID of your WeChat account to receive WeChat messages.")]
    if errors:
        raise Invalid(_("Please correct the notification settings."), fields=errors)
    pref, _created = NoticePreference.objects.update_or_create(
        user=user,
        defaults={
            "channels": chosen,
            "digest": bool(digest),
            "digest_at": digest_at,
            "wechat_openid": openid[:64],
        },
    )
    return pref


def sms_numbers_forget(*, now: Any = None, limit: int = 5000) -> int:
    """Delete the SMS notices to phone-only recipients once every delivery of theirs is over (sent, or failed for
    good) and they are older than ``LINLI_SMS_NUMBER_DAYS`` (default 30): the number was needed to send, not to
    keep (PIPL Art. 19, the shortest time needed). The case keeps its own record of the reporter. At most
    ``limit`` a run (the nightly task comes back). Returns how many went."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from linli.notifications.models import Delivery, DeliveryStatus, Notice

    now = now or timezone.now()
    before = now - timedelta(days=max(1, int(getattr(settings, "LINLI_SMS_NUMBER_DAYS", 30))))
    open_delivery = Delivery.objects.filter(
        notice=OuterRef("pk"), status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
    ids = list(Notice.objects.filter(user__isnull=True, created_at__lt=before)
               .exclude(Exists(open_delivery)).order_by("id").values_list("pk", flat=True)[:limit])
    if ids:
        Notice.objects.filter(pk__in=ids).delete()
    return len(ids)


def sms_allowance_take(phone: str) -> bool:
    """Use one SMS of a number's allowance (LINLI_SMS_PER_PHONE_HOUR and _DAY, counted in the database
    across processes). Every SMS a number is sent on somebody's request or by a campaign takes from the one
    allowance: the cases' one-time codes and the surveys' links share it, so that no feature can be used to
    flood a number. False when the allowance is used up (send nothing)."""
    from django.conf import settings

    from linli.core.ratelimit import rate_take

    limits = [(settings.LINLI_SMS_PER_PHONE_HOUR, 3600), (settings.LINLI_SMS_PER_PHONE_DAY, 86400)]
    return rate_take("sms.phone", phone, limits=limits)


def sms_send_now(phone: str, text: str, *, dedupe_key: str) -> None:
    """An SMS that cannot wait for the outbox and must not be stored (a one-time login code): sent at once
    through the configured SMS sender (notifications.senders)."""
    from linli.notifications.senders import sms_send_now as send

    send(phone, text, dedupe_key=dedupe_key)
