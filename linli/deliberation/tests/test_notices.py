"""Deliberation's notices go through the one outbox: notice rows written in the action's transaction, with
the page they link to; a refused action writes none."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import Invalid
from linli.notifications.models import Notice


def _notices(user, kind):
    return list(Notice.objects.filter(user=user, kind=kind).order_by("pk"))


def test_a_case_turned_into_a_topic_tells_its_reporter(world, community_staff, make_voter):
    from linli.cases.actions import case_create
    from linli.cases.models import Category
    from linli.deliberation.actions import topic_from_case

    reporter = make_voter()
    category = Category.objects.filter(parent__isnull=False).first()
    case = case_create(actor=reporter, category=category.pk, title="小区没有休闲场地", place=world.grid_a)
    topic = topic_from_case(actor=community_staff, case=case.pk)
    [notice] = _notices(reporter, "topic")
    assert notice.ref == f"deliberation.topic:{topic.pk}"
    assert notice.url == reverse("deliberation:topic_detail", args=[topic.pk])
    assert "小区没有休闲场地" in notice.text
    assert not _notices(community_staff, "topic")  # the actor is not told of their own act


def test_a_topic_transition_tells_the_raiser_through_the_runner(world, community_staff, make_voter):
    from linli.deliberation.actions import topic_raise, topic_transition

    resident = make_voter()
    topic = topic_raise(actor=resident, title="楼道堆物", place=world.grid_a)
    topic_transition(topic=topic, name="hear", actor=community_staff)
    topic_transition(topic=topic, name="reject", actor=community_staff, data={"reason": "已由物业处理"})
    notices = _notices(resident, "topic")
    assert len(notices) == 2
    assert all(n.url == reverse("deliberation:topic_detail", args=[topic.pk]) for n in notices)


def test_a_refused_transition_writes_no_notice(world, community_staff, make_voter):
    from linli.deliberation.actions import topic_raise, topic_transition

    resident = make_voter()
    topic = topic_raise(actor=resident, title="楼道堆物", place=world.grid_a)
    topic_transition(topic=topic, name="hear", actor=community_staff)
    before = Notice.objects.count()
    with pytest.raises(Invalid):
        topic_transition(topic=topic, name="reject", actor=community_staff, data={"reason": " "})
    assert Notice.objects.count() == before


def test_a_cancelled_meeting_tells_its_invited_logins(world, community_staff, make_voter):
    from linli.deliberation.actions import meeting_create, meeting_transition, participant_add

    meeting = meeting_create(actor=community_staff, community=world.community, kind="tripartite", title="三方议事会",
                             starts_at=timezone.now() + datetime.timedelta(days=1))
    rep = make_voter()
    participant_add(actor=community_staff, meeting=meeting, role="resident_rep", user=rep, name="代表")
    meeting_transition(meeting=meeting, name="cancel", actor=community_staff, data={"reason": "改期"})
    [notice] = _notices(rep, "meeting")
    assert notice.url == reverse("deliberation:meeting_detail", args=[meeting.pk]) and "三方议事会" in notice.text


def test_a_decision_tells_its_owner_and_a_published_vote_the_topic_raiser(
        world, community_staff, grid_worker_a, make_voter, make_vote):
    from linli.deliberation.actions import (
        ballot_cast,
        decision_record,
        topic_raise,
        topic_transition,
        vote_transition,
    )

    resident = make_voter()
    topic = topic_raise(actor=resident, title="建口袋公园", place=world.grid_a)
    topic_transition(topic=topic, name="hear", actor=community_staff)
    vote = vote_transition(vote=make_vote(topic=topic.pk), name="open", actor=community_staff)
    ballot_cast(actor=resident, vote=vote.pk, choice="agree")
    vote_transition(vote=vote.pk, name="close", actor=community_staff)
    vote_transition(vote=vote.pk, name="publish", actor=community_staff)
    [told] = _notices(resident, "vote")
    assert told.url == reverse("deliberation:vote_detail", args=[vote.pk]) and vote.title in told.text
    decision = decision_record(actor=community_staff, vote=vote.pk, topic=topic.pk, text="建设口袋公园",
                               owner=grid_worker_a, owner_name="网格员", deadline=datetime.date(2026, 12, 31))
    [notice] = _notices(grid_worker_a, "decision")
    assert notice.ref == f"deliberation.decision:{decision.pk}"
    assert notice.url == reverse("deliberation:decision_detail", args=[decision.pk])


def test_no_private_notifier_is_left():
    import linli.deliberation.actions._common as common

    assert not hasattr(common, "notify")
