"""Notices are queued in the transition's transaction (none for a rolled-back one); categories are edited by the
desk through their actions; case paths follow a moved subtree."""

from __future__ import annotations

import pytest
from django.db import transaction

from linli.cases.actions import case_transition, category_create, category_update
from linli.cases.models import Case, Category
from linli.core.errors import Invalid, PermissionDenied
from linli.core.models import AuditEntry
from linli.notifications.models import Notice


def test_dispatch_queues_a_notice_to_the_owner_in_its_transaction(case_in_state, community_staff, grid_worker_a):
    case = case_in_state("accepted")
    case_transition(case=case, name="dispatch", actor=community_staff, data={})
    notice = Notice.objects.get(user=grid_worker_a, kind="dispatch")
    assert case.number in notice.text
    assert notice.ref == f"cases.case:{case.pk}" and notice.url == f"/cases/{case.pk}/"
    assert not Notice.objects.filter(user=community_staff, kind="dispatch").exists()  # not the actor


def test_a_rolled_back_transition_notifies_nobody(case_in_state, community_staff, django_capture_on_commit_callbacks):
    case = case_in_state("accepted")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        case_transition(case=case, name="dispatch", actor=community_staff, data={})
        raise RuntimeError("rolled back")
    assert not Notice.objects.filter(ref=f"cases.case:{case.pk}", kind="dispatch").exists()
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_the_desk_edits_categories_through_the_actions(categories, community_staff, grid_worker_a, world):
    with pytest.raises(PermissionDenied):
        category_create(actor=grid_worker_a, code="X.NEW", name="新类")
    top = categories["ENV"]
    new = category_create(actor=community_staff, code="ENV.DOG", name="宠物粪便", parent=top, handle_days=2)
    assert new.parent == top and new.feedback_days == 3
    assert AuditEntry.objects.filter(action="cases.category_create", target_id=str(new.pk)).exists()
    changed = category_update(category=new, actor=community_staff, default_department=world.department.pk,
                              emergency_notice="")
    assert changed.default_department == world.department
    with pytest.raises(Invalid):
        category_create(actor=community_staff, code="ENV.DOG", name="重复")
    with pytest.raises(Invalid):
        category_update(category=new, actor=community_staff, handle_days=-1)
    with pytest.raises(Invalid):  # two levels only
        category_create(actor=community_staff, code="ENV.DOG.X", name="三级", parent=new)


def test_default_categories_are_two_levels_with_an_emergency_notice(categories):
    tops = Category.objects.filter(parent__isnull=True)
    assert {"环境卫生", "物业管理", "市政设施", "安全隐患", "邻里纠纷", "噪声扰民", "违章搭建", "停车管理", "养老服务",
            "政策咨询"} <= set(tops.values_list("name", flat=True))
    assert not Category.objects.filter(parent__parent__isnull=False).exists()
    assert categories["SAFE.GAS"].is_emergency and not categories["MUNI.STREETLIGHT"].is_emergency
    assert all(c.feedback_days <= 3 for c in categories.values())


def test_case_paths_follow_a_moved_subtree(world, make_case, categories):
    from linli.places.actions import place_create, place_move

    building = place_create(kind="building", name="7幢", parent=world.grid_a, actor=None)
    case = make_case(place=building)
    assert case.place_path == building.path
    place_move(place=building, new_parent=world.grid_b, actor=None)
    building.refresh_from_db()
    case.refresh_from_db()
    assert case.place_path == building.path and case.place_path.startswith(world.grid_b.path)
