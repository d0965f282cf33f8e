"""Who sees what of the volunteers app.

- Volunteers: volunteer managers (``volunteers.manage``) over the volunteer's place, and the volunteer
  themself (their account, or an account with their phone).
- Teams and talent pools: managers over the community, and their members.
- Activities: anyone (even anonymous) sees the published ones (recruiting and after, cancelled ones
  excepted); drafts and cancelled ones only the organiser and the managers over the community.
- Sign-ups: the volunteer, the activity's organiser, and managers over the activity's community.

``access_<entity>(user, pk)`` returns the object or raises Http404: missing and forbidden look the same.
``can_<verb>`` predicates drive the pages' buttons; the actions check them again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import EMPTY_SCOPE, Scope, ScopedQuerySet, access_object, scope_of

NOTHING = Q(pk__in=[])


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def _manager_q(scope: Scope, user: Any, path_field: str = "place_path") -> Q:
    from linli.volunteers.workflow import PERM_MANAGE

    return scope.place_q(path_field) if PERM_MANAGE in _perms(user) else NOTHING


def _phone_hashes(user: Any) -> list[str]:
    phone = getattr(user, "phone", "")
    if not phone:
        return []
    from linli.core.crypto import lookup_hashes

    return list(lookup_hashes(phone))


def _own_volunteer_q(user: Any, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}user_id": user.pk})
    hashes = _phone_hashes(user)
    if hashes:
        q |= Q(**{f"{prefix}person__phone_hash__in": hashes})
    return q


class _Scoped(ScopedQuerySet):
    def visible_to(self, user: Any):
        scope = scope_of(user)
        if scope is EMPTY_SCOPE:
            if (
                user is not None
                and getattr(user, "is_authenticated", False)
                and getattr(user, "is_active", False)
            ):
                return self.filter(self.scope_q(scope, user))
            return self.none()
        return self.filter(self.scope_q(scope, user))


class VolunteerQuerySet(_Scoped):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        return _manager_q(scope, user) | _own_volunteer_q(user)

    def active(self):
        from linli.volunteers.workflow import VolunteerStatus

        return self.filter(status=VolunteerStatus.ACTIVE)


class TeamQuerySet(_Scoped):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.volunteers.models import TeamMember

        mine = TeamMember.objects.filter(_own_volunteer_q(user, "volunteer__")).values("team_id")
        return _manager_q(scope, user) | Q(pk__in=mine) | Q(leader__user_id=user.pk)


class TalentPoolQuerySet(_Scoped):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.volunteers.models import TalentPoolMember

        mine = TalentPoolMember.objects.filter(_own_volunteer_q(user, "volunteer__")).values("pool_id")
        return _manager_q(scope, user) | Q(pk__in=mine)


class ActivityQuerySet(_Scoped):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.volunteers.workflow import PUBLIC_STATUSES

        return Q(status__in=sorted(PUBLIC_STATUSES)) | _manager_q(scope, user) | Q(organiser_id=user.pk)

    def visible_to(self, user: Any):
        if user is None or not getattr(user, "is_authenticated", False):
            return self.public()
        return super().visible_to(user)

    def public(self):
        from linli.volunteers.workflow import PUBLIC_STATUSES

        return self.filter(status__in=sorted(PUBLIC_STATUSES))


class SignupQuerySet(_Scoped):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        return (
            _manager_q(scope, user)
            | _own_volunteer_q(user, "volunteer__")
            | Q(activity__organiser_id=user.pk)
        )


# --- access: the object or 404 -----------------------------------------------------------------------------


def access_volunteer(user: Any, pk: Any):
    from linli.volunteers.models import Volunteer

    return access_object(Volunteer.objects.select_related("person", "community"), user, pk)


def access_team(user: Any, pk: Any):
    from linli.volunteers.models import Team

    return access_object(Team.objects.select_related("community", "leader__person"), user, pk)


def access_pool(user: Any, pk: Any):
    from linli.volunteers.models import TalentPool

    return access_object(TalentPool.objects.select_related("community"), user, pk)


def access_activity(user: Any, pk: Any):
    from linli.volunteers.models import Activity

    return access_object(Activity.objects.select_related("community", "team", "organiser"), user, pk)


def access_signup(user: Any, pk: Any):
    from linli.volunteers.models import Signup

    return access_object(Signup.objects.select_related("activity", "volunteer__person"), user, pk)


# --- predicates --------------------------------------------------------------------------------------------


def can_join(user: Any) -> bool:
    from linli.volunteers.workflow import PERM_JOIN

    return bool(user is not None and getattr(user, "is_authenticated", False) and PERM_JOIN in _perms(user))


def can_manage(user: Any) -> bool:
    from linli.volunteers.workflow import PERM_MANAGE

    return bool(user is not None and getattr(user, "is_authenticated", False) and PERM_MANAGE in _perms(user))


def can_manage_community(user: Any, community: Any) -> bool:
    scope = scope_of(user)
    return can_manage(user) and scope.covers_path(community.path)


def can_organise(user: Any, activity: Any) -> bool:
    """The organiser of ``activity``, or a volunteer manager over its community."""
    from linli.volunteers.workflow import is_manager, is_organiser

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return is_organiser(activity, user) or is_manager(activity, user)


def leads_team_in(user: Any, community: Any) -> list[Any]:
    """The teams of ``community`` that ``user`` leads (a team leader may organise their team's activities)."""
    from linli.volunteers.models import Team

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(Team.objects.filter(Q(community=community) & _own_volunteer_q(user, "leader__")))


def can_create_activity(user: Any) -> bool:
    """Managers, and the leaders of a team."""
    from linli.volunteers.models import Team

    if can_manage(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Team.objects.filter(_own_volunteer_q(user, "leader__")).exists()
