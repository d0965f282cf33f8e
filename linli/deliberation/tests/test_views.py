"""Pages: reachable from the home tile and the menu, each role sees what it should, others get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_resident_home_tile_and_menu_lead_to_topics(client, make_voter):
    _login(client, make_voter())
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("deliberation:topics") in home
    assert reverse("deliberation:votes") in home


def test_resident_raises_supports_and_votes(client, world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import vote_transition
    from linli.deliberation.models import Ballot, Topic

    voter = make_voter()
    _login(client, voter)
    r = client.post(reverse("deliberation:topic_new"), {"title": "小区缺少健身器材", "description": "老人没地方锻炼"})
    topic = Topic.objects.get()
    assert r.status_code == 302 and r.url == reverse("deliberation:topic_detail", args=[topic.pk])
    assert topic.status == "raised"
    from linli.deliberation.actions import topic_transition

    topic_transition(topic=topic, name="hear", actor=community_staff)
    client.post(reverse("deliberation:topic_support", args=[topic.pk]))
    page = client.get(reverse("deliberation:topic_detail", args=[topic.pk])).content.decode()
    assert 'data-testid="supported"' in page
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    page = client.get(reverse("deliberation:vote_detail", args=[vote.pk])).content.decode()
    assert 'data-testid="choice-agree"' in page
    client.post(reverse("deliberation:vote_cast", args=[vote.pk]), {"choice": "agree"})
    assert Ballot.objects.get(vote=vote).choice == "agree"
    page = client.get(reverse("deliberation:vote_detail", args=[vote.pk])).content.decode()
    assert 'data-testid="my-ballot"' in page


def test_empty_title_shows_error_and_changes_nothing(client, make_voter):
    from linli.deliberation.models import Topic

    _login(client, make_voter())
    r = client.post(reverse("deliberation:topic_new"), {"title": "  "})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert not Topic.objects.exists()


def test_staff_runs_a_vote_and_sees_the_computation(client, world, community_staff, make_voter):
    from linli.deliberation.models import RollEntry, Vote

    for _ in range(3):
        make_voter()
    _login(client, community_staff)
    assert client.get(reverse("deliberation:vote_new")).status_code == 200
    r = client.post(
        reverse("deliberation:vote_new"),
        {"title": "是否同意改造车棚", "place": world.community.pk, "electorate": "households", "rule": "residents",
         "closes_at": "2099-01-01T10:00", "secret": "on", "online": "on", "paper": "on"},
    )
    vote = Vote.objects.get()
    assert r.status_code == 302, r.content.decode()[:2000]
    client.post(reverse("deliberation:vote_transition", args=[vote.pk, "open"]))
    roll = client.get(reverse("deliberation:vote_roll", args=[vote.pk]))
    assert roll.content.decode().count('data-testid="roll-row"') == 3
    for i, entry in enumerate(RollEntry.objects.filter(vote=vote)[:2]):
        client.post(reverse("deliberation:vote_paper", args=[vote.pk]), {"entry": entry.pk, "choice": "agree", "paper_number": f"P{i}"})
    client.post(reverse("deliberation:vote_transition", args=[vote.pk, "close"]))
    page = client.get(reverse("deliberation:vote_detail", args=[vote.pk])).content.decode()
    assert 'data-testid="computation"' in page and "2 / 3" in page


@pytest.mark.parametrize("name", ["topic_detail", "vote_detail", "vote_roll"])
def test_other_community_gets_404(client, world, community_staff, outsider, make_voter, make_vote, name):
    from linli.deliberation.actions import topic_raise, vote_transition

    make_voter()
    topic = topic_raise(actor=community_staff, title="x", place=world.community)
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    _login(client, outsider)
    pk = topic.pk if name.startswith("topic") else vote.pk
    assert client.get(reverse(f"deliberation:{name}", args=[pk])).status_code == 404


def test_resident_cannot_see_the_roll(client, world, community_staff, make_voter, make_vote):
    from linli.deliberation.actions import vote_transition

    voter = make_voter()
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    _login(client, voter)
    assert client.get(reverse("deliberation:vote_roll", args=[vote.pk])).status_code == 404


def test_topic_list_query_budget(client, world, community_staff, django_assert_max_num_queries):
    from linli.deliberation.actions import topic_raise

    for i in range(8):
        topic_raise(actor=community_staff, title=f"议题{i}", place=world.community)
    _login(client, community_staff)
    client.get(reverse("deliberation:topics"))
    with django_assert_max_num_queries(14):
        r = client.get(reverse("deliberation:topics"))
    assert r.content.decode().count('data-testid="topic"') == 8


def test_meeting_pages_schedule_checkin_and_decision(client, world, community_staff, make_voter):
    from linli.deliberation.models import Decision, Meeting

    _login(client, community_staff)
    assert client.post(reverse("deliberation:meeting_schedule"), {"year": "2026"}).status_code == 302
    assert Meeting.objects.filter(kind="residents_day").count() == 12
    meeting = Meeting.objects.order_by("starts_at").first()
    page = client.get(reverse("deliberation:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="qr"' in page
    assert client.get(reverse("deliberation:meeting_qr_svg", args=[meeting.pk]))["Content-Type"] == "image/svg+xml"
    client.post(reverse("deliberation:meeting_transition", args=[meeting.pk, "start"]))
    client.post(reverse("deliberation:meeting_edit", args=[meeting.pk, "decision"]),
                {"text": "建设口袋公园", "owner_name": "王书记", "deadline": "2026-12-31"})
    decision = Decision.objects.get()
    assert client.get(reverse("deliberation:decision_detail", args=[decision.pk])).status_code == 200
    voter = make_voter()
    client.logout()
    _login(client, voter)
    url = reverse("deliberation:meeting_checkin", args=[meeting.checkin_token])
    assert 'data-testid="signin"' in client.get(url).content.decode()
    assert 'data-testid="signed-in"' in client.post(url).content.decode()
    assert client.get(reverse("deliberation:meeting_qr", args=[meeting.pk])).status_code == 404
