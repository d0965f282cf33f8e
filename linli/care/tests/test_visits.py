"""Visit plans from tags (rules as data), visit logs, the next visit after a logged one, overdue to the
grid worker and then the supervisor, and a need turned into a case or an order in one tap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.care.actions import (
    need_resolve,
    need_to_case,
    need_to_order,
    plans_sync,
    visit_log,
    visits_escalate_overdue,
)
from linli.care.models import Need, Visit, VisitPlan
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.testing.personas import PASSWORD


def test_a_tag_makes_a_weekly_plan_for_the_grid_worker(plan, grid_worker_a):
    assert plan.every_days == 7 and plan.assignee_id == grid_worker_a.pk and plan.active


def test_the_rules_are_data(rules, elder, grid_worker_a):
    from linli.care.models import VisitRule

    VisitRule.objects.filter(tag_code="living_alone").update(every_days=3)
    plans_sync()
    assert VisitPlan.objects.get(person=elder).every_days == 3


def test_syncing_twice_changes_nothing_and_an_ended_tag_ends_the_plan(plan, elder):
    from linli.residents.actions import person_tag_end
    from linli.residents.models import PersonTag

    assert plans_sync() == {"created": 0, "ended": 0}
    person_tag_end(person_tag=PersonTag.objects.get(person=elder), actor=None)  # valid until today
    assert plans_sync()["ended"] == 0
    assert plans_sync(today=timezone.localdate() + dt.timedelta(days=1))["ended"] == 1
    plan.refresh_from_db()
    assert not plan.active


def test_the_next_visit_is_due_a_week_after_a_logged_one_and_overdue_after_it(plan, grid_worker_a):
    visited = timezone.now() - dt.timedelta(days=2)
    visit_log(actor=grid_worker_a, plan=plan, found="well", note="身体不错", visited_at=visited)
    plan.refresh_from_db()
    day = timezone.localtime(visited).date()
    assert plan.next_due == day + dt.timedelta(days=7)
    assert not plan.is_overdue
    assert visits_escalate_overdue(today=day + dt.timedelta(days=7)) == {"told": 0, "escalated": 0}
    assert visits_escalate_overdue(today=day + dt.timedelta(days=8))["told"] == 1  # overdue the day after


def test_overdue_reaches_the_worker_then_the_supervisor_once(plan, grid_worker_a, grid_worker_b, community_staff,
                                                            outsider):
    """Through the one outbox (linli.notifications): the plan's grid worker the day after it is due; the
    care staff over the place (not the worker again) once it is ``escalate_after_days`` late; once each."""
    from linli.notifications.models import Notice

    def told(kind):
        return sorted(Notice.objects.filter(kind=kind, ref=f"care.plan:{plan.pk}").values_list("user_id", flat=True))

    due = plan.next_due
    result = visits_escalate_overdue(today=due + dt.timedelta(days=1))
    assert result == {"told": 1, "escalated": 0}
    assert told("overdue") == [grid_worker_a.pk] and told("escalate") == []
    assert Notice.objects.get(kind="overdue").url.endswith(f"/care/plans/{plan.pk}/")
    result = visits_escalate_overdue(today=due + dt.timedelta(days=1 + plan.rule.escalate_after_days))
    assert result == {"told": 0, "escalated": 1}
    supervisors = told("escalate")
    assert community_staff.pk in supervisors
    assert not {grid_worker_a.pk, grid_worker_b.pk, outsider.pk} & set(supervisors)
    assert visits_escalate_overdue(today=due + dt.timedelta(days=30)) == {"told": 0, "escalated": 0}
    assert told("overdue") == [grid_worker_a.pk] and told("escalate") == supervisors
    plan.refresh_from_db()
    assert plan.overdue_told_at and plan.escalated_at


def test_a_logged_visit_clears_the_overdue_flags(plan, grid_worker_a):
    visits_escalate_overdue(today=plan.next_due + dt.timedelta(days=10))
    visit_log(actor=grid_worker_a, plan=plan, found="well")
    plan.refresh_from_db()
    assert plan.overdue_told_at is None and plan.escalated_at is None


def test_a_visit_with_needs_location_and_a_bad_location(plan, grid_worker_a):
    visit = visit_log(actor=grid_worker_a, plan=plan, found="needs", lon="120.17", lat="30.26",
                      needs=[{"kind": "repair", "text": "厨房水龙头漏水"}, {"kind": "meals", "text": ""}])
    assert visit.lon == 120.17 and visit.needs.count() == 1
    with pytest.raises(Invalid):
        visit_log(actor=grid_worker_a, plan=plan, found="well", lon="999", lat="0")
    with pytest.raises(Invalid):
        visit_log(actor=grid_worker_a, plan=plan, found="happy")


def test_another_grid_worker_cannot_see_the_plan(plan, grid_worker_b, resident):
    with pytest.raises(Exception) as caught:
        visit_log(actor=grid_worker_b, plan=plan, found="well")
    assert caught.type.__name__ == "Http404"
    with pytest.raises(PermissionDenied):
        visit_log(actor=resident, plan=plan, found="well")


def test_a_need_becomes_a_case_in_one_tap(plan, grid_worker_a):
    from linli.cases.models import Case

    visit_log(actor=grid_worker_a, plan=plan, found="needs", needs=[{"kind": "safety", "text": "燃气灶老化漏气"}])
    need = Need.objects.get()
    need, case = need_to_case(need=need, actor=grid_worker_a)
    assert need.status == "case" and need.case_id == case.pk
    case = Case.objects.get(pk=case.pk)
    assert case.channel == "visit" and "燃气灶" in case.description
    with pytest.raises(Refused):
        need_to_case(need=need, actor=grid_worker_a)


def test_a_need_becomes_a_service_order_or_is_resolved(plan, grid_worker_a):
    visit_log(actor=grid_worker_a, plan=plan, found="needs",
              needs=[{"kind": "meals", "text": "希望每天送午餐"}, {"kind": "company", "text": "想有人聊天"}])
    meals, company = Need.objects.order_by("id")
    meals, order = need_to_order(need=meals, actor=grid_worker_a)
    assert meals.status == "order" and order.category == "meals" and order.requester_name == "李阿婆"
    assert need_resolve(need=company, actor=grid_worker_a).status == "resolved"


def test_outsiders_cannot_touch_a_need(plan, grid_worker_a, outsider):
    visit_log(actor=grid_worker_a, plan=plan, found="needs", needs=[{"kind": "other", "text": "x"}])
    with pytest.raises(Exception) as caught:
        need_to_case(need=Need.objects.get(), actor=outsider)
    assert caught.type.__name__ in ("Http404", "NotFound")


def test_the_grid_worker_logs_a_visit_on_the_phone_page(client, plan, grid_worker_a):
    client.login(username=grid_worker_a.username, password=PASSWORD)
    body = client.get(reverse("care:visits")).content.decode()
    assert "李阿婆" in body
    response = client.post(reverse("care:plan", args=[plan.pk]), {
        "found": "needs", "note": "腿脚不便", "need_kind_0": "repair", "need_text_0": "卫生间需要扶手",
    })
    assert response.status_code == 302
    assert Visit.objects.get().note == "腿脚不便" and Need.objects.get().text == "卫生间需要扶手"
    response = client.post(reverse("care:need_act", args=[Need.objects.get().pk, "case"]))
    assert response.status_code == 302 and Need.objects.get().status == "case"


def test_needs_list_and_pages_are_not_for_residents(client, plan, resident):
    client.login(username=resident.username, password=PASSWORD)
    assert client.get(reverse("care:visits")).status_code == 403
    assert client.get(reverse("care:needs")).status_code == 403


def test_staff_of_another_community_get_404(client, plan, outsider):
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(reverse("care:plan", args=[plan.pk])).status_code == 404


def test_unknown_person_for_an_unplanned_visit(grid_worker_a, rules):
    with pytest.raises(NotFound):
        visit_log(actor=grid_worker_a, person=999999, found="well")


def test_the_visit_figures_of_a_place_and_a_period(plan, grid_worker_a, world):
    """The big screen's and the monthly report's visits: made in the period under the place, the persons
    reached, those found needing help, and the plans overdue today."""
    from linli.care.selectors import visit_stats

    now = timezone.now()
    visit_log(actor=grid_worker_a, plan=plan, found="well", note="身体不错", visited_at=now - dt.timedelta(days=3))
    visit_log(actor=grid_worker_a, plan=plan, found="unwell", note="感冒", visited_at=now - dt.timedelta(hours=2))
    since, until = now - dt.timedelta(days=7), now + dt.timedelta(minutes=1)
    assert visit_stats(place_path=world.grid_a.path, since=since, until=until) == {
        "visits": 2, "persons": 1, "needing_help": 1, "overdue_plans": 0}
    assert visit_stats(place_path=world.grid_b.path, since=since, until=until)["visits"] == 0
    assert visit_stats(place_path=world.street.path, since=now - dt.timedelta(days=1), until=until)["visits"] == 1
    VisitPlan.objects.filter(pk=plan.pk).update(next_due=timezone.localdate() - dt.timedelta(days=1))
    assert visit_stats(place_path=world.community.path, since=since, until=until)["overdue_plans"] == 1
