"""notice_queue: rows in the caller's transaction, one per person, the actor left out; outside channels
as each person chose; staff on the digest get the inbox only; a phone-only reporter an SMS."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import transaction

from linli.core.errors import Invalid
from linli.core.testing.personas import make_user
from linli.notifications.actions import notice_queue, preference_set
from linli.notifications.delivery import notices_fan_out
from linli.notifications.models import Delivery, Notice


def test_one_notice_per_person_without_the_actor_and_nobody_twice(resident, grid_worker_a, community_staff):
    made = notice_queue(
        user_ids=[resident.pk, grid_worker_a.pk, None, resident.pk, community_staff.pk],
        kind="dispatch", ref="cases.case:1", text="案件已派遣", url="/cases/1/", exclude=community_staff.pk,
    )
    assert sorted(n.user_id for n in made) == sorted([resident.pk, grid_worker_a.pk])
    assert Notice.objects.count() == 2
    assert set(Notice.objects.values_list("ref", "url", "read_at")) == {("cases.case:1", "/cases/1/", None)}
    assert not Delivery.objects.exists()  # nobody chose an outside channel: the inbox only


def test_nothing_is_queued_for_a_rolled_back_change(resident):
    with pytest.raises(RuntimeError), transaction.atomic():
        notice_queue(user_ids=[resident.pk], kind="x", ref="cases.case:1", text="t", phone="13800000001")
        raise RuntimeError
    assert not Notice.objects.exists() and not Delivery.objects.exists()


def test_text_is_cut_to_the_column(resident):
    [notice] = notice_queue(user_ids=[resident.pk], kind="x", ref="r:1", text="长" * 500)
    assert len(Notice.objects.get(pk=notice.pk).text) == 300


def test_chosen_channels_get_a_delivery_each(world):
    user = make_user("chan1", "resident", place=world.grid_a, phone="13800001111", email="a@example.org")
    preference_set(user=user, channels=["sms", "email"], digest=False, digest_at=time(8))
    [notice] = notice_queue(user_ids=[user.pk], kind="accept", ref="cases.case:9", text="已受理")
    assert not Delivery.objects.exists()  # the action's transaction only writes the notice
    assert notices_fan_out() == 1 and notices_fan_out() == 0  # the worker, after the commit; once
    assert sorted(Delivery.objects.filter(notice=notice).values_list("channel", flat=True)) == ["email", "sms"]


def test_staff_on_the_digest_get_the_inbox_but_no_stream(world, grid_worker_a):
    grid_worker_a.email = "w@example.org"
    grid_worker_a.save()
    preference_set(user=grid_worker_a, channels=["email"], digest=True, digest_at=time(7, 30))
    notice_queue(user_ids=[grid_worker_a.pk], kind="dispatch", ref="cases.case:3", text="新案件")
    notices_fan_out()
    assert Notice.objects.filter(user=grid_worker_a).count() == 1
    assert not Delivery.objects.exists()
    preference_set(user=grid_worker_a, channels=["email"], digest=False, digest_at=time(7, 30))
    notice_queue(user_ids=[grid_worker_a.pk], kind="dispatch", ref="cases.case:4", text="新案件")
    notices_fan_out()
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_a_phone_only_recipient_gets_an_sms_row_with_the_number_encrypted(db):
    from django.db import connection

    [notice] = notice_queue(user_ids=[], kind="accept", ref="cases.case:5", text="已受理", phone="13812345678")
    assert notice.user_id is None and Notice.objects.get(pk=notice.pk).phone == "13812345678"
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM notifications_notice")
        (stored,) = cur.fetchone()
    assert "13812345678" not in stored


def test_a_channel_needs_an_address(world):
    user = make_user("noaddr", "resident", place=world.grid_a)
    with pytest.raises(Invalid) as err:
        preference_set(user=user, channels=["sms"], digest=False, digest_at=time(8))
    assert "channels" in err.value.fields
    with pytest.raises(Invalid) as err:
        preference_set(user=user, channels=["wechat"], digest=False, digest_at=time(8))
    assert "wechat_openid" in err.value.fields
    with pytest.raises(Invalid):
        preference_set(user=user, channels=["fax"], digest=False, digest_at=time(8))


def test_the_worker_is_woken_once_per_transaction_even_after_a_rolled_back_savepoint(resident, grid_worker_a):
    from linli.notifications.actions import _Kick

    def wake_ups() -> int:
        return sum(isinstance(func, _Kick) and not func.done
                   for _sids, func, _robust in transaction.get_connection().run_on_commit)

    for n in range(3):
        notice_queue(user_ids=[resident.pk], kind="x", ref=f"r:{n}", text="t")
    assert wake_ups() == 1  # three notices, one wake-up
    with pytest.raises(RuntimeError), transaction.atomic():
        with transaction.atomic():
            notice_queue(user_ids=[resident.pk], kind="x", ref="r:gone", text="t")
        assert wake_ups() == 1
        raise RuntimeError
    assert wake_ups() == 1
    with transaction.atomic():  # a savepoint: the test's transaction is open around it
        transaction.get_connection().run_on_commit.clear()  # as if the first wake-up had been rolled back
        with pytest.raises(RuntimeError), transaction.atomic():
            notice_queue(user_ids=[resident.pk], kind="x", ref="r:gone2", text="t")
            assert wake_ups() == 1
            raise RuntimeError
        assert wake_ups() == 0  # went with its savepoint
        notice_queue(user_ids=[grid_worker_a.pk], kind="x", ref="r:kept", text="t")
        assert wake_ups() == 1  # the kept notice has its own
    assert list(Notice.objects.filter(ref__startswith="r:").values_list("ref", flat=True).order_by("ref")) == [
        "r:0", "r:1", "r:2", "r:kept"]


def test_wake_ups_within_a_window_are_one_now_and_one_when_it_ends(settings, monkeypatch):
    """A burst of commits enqueues the delivery task twice (at once, and once when the window ends, after
    the burst's commits), not once per commit; with the window at 0, once per commit."""
    import threading

    from huey.contrib.djhuey import HUEY

    from linli.notifications import actions, tasks

    sent: list[float] = []
    done = threading.Event()

    def fake_deliver() -> None:
        sent.append(1)
        if len(sent) == 2:
            done.set()

    monkeypatch.setattr(tasks, "notices_deliver", fake_deliver)
    monkeypatch.setattr(HUEY, "immediate", False)
    settings.LINLI_NOTICE_WAKE_SECONDS = 0.3
    waker = actions._Waker()
    for _ in range(5):
        waker()
    assert len(sent) == 1  # the first at once; the four after it wait for the window's end
    assert done.wait(5)
    assert len(sent) == 2
    settings.LINLI_NOTICE_WAKE_SECONDS = 0
    for _ in range(3):
        waker()
    assert len(sent) == 5
