"""Rankings by team over a period, from the points and hours ledgers (linli.points.selectors)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from linli.volunteers import selectors
from linli.volunteers.actions import (
    activity_finish,
    activity_verify,
    signup_checkin,
    signup_create,
    team_create,
    team_member_add,
    volunteer_of,
)


def _attend(activity, users, staff):
    for user in users:
        signup_checkin(signup=signup_create(activity=activity, actor=user), actor=staff)


def test_teams_and_members_ranked_by_points_and_hours(
    world, activity_in_state, make_volunteer_user, community_staff
):
    a, b, c = make_volunteer_user(), make_volunteer_user(), make_volunteer_user()
    team_create(actor=community_staff, community=world.community, name="银辉先锋", leader=volunteer_of(a))
    gold = team_create(
        actor=community_staff, community=world.community, name="金姐姐", leader=volunteer_of(b)
    )
    team_member_add(team=gold, volunteer=volunteer_of(c), actor=community_staff)
    # Started an hour ago: check-in now counts from now to the end (1 hour).
    activity = activity_in_state("recruiting", start_in=timedelta(hours=-1), hours=2, points=5)
    _attend(activity, [a, b, c], community_staff)
    activity_finish(activity=activity, actor=community_staff)
    activity_verify(activity=activity, actor=community_staff)
    today = timezone.localdate()
    # The hours count on the day the activity started: yesterday when this runs in the first hour after
    # midnight in Shanghai.
    since = today - timedelta(days=1)
    ranking = selectors.team_ranking(user=community_staff, since=since, until=today)
    assert [(r.team.name, r.rank, r.points, r.members) for r in ranking] == [
        ("金姐姐", 1, 10, 2),
        ("银辉先锋", 2, 5, 1),
    ]
    assert ranking[0].hours == Decimal("2.0")
    members = selectors.team_member_ranking(team=gold, since=since, until=today, by="hours")
    assert [m.rank for m in members] == [1, 1]  # equal hours share the rank
    # A period without activities ranks everybody with zero.
    last_year = today.replace(year=today.year - 1)
    assert {
        r.points for r in selectors.team_ranking(user=community_staff, since=last_year, until=last_year)
    } == {0}


def test_the_outsider_ranks_no_teams_of_another_community(
    world, community_staff, outsider, make_volunteer_user
):
    team_create(
        actor=community_staff,
        community=world.community,
        name="红星驿站",
        leader=volunteer_of(make_volunteer_user()),
    )
    today = timezone.localdate()
    assert selectors.team_ranking(user=outsider, since=today, until=today) == []
