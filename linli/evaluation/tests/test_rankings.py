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
