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


def test_the_community_sees_grids_not_screened(client, world, grid_worker_a, community_staff, compounds):
    for c in compounds:
        screening_record(actor=grid_worker_a, grid=world.grid_a, place=c, found=0)
    screening_finish(actor=grid_worker_a, grid=world.grid_a)
    rows = {r.grid.name: r.done for r in screening_overview(community_staff)}
    assert rows == {"第一网格": True, "第二网格": False}
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


def test_reminders_from_the_25th(world, grid_worker_a, grid_worker_b, compounds):
    assert screenings_remind(today=dt.date(2026, 5, 24)) == 0
    assert screenings_remind(today=dt.date(2026, 5, 25)) == 3  # the three grids of the street


def test_a_dispute_found_in_screening_joins_the_round(client, world, grid_worker_a, compounds):
    from linli.mediation.models import Dispute

    client.force_login(grid_worker_a)
    client.post(reverse("mediation:dispute_new"), {
        "kind": "neighbour", "place": compounds[0].pk, "facts": "楼道堆物", "applicant_name": "王建国",
        "source": "screening", "risk": "low"})
    d = Dispute.objects.get()
    assert d.screening is not None and d.screening.grid == world.grid_a and d.compound == compounds[0]
