"""Rankings by period with ties, ranking a given list, and the selection shortlist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from linli.core.errors import NotFound, PermissionDenied, Refused
from linli.points import actions, selectors


@pytest.fixture
def people(world):
    from linli.residents.actions import person_create

    return [person_create(actor=None, name=f"排名{i}", place=world.grid_a) for i in range(4)]


@pytest.mark.parametrize(
    "period, day, bounds",
    [
        ("month", dt.date(2026, 2, 10), (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ("quarter", dt.date(2026, 5, 10), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        ("half", dt.date(2026, 9, 1), (dt.date(2026, 7, 1), dt.date(2026, 12, 31))),
        ("year", dt.date(2026, 12, 31), (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
        ("month", dt.date(2026, 12, 5), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
    ],
)
def test_period_bounds(period, day, bounds):
    assert selectors.period_bounds(period, day) == bounds


def test_ranking_ties_share_a_rank_and_ties_at_the_cut_stay(people, award, world):
    a, b, c, d = people
    award(a, 5)
    award(b, 5)
    award(c, 3)
    award(d, 1)
    today = timezone.localdate()
    rows = selectors.ranking(place_path=world.community.path, since=today, until=today, limit=2)
    assert [(r["person_id"], r["rank"]) for r in rows] == [(a.pk, 1), (b.pk, 1)]
    rows = selectors.ranking(place_path=world.community.path, since=today, until=today, limit=3)
    assert [r["rank"] for r in rows] == [1, 1, 3]
    assert selectors.ranking(place_path=world.grid_b.path, since=today, until=today) == []


def test_ranking_counts_reversals_not_redemptions(people, award, world, community_staff):
    a, b, *_ = people
    e = award(a, 10)
    award(b, 4)
    actions.points_reverse(entry_id=e.pk, note="误记", actor=community_staff)
    today = timezone.localdate()
    rows = selectors.ranking(place_path=world.community.path, since=today, until=today)
    assert [(r["person_id"], r["total"]) for r in rows] == [(b.pk, 4)]


def test_rank_persons_ranks_the_given_list(people, award):
    a, b, c, _d = people
    award(a, 2)
    award(b, 7)
    today = timezone.localdate()
    rows = selectors.rank_persons([a.pk, b.pk, c.pk], since=today, until=today)
    assert [(r["person_id"], r["total"], r["rank"]) for r in rows] == [
        (b.pk, 7, 1),
        (a.pk, 2, 2),
        (c.pk, 0, 3),
    ]
    actions.hours_record(
        person_id=c.pk, hours=Decimal("3"), source="h:c", kind="activity", actor=None, occurred_on=today
    )
    rows = selectors.rank_persons([a.pk, c.pk], since=today, until=today, by="hours")
    assert rows[0]["person_id"] == c.pk and rows[1]["total"] == 0


def test_selection_shortlist_weights_points_and_hours(people, award, world, community_staff):
    a, b, *_ = people
    award(a, 10)
    award(b, 4)
    today = timezone.localdate()
    actions.hours_record(
        person_id=b.pk, hours=Decimal("4"), source="h:b", kind="order", actor=None, occurred_on=today
    )
    half = "H1" if today.month <= 6 else "H2"
    sel = actions.selection_create(
        community=world.community,
        year=today.year,
        half=half,
        actor=community_staff,
        points_weight=1,
        hours_weight=2,
    )
    rows = list(sel.candidates.order_by("rank"))
    assert [(c.person_id, c.score) for c in rows] == [(b.pk, Decimal("12.00")), (a.pk, Decimal("10.00"))]
    with pytest.raises(Refused):
        actions.selection_create(community=world.community, year=today.year, half=half, actor=community_staff)
    actions.selection_candidate_set(
        selection=sel, candidate_id=rows[0].pk, included=False, rank=0, actor=community_staff
    )
    actions.selection_transition(selection=sel, name="confirm", actor=community_staff)
    with pytest.raises(Refused):
        actions.selection_candidate_set(
            selection=sel, candidate_id=rows[1].pk, included=False, rank=0, actor=community_staff
        )
    actions.selection_transition(selection=sel, name="publish", actor=community_staff)
    honours = list(selectors.honours_published())
    assert [c.person_id for c in honours[0].candidates.all() if c.included] == [a.pk]


def test_selection_access(world, outsider, grid_worker_a):
    with pytest.raises(NotFound):
        actions.selection_create(community=world.community, year=2026, half="H1", actor=outsider)
    with pytest.raises(NotFound):  # the community lies outside a grid worker's scope
        actions.selection_create(community=world.community, year=2026, half="H1", actor=grid_worker_a)
    from linli.core.testing.personas import make_user

    viewer = make_user("community_worker", "grid_worker", place=world.community)
    with pytest.raises(PermissionDenied):
        actions.selection_create(community=world.community, year=2026, half="H1", actor=viewer)
