"""Who sees which cases.

A user sees a case when any of these holds:

- they hold ``cases.view`` and the case's ``place_path`` lies under one of their scope nodes (grid
  workers their grid, community staff their community, the street supervisor the street);
- they reported it (their account, or, for a case filed by phone, their account's phone);
- it is dispatched to them (a party member, a grid worker of another grid);
- it is owned by, or summoned to, a department they belong to (department staff see nothing else).

``access_case(user, pk)`` returns the case or raises Http404: missing and forbidden look the same.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import EMPTY_SCOPE, Scope, ScopedQuerySet, access_object, scope_of

NOTHING = Q(pk__in=[])


class CaseQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.cases.models import CaseSummons
        from linli.cases.workflow import PERM_VIEW

        q = scope.place_q("place_path") if PERM_VIEW in getattr(user, "perms", ()) else NOTHING
        q |= Q(reporter_id=user.pk) | Q(owner_user_id=user.pk)
        phone = getattr(user, "phone", "")
        if phone:
            from linli.core.crypto import lookup_hashes

            q |= Q(reporter__isnull=True, reporter_phone_hash__in=lookup_hashes(phone))
        if scope.department_ids:
            departments = sorted(scope.department_ids)
            summoned = CaseSummons.objects.filter(department_id__in=departments).values("case_id")
            q |= Q(owner_department_id__in=departments) | Q(pk__in=summoned)
        return q

    def visible_to(self, user: Any) -> CaseQuerySet:
        scope = scope_of(user)
        if scope is EMPTY_SCOPE:
            return self.none()
        return self.filter(self.scope_q(scope, user))

    def open(self) -> CaseQuerySet:
        from linli.cases.workflow import OPEN_STATUSES

        return self.filter(status__in=sorted(OPEN_STATUSES))

    def counted(self) -> CaseQuerySet:
        """Cases that count in figures: a merged duplicate counts once, as the case it was merged into."""
        from linli.cases.workflow import CaseStatus

        return self.exclude(status=CaseStatus.MERGED)


class CategoryQuerySet(ScopedQuerySet):
    """Categories are shared by every community: any signed-in user sees them."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return Q()

    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)


def access_case(user: Any, pk: Any, *, for_update: bool = False):
    """The case with this id among what ``user`` may see, or Http404."""
    from linli.cases.models import Case

    qs = Case.objects.all()
    if for_update:
        qs = qs.select_for_update()
    return access_object(qs, user, pk)


def can_view_case(user: Any, case: Any) -> bool:
    from linli.cases.models import Case

    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


def can_report(user: Any) -> bool:
    from linli.cases.workflow import PERM_REPORT

    return bool(user is not None and getattr(user, "is_authenticated", False) and PERM_REPORT in user.perms)


def can_manage_categories(user: Any) -> bool:
    from linli.cases.workflow import PERM_CATEGORIES

    return bool(user is not None and getattr(user, "is_authenticated", False) and PERM_CATEGORIES in user.perms)


def is_staff_for(user: Any, case: Any) -> bool:
    """Staff who may read the internal notes of this case (not the reporter as such)."""
    from linli.cases.workflow import is_case_staff

    return bool(user is not None and getattr(user, "is_authenticated", False) and is_case_staff(case, user))
