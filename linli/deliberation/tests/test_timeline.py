"""One timeline page: a resident's case → topic → meeting → vote → decision → project → milestones → result,
in that order, each stage linking to its page; what the viewer may not see stays out."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core.testing.personas import PASSWORD


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_one_page_from_the_case_to_the_result(client, world, community_staff, make_voter, make_vote):
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default
    from linli.deliberation import actions

    categories_restore_default()
    staff = community_staff
    voter = make_voter()
    case = case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="小区停车难",
                       description="晚上车位不够", place=world.grid_a)
    topic = actions.topic_from_case(actor=staff, case=case)
    actions.topic_transition(topic=topic, name="schedule", actor=staff)
    meeting = actions.meeting_create(actor=staff, community=world.community, kind="residents_day", title="十二月议事日",
                                     starts_at=timezone.now())
    actions.meeting_transition(meeting=meeting, name="start", actor=staff)
    actions.agenda_add(actor=staff, meeting=meeting, topic=topic)
    actions.meeting_transition(meeting=meeting, name="finish", actor=staff, data={"minutes": "同意建停车场，交业主表决"})
    vote = actions.vote_transition(vote=make_vote(title="是否建设停车场", topic=topic.pk), name="open", actor=staff)
    actions.ballot_cast(actor=voter, vote=vote.pk, choice="agree")
    actions.vote_transition(vote=vote.pk, name="close", actor=staff)
    decision = actions.decision_record(actor=staff, meeting=meeting, vote=vote, topic=topic, text="建设停车场",
                                       owner_name="陈静", deadline=datetime.date(2027, 6, 1))
    project = actions.project_from_decision(actor=staff, decision=decision, title="围墙旧址停车场", kind="parking", budget="100")
    actions.project_money_in(actor=staff, project=project, kind="donation", amount="100", counterparty="共建单位")
    actions.project_transition(project=project, name="start", actor=staff)
    actions.milestone_add(actor=staff, project=project, title="划线完成", done_on="2027-01-05")
    actions.project_transition(project=project, name="complete", actor=staff, data={"note": "新增车位30个"})
    actions.project_rate(actor=voter, project=project, satisfaction="satisfied")

    assert client.login(username=staff.username, password=PASSWORD)
    for kind, pk in (("project", project.pk), ("topic", topic.pk), ("decision", decision.pk)):
        page = client.get(reverse("deliberation:timeline", args=[kind, pk])).content.decode()
        order = [page.index(f'data-stage="{s}"') for s in
                 ("case", "topic", "meeting", "vote", "decision", "project", "milestones", "result")]
        assert order == sorted(order), kind
        for url in (reverse("cases:case", args=[case.pk]), reverse("deliberation:meeting_detail", args=[meeting.pk]),
                    reverse("deliberation:vote_detail", args=[vote.pk]), reverse("deliberation:project_detail", args=[project.pk])):
            assert url in page
        assert "划线完成" in page and "新增车位30个" in page and " create</li>" not in page
    detail = client.get(reverse("deliberation:project_detail", args=[project.pk])).content.decode()
    assert reverse("deliberation:timeline", args=["project", project.pk]) in detail
    client.logout()
    # A resident of the community sees the story, but not the case of somebody else.
    assert client.login(username=voter.username, password=PASSWORD)
    page = client.get(reverse("deliberation:timeline", args=["project", project.pk])).content.decode()
    assert 'data-stage="project"' in page and 'data-stage="case"' not in page
    assert client.get(reverse("deliberation:timeline", args=["castle", 1])).status_code == 404


def test_timeline_of_an_unseen_topic_is_404(client, world, resident, outsider):
    from linli.deliberation.actions import topic_raise

    topic = topic_raise(actor=resident, title="楼道灯不亮", place=world.grid_a)
    assert client.login(username=outsider.username, password=PASSWORD)
    assert client.get(reverse("deliberation:timeline", args=["topic", topic.pk])).status_code == 404
