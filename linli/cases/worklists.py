"""Worklist reads the case pages need beyond ``selectors.case_page``: the department's handled cases,
the yellow/red filter, the grid worker's default list, dispatch candidates. Reads only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.accounts.selectors import users_with_any_role
from linli.cases.models import Case, CaseSummons
from linli.cases.selectors import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    SUPERVISED_Q,
    CaseFilters,
    case_queryset,
    case_querysets,
    page_rows,
)
from linli.cases.workflow import OPEN_STATUSES, CaseStatus, SummonsStatus
from linli.core.access import scope_of

# URL name -> (selectors view, default statuses, title)
WORKLISTS: dict[str, tuple[str, list[str]]] = {
    "worklist": ("all", ["open"]),
    "dispatch": ("desk", []),
    "department": ("department", []),
    "department_done": ("department_done", []),
    "supervise": ("supervise", []),
}


def warning_q(now) -> Q:
    """Open cases whose yellow light is on (warn time passed, deadline not yet)."""
    return Q(status=CaseStatus.DISPATCHED, sign_warn_at__lte=now, sign_due__gte=now) | Q(
        status__in=[CaseStatus.DISPATCHED, CaseStatus.SIGNED, CaseStatus.HANDLING], handle_warn_at__lte=now,
        handle_due__gte=now,
    )


def department_done_qs(user: Any) -> QuerySet[Case]:
    """What the user's departments have done (已办结): the cases they own past their work (reported back
    or later), and the cases whose summons they answered."""
    departments = sorted(scope_of(user).department_ids)
    if not departments:
        return Case.objects.none()
    answered = CaseSummons.objects.filter(department_id__in=departments, status=SummonsStatus.ANSWERED).values("case_id")
    owned_done = Q(owner_department_id__in=departments) & ~Q(
        status__in=sorted(set(OPEN_STATUSES) - {CaseStatus.REPORTED_BACK, CaseStatus.VERIFIED, CaseStatus.RATED})
    )
    return Case.objects.visible_to(user).filter(owned_done | Q(pk__in=answered)).exclude(
        status__in=[CaseStatus.REFUSED, CaseStatus.MERGED])


def worklist_page(user: Any, name: str, *, status: str = "", category: int | None = None, channel: str = "",
                  level: str = "", q: str = "", after: int | None = None,
                  size: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int | None]:
    """One keyset page of the worklist ``name`` (newest first) and the next ``after``."""
    view, default_status = WORKLISTS[name]
    size = max(1, min(size, MAX_PAGE_SIZE))
    statuses = [status] if status else default_status
    if view == "department_done":
        qs = case_queryset(user, CaseFilters(view="all", status=statuses, category=category, channel=channel, q=q))
        branches = [qs.filter(pk__in=department_done_qs(user).values("pk"))]
    else:
        branches = case_querysets(user, CaseFilters(view=view, status=statuses, category=category, channel=channel,
                                                    q=q, overdue=(level == "overdue")))
    now = timezone.now()
    if level == "warning":
        branches = [qs.filter(warning_q(now)) for qs in branches]
    elif level == "supervised":
        branches = [qs.filter(SUPERVISED_Q) for qs in branches]
    return page_rows(branches, after=after, size=size, now=now)


def handlers_for(case: Case) -> list[Any]:
    """People the desk may dispatch the case to: case handlers whose scope covers the case's place."""
    from linli.cases.workflow import PERM_HANDLE

    out = []
    for u in users_with_any_role(limit=500):
        if PERM_HANDLE in u.perms and u.scope.covers_path(case.place_path):
            out.append(u)
    return out
