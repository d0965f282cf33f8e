"""Reads of care: my plans (overdue first), the area's plans, the needs list (群众需求清单) per community."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from linli.care.models import HomeServiceRequest, Need, Visit, VisitPlan

LIMIT = 200


def plan_list(*, user: Any, mine: bool = True, overdue: bool = False) -> list[VisitPlan]:
    qs = VisitPlan.objects.filter(active=True).visible_to(user).select_related("person", "rule", "assignee")
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    if overdue:
        qs = qs.filter(next_due__lt=timezone.localdate())
    return list(qs.order_by("next_due", "id")[:LIMIT])


def plan_counts(*, user: Any, mine: bool = True) -> dict[str, int]:
    qs = VisitPlan.objects.filter(active=True).visible_to(user)
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    today = timezone.localdate()
    return {"all": qs.count(), "overdue": qs.filter(next_due__lt=today).count(),
            "today": qs.filter(next_due=today).count()}


def visits_of(*, user: Any, person_id: int, limit: int = 20) -> list[Visit]:
    return list(Visit.objects.visible_to(user).filter(person_id=person_id).prefetch_related("needs")[:limit])


def need_list(*, user: Any, status: str = "open", community_path: str = "") -> list[Need]:
    qs = Need.objects.visible_to(user).select_related("person", "visit")
    if status:
        qs = qs.filter(status=status)
    if community_path:
        qs = qs.filter(place_path__startswith=community_path)
    return list(qs[:LIMIT])


def home_service_list(*, user: Any, open_only: bool = True) -> list[HomeServiceRequest]:
    qs = HomeServiceRequest.objects.visible_to(user).select_related("person", "provider")
    if open_only:
        qs = qs.filter(status__in=["requested", "scheduled"])
    return list(qs[:LIMIT])


def is_overdue(plan: VisitPlan) -> bool:
    return plan.next_due < timezone.localdate()
