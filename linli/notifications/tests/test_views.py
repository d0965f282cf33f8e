"""The inbox page, the unread badge of the top bar, opening a notice, the settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.testing.personas import make_user
from linli.notifications.actions import notice_queue
from linli.notifications.models import Notice, NoticePreference

pytestmark = pytest.mark.django_db


def test_the_badge_counts_ones_own_unread_notices(client, grid_worker_a, grid_worker_b):
    notice_queue(user_ids=[grid_worker_a.pk, grid_worker_b.pk], kind="dispatch", ref="cases.case:1", text="新案件")
    notice_queue(user_ids=[grid_worker_a.pk], kind="dispatch", ref="cases.case:2", text="又一件")
    client.force_login(grid_worker_a)
    page = client.get(reverse("accounts:home")).content.decode()
    assert reverse("notifications:badge") in page and reverse("notifications:inbox") in page
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert 'data-testid="unread-count">2<' in badge
    Notice.objects.filter(user=grid_worker_a).update(read_at="2026-01-01T00:00:00Z")
    assert "unread-count" not in client.get(reverse("notifications:badge")).content.decode()


def test_the_inbox_shows_ones_own_notices_newest_first(client, resident, grid_worker_a):
    notice_queue(user_ids=[resident.pk], kind="accept", ref="cases.case:1", text="您的事项已受理")
    notice_queue(user_ids=[resident.pk], kind="close", ref="cases.case:1", text="您的事项已办结")
    notice_queue(user_ids=[grid_worker_a.pk], kind="dispatch", ref="cases.case:1", text="别人的通知")
    client.force_login(resident)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.index("您的事项已办结") < page.index("您的事项已受理")
    assert "别人的通知" not in page


def test_the_inbox_pages_by_keyset_and_says_when_there_is_more(client, resident):
    for n in range(35):
        notice_queue(user_ids=[resident.pk], kind="k", ref=f"r:{n}", text=f"通知{n:02d}")
    client.force_login(resident)
    first = client.get(reverse("notifications:inbox"))
    assert first.context["next_after"] is not None and len(first.context["notices"]) == 30
    second = client.get(reverse("notifications:inbox"), {"after": first.context["next_after"]})
    texts = [n.text for n in second.context["notices"]]
    assert texts == [f"通知{n:02d}" for n in range(4, -1, -1)] and second.context["next_after"] is None
    assert client.get(reverse("notifications:inbox"), {"after": "x"}).status_code == 200  # a bad cursor: page one


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, resident, grid_worker_a):
    [mine] = notice_queue(user_ids=[resident.pk], kind="accept", ref="cases.case:1", text="已受理", url="/cases/mine/X")
    [theirs] = notice_queue(user_ids=[grid_worker_a.pk], kind="x", ref="cases.case:1", text="t")
    client.force_login(resident)
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/cases/mine/X"
    assert Notice.objects.get(pk=mine.pk).read_at is not None
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_an_outside_link_is_not_followed(client, resident):
    [n] = notice_queue(user_ids=[resident.pk], kind="x", ref="r:1", text="t", url="https://evil.example/")
    client.force_login(resident)
    assert client.post(reverse("notifications:open", args=[n.pk]))["Location"] == reverse("notifications:inbox")


def test_mark_all_read(client, resident):
    notice_queue(user_ids=[resident.pk], kind="x", ref="r:1", text="a")
    notice_queue(user_ids=[resident.pk], kind="x", ref="r:2", text="b")
    client.force_login(resident)
    client.post(reverse("notifications:read_all"))
    assert not Notice.objects.filter(user=resident, read_at__isnull=True).exists()


def test_the_pages_need_a_login(client):
    assert client.get(reverse("notifications:inbox")).status_code == 302
    assert client.get(reverse("notifications:preferences")).status_code == 302
    assert "unread-count" not in client.get(reverse("notifications:badge")).content.decode()


def test_staff_choose_channels_and_the_digest_time(client, world):
    worker = make_user("prefs1", "grid_worker", place=world.grid_a, phone="13800002222")
    client.force_login(worker)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="digest"' in page  # staff see the digest switch
    response = client.post(
        reverse("notifications:preferences"), {"channels": ["sms"], "digest": "on", "digest_at": "17:30"}
    )
    assert response.status_code == 302
    pref = NoticePreference.objects.get(user=worker)
    assert pref.channels == ["sms"] and pref.digest and pref.digest_at.strftime("%H:%M") == "17:30"


def test_a_channel_without_an_address_is_refused_with_a_message(client, world):
    user = make_user("prefs2", "resident", place=world.grid_a)
    client.force_login(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="digest"' not in page  # residents have no digest
    response = client.post(reverse("notifications:preferences"), {"channels": ["email"], "digest_at": "08:00"})
    assert response.status_code == 200 and response.context["form"].errors["channels"]
    assert not NoticePreference.objects.filter(user=user).exists()


def test_the_unread_filter_survives_the_more_link(client, grid_worker_a, grid_worker_b):
    from linli.core.testing.pages import more_href, walk_pages
    from linli.notifications.models import Notice

    for n in range(35):
        Notice.objects.create(user=grid_worker_a, kind="case", ref=f"case:{n}", text=f"未读{n:02d}")
    client.force_login(grid_worker_a)
    bodies = walk_pages(client, reverse("notifications:inbox"), {"show": "unread"})
    assert [b.count('data-testid="notice"') for b in bodies] == [30, 5] and "show=unread" in more_href(bodies[0])
    client.force_login(grid_worker_b)
    assert walk_pages(client, reverse("notifications:inbox"))[0].count('data-testid="notice"') == 0
