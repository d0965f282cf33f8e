"""The worker: claims, sends through the configured sender after commit, retries with backoff, gives up
on a permanent failure, and sends a notice once even when a worker died mid-send."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.notifications import delivery as worker
from linli.notifications.actions import notice_queue
from linli.notifications.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


def _queue_sms(phone="13812345678", text="您反映的问题已受理", url="/cases/mine/2026-1"):
    [notice] = notice_queue(user_ids=[], kind="accept", ref="cases.case:1", text=text, url=url, phone=phone)
    return Delivery.objects.get(notice=notice)


def test_delivered_after_commit_through_the_gateway_with_the_link(sms_gateway, settings, django_capture_on_commit_callbacks):
    settings.LINLI_PUBLIC_URL = "https://linli.example.cn"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        d = _queue_sms()
    assert sms_gateway.requests == []  # nothing before the commit
    for callback in callbacks:
        callback()  # the commit: the task runs (immediate in tests)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 1 and d.sent_at is not None
    [request] = sms_gateway.requests
    assert request["phone"] == "13812345678" and request["auth"] == "Bearer t0ken"
    assert request["text"] == "您反映的问题已受理 https://linli.example.cn/cases/mine/2026-1"
    assert request["dedupe_key"] == d.dedupe_key == f"linli-{d.notice_id}-sms"


def test_the_console_sender_is_the_default_and_masks_the_number(caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO, logger="linli.notifications"), django_capture_on_commit_callbacks(execute=True):
        d = _queue_sms()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT
    line = next(r.getMessage() for r in caplog.records if r.name == "linli.notifications")
    assert "您反映的问题已受理" in line and "138****5678" in line and "13812345678" not in line


def test_a_gateway_failure_is_retried_with_backoff_then_sent_once(sms_gateway):
    sms_gateway.fail = 2
    d = _queue_sms()
    now = timezone.now()
    worker.deliveries_run(now=now)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PENDING and d.attempts == 1 and "500" in d.error
    assert timedelta(seconds=20) < d.next_at - now < timedelta(seconds=40)
    worker.deliveries_run(now=now + timedelta(seconds=10))  # not due yet: nothing tried
    assert len(sms_gateway.requests) == 1
    worker.deliveries_run(now=now + timedelta(seconds=41))
    d.refresh_from_db()
    assert d.attempts == 2 and d.status == DeliveryStatus.PENDING
    assert timedelta(seconds=45) < d.next_at - (now + timedelta(seconds=41)) < timedelta(seconds=75)
    worker.deliveries_run(now=now + timedelta(minutes=5))
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 3 and d.error == ""
    assert len(sms_gateway.delivered) == 1


def test_a_rejected_message_is_not_retried(sms_gateway):
    sms_gateway.fail, sms_gateway.status = 1, 400
    d = _queue_sms()
    worker.deliveries_run()
    worker.deliveries_run(now=timezone.now() + timedelta(hours=2))
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.attempts == 1 and len(sms_gateway.requests) == 1


def test_it_gives_up_after_the_last_attempt(sms_gateway):
    sms_gateway.fail = 100
    d = _queue_sms()
    at = timezone.now()
    for _ in range(worker.MAX_ATTEMPTS + 2):
        worker.deliveries_run(now=at)
        at += timedelta(hours=2)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.attempts == worker.MAX_ATTEMPTS
    assert len(sms_gateway.requests) == worker.MAX_ATTEMPTS


def test_a_worker_that_died_mid_send_leaves_it_to_the_next_and_the_phone_gets_it_once(sms_gateway, settings):
    settings.LINLI_NOTICE_CLAIM_SECONDS = 60
    d = _queue_sms()
    now = timezone.now()
    # Worker A claims and sends, and dies before it records the outcome.
    token, ids = worker.deliveries_claim(now=now)
    assert ids == [d.pk]
    claimed = Delivery.objects.select_related("notice").get(pk=d.pk)
    worker.sender_for("sms").send(worker.message_of(claimed))
    # While the claim runs, nobody else takes it.
    assert worker.deliveries_claim(now=now + timedelta(seconds=30))[1] == []
    # The claim runs out: worker B sends it again, with the same dedupe key.
    worker.deliveries_run(now=now + timedelta(seconds=61))
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2
    assert [r["dedupe_key"] for r in sms_gateway.requests] == [d.dedupe_key, d.dedupe_key]
    assert list(sms_gateway.delivered) == [d.dedupe_key]  # the phone got it once
    # Worker A wakes up: its claim is gone, it changes nothing.
    assert not worker._finish(claimed, token, status=DeliveryStatus.FAILED)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT


def test_two_workers_never_claim_the_same_row(db):
    for n in range(5):
        _queue_sms(phone=f"1380000000{n}")
    first = worker.deliveries_claim(limit=3)[1]
    second = worker.deliveries_claim(limit=10)[1]
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)


def test_sms_notices_to_phone_only_reporters_leave_with_their_number_after_delivery(sms_gateway, settings, outsider):
    from linli.notifications.actions import sms_numbers_forget
    from linli.notifications.models import Notice

    settings.LINLI_SMS_NUMBER_DAYS = 30
    sent, waiting = _queue_sms(), _queue_sms(phone="13900001111")
    worker.deliveries_run()
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.SENT
    Delivery.objects.filter(pk=waiting.pk).update(status=DeliveryStatus.PENDING, next_at=timezone.now() + timedelta(days=99))
    [account_notice] = notice_queue(user_ids=[outsider.pk], kind="accept", ref="cases.case:1", text="t", url="")
    Notice.objects.update(created_at=timezone.now() - timedelta(days=31))
    fresh = _queue_sms(phone="13900002222")
    worker.deliveries_run()

    assert sms_numbers_forget() == 1  # the old delivered one; not the undelivered, the fresh or the account's
    assert set(Notice.objects.values_list("pk", flat=True)) == {waiting.notice_id, account_notice.pk, fresh.notice_id}
    assert not Delivery.objects.filter(pk=sent.pk).exists()
    assert sms_numbers_forget() == 0

