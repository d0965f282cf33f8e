"""Monthly screening: a grid worker records each compound (found n, or none found) and finishes the round;
the community sees the grids not screened this month; reminders from the 25th."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from linli.core.errors import Invalid, NotFound, Refused
from linli.mediation.screening import (
    screening_finish,
    screening_overview,
    screening_places,
    screening_record,
    screenings_remind,
)


@pytest.fixture
def compounds(world):
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind

    return [place_create(kind=PlaceKind.COMPOUND, name=n, parent=world.grid_a) for n in ("幸福苑", "和平里")]


def test_a_round_needs_every_compound(world, grid_worker_a, compounds):
    assert screening_places(world.grid_a) == compounds
    screening_record(actor=grid_worker_a, grid=world.grid_a, place=compounds[0], found=0)
    with pytest.raises(Invalid) as info:
        screening_finish(actor=grid_worker_a, grid=world.grid_a)
    assert "和平里" in str(info.value.message)
    screening_record(actor=grid_worker_a, grid=world.grid_a, place=compounds[1], found=2, note="两起邻里纠纷")
    rnd = screening_finish(actor=grid_worker_a, grid=world.grid_a)
    assert rnd.done_at is not None and rnd.entries.count() == 2
    with pytest.raises(Refused):
        screening_record(actor=grid_worker_a, grid=world.grid_a, place=compounds[0], found=1)


def test_a_grid_without_compounds_is_screened_as_a_whole(world, grid_worker_b):
    assert screening_places(world.grid_b) == [world.grid_b]
    screening_record(actor=grid_worker_b, grid=world.grid_b, place=world.grid_b, found=0)
    assert screening_finish(actor=grid_worker_b, grid=world.grid_b).done_at


def test_another_grids_worker_cannot_screen(world, grid_worker_b, compounds, resident):
    with pytest.raises(NotFound):
        screening_record(actor=grid_worker_b, grid=world.grid_a, place=compounds[0], found=0)
    from linli.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        screening_record(actor=resident, grid=world.grid_a, place=compounds[0], found=0)


def test_the_community_sees_grids_not_screened(client, world, grid_worker_a, community_staff, street_supervisor,
                                               compounds):
    for c in compounds:
        screening_record(actor=grid_worker_a, grid=world.grid_a, place=c, found=0)
    screening_finish(actor=grid_worker_a, grid=world.grid_a)
    rows = {r.grid.name: r.done for r in screening_overview(community_staff)}
    assert rows == {"第一网格": True, "第二网格": False}
    # the street sees the grids of both its communities
    assert {r.grid.name: r.done for r in screening_overview(street_supervisor)} == {
        "第一网格": True, "第二网格": False, "二社区第一网格": False}
    client.force_login(street_supervisor)
    page = client.get(reverse("mediation:screening")).content.decode()
    assert page.count('data-testid="not-started"') == 2 and "二社区第一网格" in page
    client.force_login(community_staff)
    page = client.get(reverse("mediation:screening")).content.decode()
    assert 'data-testid="not-started"' in page and "第二网格" in page


def test_the_grid_worker_screens_from_the_page(client, world, grid_worker_a, compounds):
    client.force_login(grid_worker_a)
    r = client.get(reverse("mediation:screening"))
    assert r.status_code == 302 and r["Location"] == reverse("mediation:screening_grid", args=[world.grid_a.pk])
    for c in compounds:
        client.post(r["Location"], {"place": c.pk, "found": "0"})
    client.post(r["Location"], {"finish": "1"})
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="screening-done"' in page and page.count('data-testid="none-found"') == 2


def _reminders(user) -> list[str]:
    from linli.notifications.models import Notice

    return list(Notice.objects.filter(user=user, kind="screening_overdue").order_by("pk").values_list("ref", flat=True))


def test_reminders_from_the_25th_once_per_grid_and_month(world, grid_worker_a, grid_worker_b, community_staff,
                                                         compounds):
    assert screenings_remind(today=dt.date(2026, 5, 24)) == 0
    assert _reminders(grid_worker_a) == []
    assert screenings_remind(today=dt.date(2026, 5, 25)) == 3  # the three grids of the street
    assert screenings_remind(today=dt.date(2026, 5, 25)) == 0  # the task ran twice
    assert screenings_remind(today=dt.date(2026, 5, 26)) == 0  # and every morning after
    assert screenings_remind(today=dt.date(2026, 5, 31)) == 0
    assert _reminders(grid_worker_a) == [f"mediation.screening:{world.grid_a.pk}:2026-05"]
    assert _reminders(grid_worker_b) == [f"mediation.screening:{world.grid_b.pk}:2026-05"]
    # The community staff hear of both their grids, once each; the other community's grid is not theirs.
    assert sorted(_reminders(community_staff)) == sorted(
        [f"mediation.screening:{world.grid_a.pk}:2026-05", f"mediation.screening:{world.grid_b.pk}:2026-05"])
    # Next month, a new round: reminded again, once; a grid that has finished its round is not.
    screening_record(actor=grid_worker_b, grid=world.grid_b, place=world.grid_b, found=0, month=dt.date(2026, 6, 1))
    screening_finish(actor=grid_worker_b, grid=world.grid_b, month=dt.date(2026, 6, 1))
    assert screenings_remind(today=dt.date(2026, 6, 25)) == 2
    assert screenings_remind(today=dt.date(2026, 6, 28)) == 0
    assert _reminders(grid_worker_a)[-1] == f"mediation.screening:{world.grid_a.pk}:2026-06"
    assert len(_reminders(grid_worker_b)) == 1


def test_a_reminder_opens_the_round_which_the_grid_worker_still_finishes(world, grid_worker_a, compounds):
    from linli.mediation.models import ScreeningRound

    day = dt.date(2026, 5, 25)
    assert screenings_remind(today=day) == 3
    rnd = ScreeningRound.objects.get(grid=world.grid_a, month=day.replace(day=1))
    assert rnd.reminded_at is not None and rnd.done_at is None and rnd.entries.count() == 0
    for c in compounds:
        screening_record(actor=grid_worker_a, grid=world.grid_a, place=c, found=0, month=day)
    assert screening_finish(actor=grid_worker_a, grid=world.grid_a, month=day).pk == rnd.pk


def test_overdue_screenings_reach_the_staff_digest(world, grid_worker_a, community_staff, street_supervisor,
                                                   resident, compounds):
    from django.utils import timezone, translation

    from linli.notifications.digest import digest_lines, digest_write
    from linli.notifications.models import Notice

    def lines(user, day):
        now = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
        return {ln.label: (ln.count, ln.url) for ln in digest_lines(user, since=now - dt.timedelta(days=1), now=now)}

    label = "grids not screened this month"
    with translation.override("en"):
        assert label not in lines(community_staff, dt.date(2026, 5, 24))  # not overdue before the 25th
        assert lines(community_staff, dt.date(2026, 5, 25))[label] == (2, reverse("mediation:screening"))
        assert lines(street_supervisor, dt.date(2026, 5, 25))[label][0] == 3
        assert lines(grid_worker_a, dt.date(2026, 5, 25))[label][0] == 1
        assert lines(resident, dt.date(2026, 5, 25)) == {}  # not staff of the mediation app
        for c in compounds:
            screening_record(actor=grid_worker_a, grid=world.grid_a, place=c, found=0, month=dt.date(2026, 5, 1))
        screening_finish(actor=grid_worker_a, grid=world.grid_a, month=dt.date(2026, 5, 1))
        assert label not in lines(grid_worker_a, dt.date(2026, 5, 26))
        assert lines(community_staff, dt.date(2026, 5, 26))[label][0] == 1
    now = timezone.make_aware(dt.datetime.combine(dt.date(2026, 5, 26), dt.time(8, 30)))
    with translation.override("zh-hans"):
        digest_write(community_staff, day=dt.date(2026, 5, 26), now=now)
    text = Notice.objects.get(user=community_staff, kind="digest").text
    assert "本月未排查的网格 1" in text, text


def test_a_dispute_found_in_screening_joins_the_round(client, world, grid_worker_a, compounds):
    from linli.mediation.models import Dispute

    client.force_login(grid_worker_a)
    client.post(reverse("mediation:dispute_new"), {
        "kind": "neighbour", "place": compounds[0].pk, "facts": "楼道堆物", "applicant_name": "王建国",
        "source": "screening", "risk": "low"})
    d = Dispute.objects.get()
    assert d.screening is not None and d.screening.grid == world.grid_a and d.compound == compounds[0]
