"""The street's ranking of communities: a weighted mean of what exists, every part shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.evaluation import actions, selectors
from linli.evaluation.models import RankingWeight
from linli.evaluation.tests.conftest import sheet_for


def test_every_community_is_ranked_even_without_data(world, street_supervisor):
    today = dt.date.today()
    data = selectors.area_ranking(street_supervisor, level="community", since=today.replace(month=1, day=1), until=today)
    labels = [r["label"] for r in data["rows"]]
    assert set(labels) == {"测试一社区", "测试二社区"}
    assert all(r["score"] is None for r in data["rows"])  # no data: no score, not a zero


def test_the_score_is_the_weighted_mean_of_existing_parts(world, estate, make_round, community_staff, street_supervisor):
    from django.utils import timezone

    RankingWeight.objects.exclude(code="building_score").update(weight=0)
    RankingWeight.objects.filter(code="building_score").update(weight=10)
    today = timezone.localdate()
    rnd = make_round(month=today.replace(day=1))
    for b in estate.buildings:
        actions.sheet_submit(round=rnd, building=b, scores=sheet_for(rnd, b, estate.buildings, 8), actor=community_staff)
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    actions.round_transition(round=rnd, name="publish", actor=community_staff)
    data = selectors.area_ranking(street_supervisor, level="community", since=today.replace(day=1), until=today)
    first = data["rows"][0]
    assert first["label"] == "测试一社区" and first["score"] == 80.0 and first["rank"] == 1
    assert [p["code"] for p in first["parts"]] == ["building_score"]
    assert data["rows"][1]["score"] is None


@pytest.mark.parametrize("level", ["community", "grid"])
def test_the_page_for_the_street(client, world, street_supervisor, level):
    assert client.login(username=street_supervisor.username, password=PASSWORD)
    page = client.get(reverse("evaluation:rankings"), {"level": level, "since": "2026-01", "until": "2026-12"})
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="ranked-place"') == (2 if level == "community" else 3)
    assert reverse("evaluation:rankings") in client.get(reverse("accounts:home")).content.decode()


def test_a_resident_cannot_see_rankings(client, resident):
    assert client.login(username=resident.username, password=PASSWORD)
    assert client.get(reverse("evaluation:rankings")).status_code == 403


def test_disputes_and_visits_are_parts_of_the_ranking(world, street_supervisor):
    """Disputes mediated to an agreement (mediation) and care visits made on time (care) are two parts,
    read through those apps' selectors, each with its weight and its value shown."""
    from django.utils import timezone

    from linli.care.models import Visit, VisitPlan, VisitRule
    from linli.mediation.models import Dispute
    from linli.residents.models import Person

    RankingWeight.objects.exclude(code__in=["dispute_settled_rate", "visit_ontime_rate"]).update(weight=0)
    today = timezone.localdate()
    now = timezone.now()
    for outcome in ("settled", "settled", "settled", "failed", ""):
        Dispute.objects.create(title="邻里噪音", kind="neighbour", facts="楼上噪音", place=world.grid_a,
                               community=world.community, reported_at=now, outcome=outcome, place_path=world.grid_a.path)
    Dispute.objects.create(title="去年的", kind="neighbour", facts="x", place=world.grid_a, community=world.community,
                           reported_at=now - dt.timedelta(days=800), outcome="failed",
                           place_path=world.grid_a.path)
    person = Person.objects.create(name="王阿婆")
    rule = VisitRule.objects.create(tag_code="alone-test", every_days=7)
    plan = VisitPlan.objects.create(person=person, rule=rule, place_path=world.grid_a.path, every_days=7,
                                    next_due=today)
    VisitPlan.objects.filter(pk=plan.pk).update(created_at=now - dt.timedelta(days=30))
    for days_ago in (24, 20, 5, 1):  # 6 days after the start: on time; 4: on time; 15: late; 4: on time
        Visit.objects.create(plan=plan, person=person, place_path=world.grid_a.path, visitor_name="网格员",
                             visited_at=now - dt.timedelta(days=days_ago), found="well")
    data = selectors.area_ranking(street_supervisor, level="community", since=today - dt.timedelta(days=40),
                                  until=today)
    first = data["rows"][0]
    parts = {p["code"]: p for p in first["parts"]}
    assert first["label"] == "测试一社区"
    assert parts["dispute_settled_rate"]["value"] == 0.75  # 3 agreed of 4 finished, last year's left out
    assert parts["visit_ontime_rate"]["value"] == 0.75  # 3 of 4 within 7 days of the one before
    assert first["score"] == 75.0
    assert data["rows"][1]["score"] is None  # the other community has neither


@pytest.mark.parametrize("level", ["community", "grid"])
def test_the_ranking_queries_do_not_grow_with_the_places(world, street_supervisor, level):
    """Every part is read with one grouped query (the parts' apps' selectors), not one per ranked place:
    the ranking of a street with three more communities, each with two grids, a dispute and a visit in
    each grid, takes as many queries as the small street's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from linli.care.models import Visit, VisitPlan, VisitRule
    from linli.mediation.models import Dispute
    from linli.places.actions import place_create
    from linli.residents.models import Person

    today = timezone.localdate()
    now = timezone.now()
    since = today - dt.timedelta(days=40)
    rule = VisitRule.objects.create(tag_code="alone-count", every_days=7)

    def fill(grid, community):
        Dispute.objects.create(title="邻里噪音", kind="neighbour", facts="x", place=grid, community=community,
                               reported_at=now, outcome="settled", place_path=grid.path)
        person = Person.objects.create(name="王阿婆")
        plan = VisitPlan.objects.create(person=person, rule=rule, place_path=grid.path, every_days=7, next_due=today)
        Visit.objects.create(plan=plan, person=person, place_path=grid.path, visitor_name="网格员",
                             visited_at=now - dt.timedelta(days=2), found="well")

    fill(world.grid_a, world.community)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            data = selectors.area_ranking(street_supervisor, level=level, since=since, until=today)
        return len(ctx.captured_queries), data

    measure()  # the first read warms the user's scope
    small, data = measure()
    assert len(data["rows"]) == (2 if level == "community" else 3)
    for n in range(3):
        community = place_create(kind="community", name=f"加测{n}社区", parent=world.street)
        for g in range(2):
            fill(place_create(kind="grid", name=f"加测{n}社区第{g + 1}网格", parent=community), community)
    big, data = measure()
    assert len(data["rows"]) == (5 if level == "community" else 9)
    assert big == small, (small, big)
    scored = [r for r in data["rows"] if r["score"] is not None]
    assert len(scored) == (4 if level == "community" else 7)  # every place with a dispute and a visit
    parts = {p["code"]: p["value"] for p in scored[0]["parts"]}
    assert parts["dispute_settled_rate"] == 1.0 and parts["visit_ontime_rate"] == 1.0
