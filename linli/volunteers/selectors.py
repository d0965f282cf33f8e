"""Reads of the volunteers app: activity lists (public, organiser's, mine), volunteers and the talent
search by skill, teams and their rankings (through ``linli.points.selectors``), the hours export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from linli.volunteers.access import can_manage
from linli.volunteers.models import Activity, Signup, Skill, TalentPool, Team, TeamMember, Volunteer
from linli.volunteers.workflow import PERM_MANAGE, ActivityStatus, SignupStatus

if TYPE_CHECKING:
    from linli.core.rawsql import Read


def _manager_q(user: Any) -> Q:
    scope = getattr(user, "scope", None)
    if PERM_MANAGE not in getattr(user, "perms", ()) or scope is None:
        return Q(pk__in=[])
    return scope.place_q("place_path")


# --- activities -------------------------------------------------------------------------------------------


def activity_list_public(*, community_id: int | None = None) -> QuerySet[Activity]:
    """Recruiting activities (anyone may browse them, no login needed); page them."""
    qs = Activity.objects.public().filter(status=ActivityStatus.RECRUITING)
    if community_id:
        qs = qs.filter(community_id=community_id)
    return qs.select_related("community", "team")


def activity_list_organised(*, user: Any, status: str = "") -> QuerySet[Activity]:
    """The activities ``user`` organises or manages (their community's); page them."""
    qs = Activity.objects.filter(Q(organiser_id=user.pk) | _manager_q(user))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("community", "team", "organiser")


def my_signups(volunteer: Volunteer | None) -> QuerySet[Signup]:
    """The volunteer's sign-ups not cancelled; page them."""
    return (
        Signup.objects.filter(volunteer=volunteer).exclude(status=SignupStatus.CANCELLED)
        .select_related("activity", "activity__community")
    ) if volunteer is not None else Signup.objects.none()


def my_hours_total(volunteer: Volunteer | None) -> Decimal:
    if volunteer is None:
        return Decimal(0)
    total = sum(
        (s.hours or Decimal(0))
        for s in Signup.objects.filter(volunteer=volunteer, verified_at__isnull=False).only("hours")
    )
    return Decimal(total)


def attendance(activity: Activity) -> list[Signup]:
    """Every sign-up of the activity, seats first then the waiting list, in the order of signing up."""
    order: dict[str, int] = {SignupStatus.CONFIRMED: 0, SignupStatus.WAITLISTED: 1, SignupStatus.CANCELLED: 2}
    rows = list(activity.signups.select_related("volunteer__person").order_by("signed_up_at", "id"))
    return sorted(rows, key=lambda s: order.get(s.status, 3))


# --- volunteers and the talent pools --------------------------------------------------------------------------


def volunteer_list(
    *,
    user: Any,
    q: str = "",
    skill: str = "",
    kind: str = "",
    pool_id: int | None = None,
    team_id: int | None = None,
) -> QuerySet[Volunteer]:
    """The volunteers ``user`` may see, filtered by name, skill code, kind, talent pool or team; page them."""
    qs = Volunteer.objects.visible_to(user)
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(person__name_initials__istartswith=q))
    if skill:
        qs = qs.filter(skills__code=skill)
    if kind:
        qs = qs.filter(kind=kind)
    if pool_id:
        qs = qs.filter(pool_memberships__pool_id=pool_id)
    if team_id:
        qs = qs.filter(team_memberships__team_id=team_id)
    return qs.select_related("person", "community").prefetch_related("skills").distinct()


def talent_search(*, user: Any, skill: str = "", pool_id: int | None = None) -> QuerySet[Volunteer]:
    """The talent pools' members with ``skill`` (any pool unless one is given); page them."""
    qs = Volunteer.objects.visible_to(user).filter(pool_memberships__isnull=False)
    if pool_id:
        qs = qs.filter(pool_memberships__pool_id=pool_id)
    if skill:
        qs = qs.filter(skills__code=skill)
    return qs.select_related("person").prefetch_related("skills", "pool_memberships__pool").distinct()


def skills() -> list[Skill]:
    return list(Skill.objects.all())


def pool_list(*, user: Any) -> list[TalentPool]:
    return list(
        TalentPool.objects.visible_to(user).annotate(member_count=Count("memberships")).order_by("name")
    )


def team_list(*, user: Any) -> list[Team]:
    return list(
        Team.objects.visible_to(user)
        .select_related("community", "leader__person")
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )


# --- rankings ---------------------------------------------------------------------------------------------------


@dataclass
class TeamRank:
    team: Team
    rank: int
    points: int
    hours: Decimal
    members: int


@dataclass
class MemberRank:
    volunteer: Volunteer
    rank: int
    points: int
    hours: Decimal


def _ranks(values: list[Any]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) for values already sorted best first."""
    out, prev, rank = [], None, 0
    for i, v in enumerate(values):
        if v != prev:
            rank, prev = i + 1, v
        out.append(rank)
    return out


def _totals(
    person_ids: list[int], since: dt.date, until: dt.date
) -> tuple[dict[int, int], dict[int, Decimal]]:
    from linli.points import selectors as points_selectors

    if not person_ids:
        return {}, {}
    return (
        points_selectors.points_by_person(person_ids, since=since, until=until),
        points_selectors.hours_by_person(person_ids, since=since, until=until),
    )


def team_ranking(*, user: Any, since: dt.date, until: dt.date, by: str = "points") -> list[TeamRank]:
    """The teams ``user`` may see, ranked by their members' points (or hours) over the days."""
    teams = team_list(user=user)
    members: dict[int, list[int]] = {}
    for team_id, person_id in TeamMember.objects.filter(team__in=teams).values_list(
        "team_id", "volunteer__person_id"
    ):
        members.setdefault(team_id, []).append(person_id)
    points, hours = _totals(sorted({p for ids in members.values() for p in ids}), since, until)
    rows = [
        TeamRank(
            team=t,
            rank=0,
            members=len(members.get(t.pk, [])),
            points=sum(points.get(p, 0) for p in members.get(t.pk, [])),
            hours=sum((hours.get(p, Decimal(0)) for p in members.get(t.pk, [])), Decimal(0)),
        )
        for t in teams
    ]
    key = (lambda r: r.hours) if by == "hours" else (lambda r: r.points)
    rows.sort(key=lambda r: (-key(r), r.team.name))
    for row, rank in zip(rows, _ranks([key(r) for r in rows]), strict=True):
        row.rank = rank
    return rows


def team_member_ranking(
    *, team: Team, since: dt.date, until: dt.date, by: str = "points"
) -> list[MemberRank]:
    volunteers = list(Volunteer.objects.filter(team_memberships__team=team).select_related("person"))
    points, hours = _totals([v.person_id for v in volunteers], since, until)
    rows = [
        MemberRank(
            volunteer=v, rank=0, points=points.get(v.person_id, 0), hours=hours.get(v.person_id, Decimal(0))
        )
        for v in volunteers
    ]
    key = (lambda r: r.hours) if by == "hours" else (lambda r: r.points)
    rows.sort(key=lambda r: (-key(r), r.volunteer.pk))
    for row, rank in zip(rows, _ranks([key(r) for r in rows]), strict=True):
        row.rank = rank
    return rows


# --- the hours export -------------------------------------------------------------------------------------------


def verified_signups(*, user: Any, since: dt.date, until: dt.date) -> QuerySet[Signup]:
    """Verified attendances of activities held on those days, within what ``user`` manages or organises."""
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    qs = Signup.objects.filter(
        verified_at__isnull=False, activity__starts_at__gte=start, activity__starts_at__lt=end
    )
    if not can_manage(user):
        qs = qs.filter(activity__organiser_id=user.pk)
    else:
        qs = qs.filter(Q(activity__organiser_id=user.pk) | _manager_q(user))
    return qs.select_related("activity", "volunteer__person").order_by(
        "activity__starts_at", "activity_id", "id"
    )


def my_notices(user: Any, *, limit: int = 5) -> list[Any]:
    """The latest notices to ``user`` (promoted from the waiting list, cancelled, hours verified)."""
    from linli.notifications.selectors import notices_about

    return notices_about(user, ref_prefix="volunteers.", limit=limit)


def volunteer_stats(*, place_path: str, since: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """For the big screens and monthly reports (linli/dashboards): volunteers registered under
    ``place_path``, and activities starting in [since, until); one plain read (linli/core/rawsql.py)."""
    from linli.core.rawsql import read_one

    return read_one(volunteer_stats_read(place_path=place_path, since=since, until=until))


def volunteer_stats_read(*, place_path: str, since: dt.datetime, until: dt.datetime) -> Read:
    """``volunteer_stats`` as a read the big screen sends with others (``rawsql.read_together``)."""
    from linli.core.rawsql import Read, dt_param, under
    from linli.volunteers.models import Activity

    path_sql, path_params = under("place_path", place_path)
    return Read(
        f"SELECT (SELECT COUNT(*) FROM {Volunteer._meta.db_table} WHERE {path_sql}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {Activity._meta.db_table} WHERE {path_sql} AND starts_at >= %s AND starts_at < %s)",
        [*path_params, *path_params, dt_param(since), dt_param(until)], 2,
        lambda row: {"volunteers": int(row[0] or 0), "activities": int(row[1] or 0)})
