"""Who sees what of evaluation.

- Rounds: holders of ``evaluation.view`` over the compound (community staff, the street, grid workers,
  party members of the community); building heads see the rounds of the compound their building lies in.
- Score sheets are entered by the building's head (``evaluation.score`` over the building) or, from
  paper, by an organiser.

``access_round(user, pk)`` returns the round or raises 404: missing and forbidden look the same.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object, path_prefixes, scope_of

NOTHING = Q(pk__in=[])


def _perms(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def _above_scope_q(scope: Scope, field: str = "place_path") -> Q:
    paths = sorted({a for p in scope.place_paths for a in path_prefixes(p)})
    return Q(**{f"{field}__in": paths}) if paths else NOTHING


class RoundQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.evaluation.workflow import PERM_SCORE, PERM_VIEW

        perms = _perms(user)
        q = scope.place_q("place_path") if PERM_VIEW in perms else NOTHING
        if PERM_SCORE in perms:
            q |= _above_scope_q(scope)
        return q


def access_round(user: Any, pk: Any):
    from linli.evaluation.models import EvaluationRound

    return access_object(EvaluationRound.objects.select_related("compound", "community"), user, pk)


def can_score_for(user: Any, building: Any) -> bool:
    """The building's own head (a role bound to the building)."""
    from linli.evaluation.workflow import PERM_SCORE

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return PERM_SCORE in _perms(user) and scope_of(user).covers_path(building.path)


def can_open_rounds(user: Any, compound: Any) -> bool:
    from linli.evaluation.workflow import is_organiser

    class _Probe:
        place_path = compound.path

    return bool(user is not None and getattr(user, "is_authenticated", False) and is_organiser(_Probe(), user))


class CampaignQuerySet(ScopedQuerySet):
    """Campaign organisers and viewers over the campaign's place; inspectors see the campaigns they have a
    target in (a street campaign seen by a community's grid worker)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.evaluation.workflow import PERM_CAMPAIGN, PERM_VIEW

        perms = _perms(user)
        q = scope.place_q("place_path") if (PERM_VIEW in perms or PERM_CAMPAIGN in perms) else NOTHING
        if PERM_VIEW in perms:  # a street's campaign covers the community's staff and members too
            q |= _above_scope_q(scope)
        return q | Q(targets__inspector_id=user.pk)

    def visible_to(self, user: Any):  # type: ignore[override]
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(self.scope_q(scope_of(user), user)).distinct()


def access_campaign(user: Any, pk: Any):
    from linli.evaluation.models import Campaign

    return access_object(Campaign.objects.select_related("place", "template"), user, pk)


class SurveyQuerySet(ScopedQuerySet):
    """Staff holding ``evaluation.manage`` over the community (the results and the answers)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.evaluation.workflow import PERM_MANAGE

        return scope.place_q("place_path") if PERM_MANAGE in _perms(user) else NOTHING


def access_survey(user: Any, pk: Any):
    from linli.evaluation.models import Survey

    return access_object(Survey.objects.select_related("community", "questionnaire"), user, pk)


class TrainingQuerySet(ScopedQuerySet):
    """Staff holding ``evaluation.view`` or ``evaluation.manage`` over the place that held the session."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.evaluation.workflow import PERM_MANAGE, PERM_VIEW

        perms = _perms(user)
        return scope.place_q("place_path") if (PERM_VIEW in perms or PERM_MANAGE in perms) else NOTHING


class MemberEvaluationQuerySet(ScopedQuerySet):
    """Community staff holding ``evaluation.manage`` over the member's community (``place_path`` is the
    community's path: a grid worker's scope, narrower than the community, never covers it)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.evaluation.workflow import PERM_MANAGE

        return scope.place_q("place_path") if PERM_MANAGE in _perms(user) else NOTHING


def access_member_evaluation(user: Any, pk: Any):
    from linli.evaluation.models import MemberEvaluation

    return access_object(MemberEvaluation.objects.select_related("member__person", "member__employer", "community"),
                         user, pk)


class CommitmentQuerySet(ScopedQuerySet):
    """Staff holding ``evaluation.manage`` over the building, and the member's own commitments."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        from linli.evaluation.workflow import PERM_MANAGE
        from linli.party.selectors import member_for_user

        q = scope.place_q("place_path") if PERM_MANAGE in _perms(user) else NOTHING
        member = member_for_user(user)
        return q | Q(member_id=member.pk) if member is not None else q


def access_commitment(user: Any, pk: Any):
    from linli.evaluation.models import Commitment

    return access_object(Commitment.objects.select_related("member__person", "building"), user, pk)
