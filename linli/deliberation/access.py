"""Who sees what of deliberation.

A community deliberates in the open: everyone whose scope lies in a community (its residents, grid
workers, building heads, staff) sees the community's topics, votes, meetings and projects; staff over a
street see those of every community under it. Projects with a public page are seen by anyone.
Ballots are never listed to anyone but their caster; a secret vote shows only its totals.

``access_<entity>(user, pk)`` returns the object or raises Http404: missing and forbidden look the same.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import EMPTY_SCOPE, Scope, ScopedQuerySet, access_object, path_prefixes, scope_of

NOTHING = Q(pk__in=[])


def member_q(scope: Scope, field: str = "community_path") -> Q:
    """Rows of a community the scope lies in (a resident of a grid sees the community's deliberation),
    or of a community under the scope (staff of a street)."""
    above = sorted({p for path in scope.place_paths for p in path_prefixes(path)})
    return (Q(**{f"{field}__in": above}) if above else NOTHING) | scope.place_q(field)


class CommunityScoped(ScopedQuerySet):
    community_field = "community_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return member_q(scope, self.community_field)


def staff_q(scope: Scope, user: Any, field: str = "place_path") -> Q:
    """Staff (``deliberation.view``) over the row's place."""
    from linli.deliberation.workflow import PERM_VIEW

    return scope.place_q(field) if PERM_VIEW in getattr(user, "perms", frozenset()) else NOTHING


def manager_q(scope: Scope, user: Any, field: str = "community_path") -> Q:
    from linli.deliberation.workflow import PERM_MANAGE

    return scope.place_q(field) if PERM_MANAGE in getattr(user, "perms", frozenset()) else NOTHING


class TopicQuerySet(CommunityScoped):
    """A raised topic (not yet heard by the grid) is seen by its raiser and the staff over its place; from
    then on by the whole community."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return (
            (member_q(scope) & ~Q(status="raised"))
            | staff_q(scope, user)
            | manager_q(scope, user)
            | Q(raised_by_id=user.pk)
        )


class VoteQuerySet(CommunityScoped):
    """A draft vote is seen by the community's staff only; an opened one by the whole community."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return (member_q(scope) & ~Q(status="draft")) | manager_q(scope, user)


class PublicQuerySet(CommunityScoped):
    """Rows with a ``public`` flag are seen by anyone, even anonymous visitors."""

    def visible_to(self, user: Any):
        scope = scope_of(user)
        if scope is EMPTY_SCOPE:
            return self.filter(public=True)
        return self.filter(Q(public=True) | self.scope_q(scope, user))


class MeetingQuerySet(CommunityScoped):
    """Public meetings are seen by the whole community; internal ones (两委会) by its staff and the invited."""

    meeting = ""  # the lookup from a row to its meeting ("meeting__" for a row that belongs to one)

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.deliberation.workflow import INTERNAL_KINDS

        return (
            (member_q(scope) & ~Q(**{f"{self.meeting}kind__in": sorted(INTERNAL_KINDS)}))
            | manager_q(scope, user)
            | Q(**{f"{self.meeting}participants__user_id": user.pk})
        )

    def visible_to(self, user: Any):
        return super().visible_to(user).distinct()


class DecisionQuerySet(MeetingQuerySet):
    """A decision is seen as its meeting is: one recorded at an internal meeting (两委会) by the community's
    staff and the meeting's participants only; every other decision (no meeting, or an open one) by the whole
    community."""

    meeting = "meeting__"


class ProjectQuerySet(PublicQuerySet):
    """A proposal is seen by its proposer and the community's staff; once taken up for deliberation the
    project is public (its page follows it to the finished work, for anyone)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return (member_q(scope) & ~Q(status="proposed")) | manager_q(scope, user) | Q(proposed_by_id=user.pk)


def residents_or_covering_staff_q(scope: Scope, user: Any, field: str = "community_path") -> Q:
    """The community's residents see the row; staff only when their scope covers the whole community (a
    grid worker of another grid does not)."""
    from linli.deliberation.workflow import PERM_VIEW

    if PERM_VIEW in getattr(user, "perms", frozenset()):
        return staff_q(scope, user, field)
    return member_q(scope, field)


class FundQuerySet(CommunityScoped):
    """The community's residents see its fund (transparency); staff whose scope covers the community."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return residents_or_covering_staff_q(scope, user, self.community_field)


class LedgerQuerySet(CommunityScoped):
    pass


class HonourQuerySet(PublicQuerySet):
    """A round is seen by the community's residents and the staff over the community; once published, by
    anyone (the winners' public page)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return residents_or_covering_staff_q(scope, user, self.community_field)


class ExpertQuerySet(CommunityScoped):
    """The community's think tank is seen by its residents and the staff over the community (names masked)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        return residents_or_covering_staff_q(scope, user, self.community_field)


def access_project(user: Any, pk: Any):
    from linli.deliberation.models import Project

    return access_object(Project.objects.select_related("community", "place", "ledger", "topic", "vote", "decision"),
                         user, pk)


def access_meeting(user: Any, pk: Any):
    from linli.deliberation.models import Meeting

    return access_object(Meeting.objects.select_related("community"), user, pk)


def access_decision(user: Any, pk: Any):
    from linli.deliberation.models import Decision

    return access_object(Decision.objects.select_related("community", "meeting", "topic", "owner"), user, pk)


def access_topic(user: Any, pk: Any):
    from linli.deliberation.models import Topic

    return access_object(Topic.objects.select_related("community", "place", "case", "merged_into"), user, pk)


def access_vote(user: Any, pk: Any):
    from linli.deliberation.models import Vote

    return access_object(Vote.objects.select_related("community", "place", "topic"), user, pk)


def can_manage_path(user: Any, path: str) -> bool:
    from linli.deliberation.workflow import PERM_MANAGE

    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and PERM_MANAGE in getattr(user, "perms", frozenset())
        and scope_of(user).covers_path(path)
    )


def can_manage(user: Any) -> bool:
    from linli.deliberation.workflow import PERM_MANAGE

    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and PERM_MANAGE in getattr(user, "perms", frozenset())
    )


def can_raise(user: Any) -> bool:
    from linli.deliberation.workflow import PERM_RAISE

    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and PERM_RAISE in getattr(user, "perms", frozenset())
    )


def access_fund(user: Any, pk: Any):
    from linli.deliberation.models import Fund

    return access_object(Fund.objects.select_related("community", "ledger"), user, pk)


def access_honour_round(user: Any, pk: Any):
    from linli.deliberation.models import HonourRound

    return access_object(HonourRound.objects.select_related("community"), user, pk)


def access_expert(user: Any, pk: Any):
    from linli.deliberation.models import Expert

    return access_object(Expert.objects.select_related("community"), user, pk)
