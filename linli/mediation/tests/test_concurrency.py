"""Two mediators archive the same dispute at once: one wins, the other is refused (409), one event row.
Threads on SQLite (a WAL file database, as Linli runs) and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core.errors import Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.mediation.actions import dispute_transition
from linli.mediation.models import Dispute, DisputeEvent


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_mediators_archive_at_once_one_wins(dispute_in_state, mediator_user, community_staff, tmp_path):
    d = dispute_in_state("referred")
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    results, errors = race(
        [
            lambda: dispute_transition(dispute=d.pk, name="archive", actor=mediator_user),
            lambda: dispute_transition(dispute=d.pk, name="archive", actor=community_staff),
        ],
        settings_dict=db,
    )
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], Refused) and errors[0].code in ("refused_transition", "conflict")

    def outcome():
        return (Dispute.objects.get(pk=d.pk).status,
                DisputeEvent.objects.filter(dispute_id=d.pk, kind="archive").count())

    assert (in_thread(outcome, db) if db else outcome()) == ("archived", 1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_screening_reminder_runs_at_once_remind_each_grid_once(world, grid_worker_a, community_staff, tmp_path):
    import datetime as dt

    from linli.mediation.screening import screenings_remind
    from linli.notifications.models import Notice

    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    day = dt.date(2026, 5, 25)
    results, errors = race([lambda: screenings_remind(today=day), lambda: screenings_remind(today=day)],
                           settings_dict=db)
    assert not errors, errors
    assert sum(results) == 3, results  # the three grids of the street, each claimed by one run

    def told():
        rows = Notice.objects.filter(kind="screening_overdue")
        return (rows.filter(user=grid_worker_a).count(), rows.filter(user=community_staff).count())

    assert (in_thread(told, db) if db else told()) == (1, 2)  # grid A once; the community's two grids once each
