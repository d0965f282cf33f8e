"""What waits for a staff member, counted for their home page (the accounts home asks every app's
``home.py`` for ``home_counts(user)``): cases to dispatch, to verify, to close, overdue, supervised,
summoned to their department, and a grid worker's own open cases. Each count links to the list that
shows those cases. Counts stop at ``CAP`` (shown as "999+") so a city's home page stays cheap."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.cases.models import Case, CaseSummons
from linli.cases.selectors import CaseFilters, case_queryset
from linli.cases.workflow import PERM_DISPATCH, PERM_HANDLE, PERM_SUPERVISE, CaseStatus, SummonsStatus
from linli.core.access import scope_of

CAP = 999


def _count(qs: QuerySet[Any]) -> int:
    return len(qs.values_list("pk", flat=True)[: CAP + 1])


def _item(label: str, qs: QuerySet[Any], url: str, level: str = "") -> dict[str, Any]:
    n = _count(qs)
    return {"label": label, "count": n, "shown": f"{CAP}+" if n > CAP else str(n), "url": url, "level": level}


def home_counts(user: Any) -> list[dict[str, Any]]:
    perms: frozenset[str] = getattr(user, "perms", frozenset())
    out: list[dict[str, Any]] = []
    if PERM_DISPATCH in perms:
        desk = reverse("cases:dispatch")
        to_dispatch = case_queryset(user, CaseFilters(view="desk", status=[CaseStatus.REPORTED, CaseStatus.ACCEPTED]))
        out += [
            _item(_("To dispatch"), to_dispatch, desk),
            _item(_("To verify"), case_queryset(user, CaseFilters(view="desk", status=[CaseStatus.REPORTED_BACK])),
                  f"{desk}?status={CaseStatus.REPORTED_BACK}"),
            _item(_("To close"), case_queryset(user, CaseFilters(view="desk", status=[CaseStatus.RATED])),
                  f"{desk}?status={CaseStatus.RATED}"),
        ]
    if PERM_SUPERVISE in perms:
        supervise = reverse("cases:supervise")
        out += [
            _item(_("Overdue"), case_queryset(user, CaseFilters(view="overdue")), f"{supervise}?overdue=overdue",
                  "danger"),
            _item(_("Supervised"), case_queryset(user, CaseFilters(view="supervise")).filter(supervision_count__gt=0),
                  f"{supervise}?overdue=supervised", "warning"),
        ]
    departments = sorted(scope_of(user).department_ids)
    if departments and PERM_HANDLE in perms:
        summons = CaseSummons.objects.filter(department_id__in=departments).exclude(status=SummonsStatus.ANSWERED)
        inbox = reverse("cases:department")
        out += [
            _item(_("Summoned (吹哨)"), Case.objects.filter(pk__in=summons.values("case_id")), inbox, "warning"),
            _item(_("In our hands"), case_queryset(user, CaseFilters(view="mine")), inbox),
        ]
    elif PERM_HANDLE in perms and "cases.view" in perms and PERM_DISPATCH not in perms:
        worklist = reverse("cases:worklist")
        mine = case_queryset(user, CaseFilters(view="mine"))
        out += [
            _item(_("My open cases"), mine, worklist),
            _item(_("Mine overdue"), case_queryset(user, CaseFilters(view="overdue")).filter(owner_user_id=user.pk),
                  f"{worklist}?overdue=overdue", "danger"),
        ]
    return out
