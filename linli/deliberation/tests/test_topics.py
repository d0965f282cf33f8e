from __future__ import annotations

import pytest

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.deliberation.models import Topic, TopicSupport
from linli.deliberation.workflow import TopicSource, TopicStatus


def test_raise_by_resident_is_in_their_community(world, make_voter):
    from linli.deliberation.actions import topic_raise

    user = make_voter()
    topic = topic_raise(actor=user, title="  增设充电桩 ", description="电动车乱停", place=world.grid_a)
    assert topic.title == "增设充电桩"
    assert topic.source == TopicSource.RESIDENT
    assert topic.community == world.community and topic.status == TopicStatus.RAISED
    assert topic.raised_by == user
    assert AuditEntry.objects.filter(action="deliberation.topic_raise", target_id=str(topic.pk)).exists()


def test_raise_sources_grid_and_staff(world, grid_worker_a, community_staff):
    from linli.deliberation.actions import topic_raise

    assert topic_raise(actor=grid_worker_a, title="垃圾分类点", place=world.grid_a).source == TopicSource.GRID
    assert topic_raise(actor=community_staff, title="加装电梯", place=world.community).source == TopicSource.STAFF


def test_raise_outside_own_community_is_refused(world, make_voter):
    from linli.deliberation.actions import topic_raise

    with pytest.raises(Invalid):
        topic_raise(actor=make_voter(), title="别处的事", place=world.grid_c)
    assert not Topic.objects.exists()


def test_raise_needs_a_title(world, make_voter):
    from linli.deliberation.actions import topic_raise

    with pytest.raises(Invalid) as exc:
        topic_raise(actor=make_voter(), title="   ", place=world.grid_a)
    assert "title" in exc.value.fields


def test_department_staff_may_not_raise(world, department_staff):
    from linli.deliberation.actions import topic_raise

    with pytest.raises(PermissionDenied):
        topic_raise(actor=department_staff, title="x", place=world.grid_a)


def test_support_once_per_household(topic, make_voter):
    from linli.deliberation.actions import topic_support

    head = make_voter()
    spouse = make_voter(household=head.household)
    topic_support(actor=head, topic=topic)
    with pytest.raises(Refused) as exc:
        topic_support(actor=spouse, topic=topic)
    assert exc.value.code == "duplicate"
    topic.refresh_from_db()
    assert topic.support_count == 1 and TopicSupport.objects.filter(topic=topic).count() == 1


def test_support_needs_a_registry_person(topic, resident):
    from linli.deliberation.actions import topic_support

    with pytest.raises(Invalid):
        topic_support(actor=resident, topic=topic)


def test_support_of_another_community_is_not_found(world, make_voter, outsider):
    from linli.deliberation.actions import topic_raise, topic_support

    other = topic_raise(actor=outsider, title="二社区的事", place=world.community_2)
    with pytest.raises(NotFound):
        topic_support(actor=make_voter(), topic=other)


def test_threshold_puts_topic_on_the_agenda(world, community_staff, make_voter):
    from linli.deliberation.actions import topic_raise, topic_support

    topic = topic_raise(actor=community_staff, title="楼顶漏水", place=world.community, support_threshold=3)
    for _ in range(2):
        topic_support(actor=make_voter(), topic=topic)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.OPEN
    topic = topic_support(actor=make_voter(), topic=topic)
    assert topic.status == TopicStatus.AGENDA and topic.support_count == 3
    event = topic.events.get(kind="schedule")
    assert event.actor is None and event.actor_name == "system"


def test_only_staff_set_the_threshold(world, make_voter):
    from linli.deliberation.actions import topic_raise

    with pytest.raises(PermissionDenied):
        topic_raise(actor=make_voter(), title="x", place=world.grid_a, support_threshold=1)


def test_support_refused_once_closed(topic, community_staff, make_voter):
    from linli.deliberation.actions import topic_support, topic_transition

    topic_transition(topic=topic, name="reject", actor=community_staff, data={"reason": "重复"})
    with pytest.raises(Refused):
        topic_support(actor=make_voter(), topic=topic)


def test_merge_moves_household_support_once(world, community_staff, make_voter):
    from linli.deliberation.actions import topic_raise, topic_support, topic_transition

    a = topic_raise(actor=community_staff, title="停车难", place=world.community, support_threshold=3)
    b = topic_raise(actor=community_staff, title="车位不够", place=world.community, support_threshold=3)
    both, only_b, only_a = make_voter(), make_voter(), make_voter()
    for voter in (both, only_a):
        topic_support(actor=voter, topic=a)
    for voter in (both, only_b):
        topic_support(actor=voter, topic=b)
    merged = topic_transition(topic=b, name="merge", actor=community_staff, data={"into": a.pk})
    assert merged.status == TopicStatus.MERGED and merged.merged_into == a
    a.refresh_from_db()
    assert a.support_count == 3  # both, only_a, only_b: each household once
    assert a.status == TopicStatus.AGENDA  # the merged support reached the threshold


def test_merge_into_itself_or_other_community_is_invalid(world, topic, community_staff, outsider):
    from linli.deliberation.actions import topic_raise, topic_transition

    other = topic_raise(actor=outsider, title="二社区", place=world.community_2)
    for into in (topic.pk, other.pk, 99999):
        with pytest.raises(Invalid):
            topic_transition(topic=topic, name="merge", actor=community_staff, data={"into": into})
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.OPEN


def test_staff_of_other_community_cannot_touch(topic, outsider):
    from linli.deliberation.actions import topic_transition

    with pytest.raises(NotFound):
        topic_transition(topic=topic, name="schedule", actor=outsider)


def test_case_becomes_topic_keeping_the_link(world, community_staff, make_voter):
    from linli.cases.actions import case_create
    from linli.cases.models import Category
    from linli.deliberation.actions import topic_from_case

    reporter = make_voter()
    category = Category.objects.filter(parent__isnull=False).first()
    case = case_create(actor=reporter, category=category.pk, title="小区没有休闲场地", place=world.grid_a)
    topic = topic_from_case(actor=community_staff, case=case.pk)
    assert topic.case == case and topic.source == TopicSource.CASE
    assert topic.raised_by == reporter and topic.title == case.title
    with pytest.raises(Refused):
        topic_from_case(actor=community_staff, case=case.pk)


def test_case_of_another_community_cannot_become_topic(world, community_staff, outsider, make_voter):
    from linli.cases.actions import case_create
    from linli.cases.models import Category
    from linli.deliberation.actions import topic_from_case

    category = Category.objects.filter(parent__isnull=False).first()
    case = case_create(actor=make_voter(), category=category.pk, title="路灯坏了", place=world.grid_a)
    with pytest.raises(NotFound):
        topic_from_case(actor=outsider, case=case.pk)


def test_resident_topic_waits_for_the_grid(world, make_voter, grid_worker_a, grid_worker_b):
    """居民提事 → 网格听事: the sibling grid's worker and the neighbours do not see it until it is heard."""
    from linli.deliberation.actions import topic_raise, topic_support, topic_transition

    raiser, neighbour = make_voter(), make_voter()
    topic = topic_raise(actor=raiser, title="楼下广场舞太吵", place=world.grid_a)
    assert Topic.objects.visible_to(raiser).filter(pk=topic.pk).exists()
    assert Topic.objects.visible_to(grid_worker_a).filter(pk=topic.pk).exists()
    assert not Topic.objects.visible_to(grid_worker_b).filter(pk=topic.pk).exists()
    with pytest.raises(NotFound):
        topic_support(actor=neighbour, topic=topic)
    with pytest.raises(NotFound):
        topic_transition(topic=topic, name="hear", actor=grid_worker_b)
    topic_transition(topic=topic, name="hear", actor=grid_worker_a, data={"note": "已与楼栋长核实"})
    assert Topic.objects.visible_to(grid_worker_b).filter(pk=topic.pk).exists()
    assert topic_support(actor=neighbour, topic=topic).support_count == 1
