"""Staff training: sessions with who attended, hours per staff member per year against the target."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from linli.core.errors import Invalid, NotFound
from linli.core.testing.personas import PASSWORD
from linli.evaluation import actions, selectors


def test_hours_add_up_per_staff_member_and_year(world, community_staff, grid_worker_a, grid_worker_b):
    for held_on, hours in ((dt.date(2026, 3, 10), "8"), (dt.date(2026, 6, 10), "4.5"), (dt.date(2025, 12, 10), "6")):
        actions.training_record(title="书记讲堂", kind="lecture", place=world.community, held_on=held_on, hours=hours,
                                attendees=[grid_worker_a], actor=community_staff)
    actions.training_record(title="沙龙", kind="salon", place=world.community, held_on=dt.date(2026, 4, 1), hours="2",
                            attendees=[grid_worker_a, grid_worker_b], actor=community_staff)
    data = selectors.training_hours(community_staff, place_path=world.community.path, year=2026)
    by_user = {r["user"].pk: r for r in data["rows"]}
    assert by_user[grid_worker_a.pk]["hours"] == Decimal("14.5") and by_user[grid_worker_a.pk]["met"]
    assert by_user[grid_worker_b.pk]["hours"] == Decimal("2") and not by_user[grid_worker_b.pk]["met"]
    assert by_user[community_staff.pk]["hours"] == 0


@pytest.mark.parametrize("bad", [{"hours": "0"}, {"hours": "25"}, {"title": ""}, {"attendees": []},
                                 {"held_on": dt.date(2099, 1, 1)}])
def test_bad_sessions_are_refused(world, community_staff, grid_worker_a, bad):
    from linli.evaluation.models import TrainingSession

    kwargs = {"title": "课", "kind": "course", "place": world.community, "held_on": dt.date(2026, 3, 1), "hours": "2",
              "attendees": [grid_worker_a], **bad}
    with pytest.raises(Invalid):
        actions.training_record(actor=community_staff, **kwargs)
    assert TrainingSession.objects.count() == 0


def test_staff_of_another_community_cannot_be_recorded_or_record(world, community_staff, outsider, grid_worker_a):
    with pytest.raises(Invalid):
        actions.training_record(title="课", kind="course", place=world.community, held_on=dt.date(2026, 3, 1), hours="2",
                                attendees=[outsider], actor=community_staff)
    with pytest.raises(NotFound):
        actions.training_record(title="课", kind="course", place=world.community, held_on=dt.date(2026, 3, 1), hours="2",
                                attendees=[grid_worker_a], actor=outsider)


def test_the_page_records_a_session(client, world, community_staff, grid_worker_a, street_supervisor):
    assert client.login(username=community_staff.username, password=PASSWORD)
    url = reverse("evaluation:training") + f"?area={world.community.pk}"
    assert reverse("evaluation:training") in client.get(reverse("accounts:home")).content.decode()
    r = client.post(url, {"title": "书记讲堂：网格工作法", "kind": "lecture", "held_on": "2026-11-10", "hours": "3",
                          "attendees": [grid_worker_a.pk]})
    assert r.status_code == 302
    page = client.get(url + "&year=2026").content.decode()
    import re

    assert re.search(r'data-testid="staff-hours">3(\.0)? / 12<', page)
    client.logout()
    assert client.login(username=street_supervisor.username, password=PASSWORD)
    assert client.get(reverse("evaluation:training")).status_code == 200


def test_a_mentor_pairs_sessions_count_for_both(world, community_staff, grid_worker_a, grid_worker_b, outsider):
    from linli.core.errors import Refused

    pair = actions.pair_create(mentor=grid_worker_a, apprentice=grid_worker_b, place=world.community,
                               started_on=dt.date(2026, 2, 1), actor=community_staff, goal="熟悉网格走访")
    with pytest.raises(Invalid):
        actions.pair_create(mentor=grid_worker_a, apprentice=grid_worker_a, place=world.community,
                            started_on=dt.date(2026, 2, 1), actor=community_staff)
    with pytest.raises(Invalid):  # another community's staff cannot be paired here
        actions.pair_create(mentor=grid_worker_a, apprentice=outsider, place=world.community,
                            started_on=dt.date(2026, 2, 1), actor=community_staff)
    with pytest.raises(Refused):
        actions.pair_create(mentor=grid_worker_a, apprentice=grid_worker_b, place=world.community,
                            started_on=dt.date(2026, 3, 1), actor=community_staff)
    for day in (dt.date(2026, 3, 5), dt.date(2026, 4, 5)):
        s = actions.training_record(title="带教走访", kind="course", place=world.community, held_on=day, hours="3",
                                    attendees=[], actor=community_staff, pair=pair)
        assert s.kind == "mentoring"
    hours = {r["user"].pk: r["hours"] for r in
             selectors.training_hours(community_staff, place_path=world.community.path, year=2026)["rows"]}
    assert hours[grid_worker_a.pk] == hours[grid_worker_b.pk] == Decimal("6")
    (row,) = selectors.mentor_pairs(community_staff, place_path=world.community.path, year=2026)
    assert row.n == 2 and row.h == Decimal("6")


def test_the_page_pairs_staff(client, world, community_staff, grid_worker_a, grid_worker_b):
    from linli.evaluation.models import MentorPair

    assert client.login(username=community_staff.username, password=PASSWORD)
    r = client.post(reverse("evaluation:training") + f"?area={world.community.pk}",
                    {"pair_new": "1", "mentor": grid_worker_a.pk, "apprentice": grid_worker_b.pk,
                     "started_on": "2026-02-01"})
    assert r.status_code == 302 and MentorPair.objects.count() == 1
    page = client.get(reverse("evaluation:training"), {"area": world.community.pk, "year": 2026})
    assert 'data-testid="mentor-pairs"' in page.content.decode() and str(grid_worker_b) in page.content.decode()


@pytest.mark.parametrize("today", [dt.date(2026, 12, 8), dt.date(2026, 9, 17), dt.date(2026, 3, 18)])
def test_the_demo_records_no_session_after_today(world, community_staff, grid_worker_a, monkeypatch, today):
    """On the 8th to the 17th of a quarter's last month the quarter's salon (ten days after the 8th) has not
    taken place yet: the demo leaves it out instead of failing (``linli demo`` failed on 8 December)."""
    from django.utils import timezone

    from linli.evaluation.demo import _demo_training
    from linli.evaluation.models import TrainingSession

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    _demo_training(type("Demo", (), {"communities": [world.community]}))
    held = list(TrainingSession.objects.values_list("held_on", flat=True))
    assert held and max(held) <= today
    salons = TrainingSession.objects.filter(kind="salon").count()
    assert salons == (today.month // 3 if today.day >= 18 else today.month // 3 - 1)
