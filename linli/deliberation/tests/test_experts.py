"""The think tank: experts with fields per community, invited to topics (told through the outbox), their
opinions recorded on the topic, shown on its page and in its timeline; pages and scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.testing.personas import PASSWORD, make_user
from linli.deliberation.models import Expert, ExpertOpinion, TopicEvent
from linli.notifications.models import Notice


@pytest.fixture
def expert_login(world):
    return make_user("expert_teacher", "resident", place=world.grid_a, phone="13900001234")


@pytest.fixture
def expert(world, community_staff, expert_login):
    from linli.deliberation.actions import expert_add

    return expert_add(actor=community_staff, community=world.community, name="陈建国", kind="teacher",
                      specialties="城市规划、物业纠纷", title="退休中学教师", phone="139 0000 1234")


@pytest.fixture
def open_topic(topic, community_staff):
    from linli.deliberation.actions import topic_transition

    topic_transition(topic=topic, name="hear", actor=community_staff) if topic.status == "raised" else None
    return topic


def test_staff_add_an_expert_with_fields_and_the_login_found_by_phone(expert, expert_login):
    assert expert.user == expert_login and expert.field_list() == ["城市规划", "物业纠纷"]
    assert expert.kind == "teacher" and expert.community_path


def test_bad_expert_input_is_refused_and_writes_nothing(world, community_staff, outsider, resident):
    from linli.deliberation.actions import expert_add

    with pytest.raises(Invalid) as exc:
        expert_add(actor=community_staff, community=world.community, name=" ", kind="wizard", specialties="",
                   phone="13100000000")
    assert {"name", "kind", "specialties", "phone"} <= set(exc.value.fields)
    for who in (outsider, resident):
        with pytest.raises(PermissionDenied):
            expert_add(actor=who, community=world.community, name="李律师", kind="lawyer", specialties="合同")
    assert not Expert.objects.exists()


def test_invite_tells_the_expert_and_the_opinion_is_on_the_topic_and_its_timeline(
        open_topic, expert, expert_login, community_staff):
    from linli.deliberation.actions import expert_invite, expert_opinion_record
    from linli.deliberation.selectors import deliberation_timeline

    expert_invite(actor=community_staff, topic=open_topic, expert=expert.pk)
    [notice] = Notice.objects.filter(user=expert_login, kind="expert")
    assert notice.url == reverse("deliberation:topic_detail", args=[open_topic.pk])
    with pytest.raises(Refused):
        expert_invite(actor=community_staff, topic=open_topic, expert=expert.pk)
    opinion = expert_opinion_record(actor=expert_login, topic=open_topic, expert=expert.pk,
                                    text="建议先做停车位需求调查，再议收费标准。")
    assert opinion.recorded_by == expert_login
    kinds = list(TopicEvent.objects.filter(topic=open_topic).values_list("kind", flat=True))
    assert "expert_invite" in kinds and "expert_opinion" in kinds
    stages = deliberation_timeline(community_staff, topic=open_topic)
    topic_stage = next(s for s in stages if s["stage"] == "topic")
    assert any("停车位需求调查" in (note or "") for _at, _label, note in topic_stage["events"])


def test_only_invited_experts_and_staff_record_opinions(open_topic, expert, expert_login, community_staff, make_voter):
    from linli.deliberation.actions import expert_invite, expert_opinion_record

    with pytest.raises(Invalid):  # not invited yet
        expert_opinion_record(actor=community_staff, topic=open_topic, expert=expert.pk, text="意见")
    expert_invite(actor=community_staff, topic=open_topic, expert=expert.pk)
    with pytest.raises(PermissionDenied):
        expert_opinion_record(actor=make_voter(), topic=open_topic, expert=expert.pk, text="冒名")
    with pytest.raises(Invalid):
        expert_opinion_record(actor=expert_login, topic=open_topic, expert=expert.pk, text="  ")
    expert_opinion_record(actor=community_staff, topic=open_topic, expert=expert.pk, text="电话中口述：同意")
    assert ExpertOpinion.objects.count() == 1


def test_an_expert_of_another_community_cannot_be_invited(open_topic, community_staff, outsider, world):
    from linli.deliberation.actions import expert_add, expert_invite

    other = expert_add(actor=outsider, community=world.community_2, name="王律师", kind="lawyer",
                       specialties="物业合同")
    with pytest.raises(Invalid):
        expert_invite(actor=community_staff, topic=open_topic, expert=other.pk)
    with pytest.raises((NotFound, PermissionDenied)):
        expert_invite(actor=outsider, topic=open_topic, expert=other.pk)


def test_closed_topics_take_no_invitation(topic, expert, community_staff):
    from linli.deliberation.actions import expert_invite, topic_transition

    topic_transition(topic=topic, name="reject", actor=community_staff, data={"reason": "不属于议事范围"})
    with pytest.raises(Refused):
        expert_invite(actor=community_staff, topic=topic, expert=expert.pk)


def test_pages_show_the_think_tank_masked(client, open_topic, expert, expert_login, community_staff, make_voter):
    assert client.login(username=community_staff.username, password=PASSWORD)
    page = client.get(reverse("deliberation:experts")).content.decode()
    assert "陈**" in page and "陈建国" not in page and "城市规划" in page
    page = client.get(reverse("deliberation:topic_detail", args=[open_topic.pk])).content.decode()
    assert 'data-testid="expert-invite"' in page
    client.post(reverse("deliberation:topic_expert_invite", args=[open_topic.pk]), {"expert": expert.pk})
    client.logout()
    assert client.login(username=expert_login.username, password=PASSWORD)
    client.post(reverse("deliberation:topic_expert_opinion", args=[open_topic.pk]),
                {"expert": expert.pk, "text": "建议分期施工"})
    client.logout()
    resident = make_voter()
    assert client.login(username=resident.username, password=PASSWORD)
    page = client.get(reverse("deliberation:topic_detail", args=[open_topic.pk])).content.decode()
    assert "建议分期施工" in page and "陈**" in page and "陈建国" not in page
    assert 'data-testid="expert-opinion-save"' not in page


def test_staff_add_an_expert_on_the_page_and_errors_are_shown(client, world, community_staff):
    assert client.login(username=community_staff.username, password=PASSWORD)
    r = client.post(reverse("deliberation:expert_new"), {"community": world.community.pk, "name": "赵工",
                                                          "kind": "technician", "specialties": ""}, follow=True)
    assert r.status_code == 200 and not Expert.objects.exists()
    assert "城市规划" in r.content.decode()  # the field's own message is shown
    client.post(reverse("deliberation:expert_new"), {"community": world.community.pk, "name": "赵工",
                                                     "kind": "technician", "specialties": "电梯维修"})
    assert Expert.objects.get().specialties == "电梯维修"


def test_staff_edit_and_retire_an_expert_on_a_page_retired_ones_are_not_offered(client, expert, open_topic,
                                                                             community_staff, outsider, resident):
    """From the think-tank page staff open an expert, correct their fields (the name stays masked and a blank
    name keeps it) and retire them: the topic page no longer offers them and an invitation is refused."""
    from linli.deliberation.actions import expert_invite

    assert client.login(username=community_staff.username, password=PASSWORD)
    edit = reverse("deliberation:expert_edit", args=[expert.pk])
    assert edit in client.get(reverse("deliberation:experts")).content.decode()
    page = client.get(edit).content.decode()
    assert "陈**" in page and "陈建国" not in page
    r = client.post(edit, {"name": "", "kind": "lawyer", "specialties": "合同、物业纠纷", "title": "律师事务所"})
    assert r.status_code == 302
    expert.refresh_from_db()
    assert (expert.name, expert.kind, expert.specialties, expert.active) == ("陈建国", "lawyer", "合同、物业纠纷", True)
    r = client.post(edit, {"kind": "wizard", "specialties": ""})
    assert r.status_code == 200
    expert.refresh_from_db()
    assert expert.kind == "lawyer"
    topic_page = reverse("deliberation:topic_detail", args=[open_topic.pk])
    assert f'value="{expert.pk}"' in client.get(topic_page).content.decode()
    client.post(edit, {"active": "0"})
    expert.refresh_from_db()
    assert not expert.active and expert.specialties == "合同、物业纠纷"
    assert f'value="{expert.pk}"' not in client.get(topic_page).content.decode()
    with pytest.raises(Invalid):
        expert_invite(actor=community_staff, topic=open_topic, expert=expert.pk)
    client.logout()
    for who in (outsider, resident):
        assert client.login(username=who.username, password=PASSWORD)
        assert client.post(edit, {"active": "1"}).status_code == 404
        client.logout()
    expert.refresh_from_db()
    assert not expert.active
