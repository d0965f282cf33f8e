"""Two people racing for the last seat: one gets it, the other goes on the waiting list (or is refused
when there is none). Threads on SQLite (a file database, as Linli runs) and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.volunteers.actions import signup_create
from linli.volunteers.models import Activity, Signup


def _slow_lock(monkeypatch):
    """Hold the activity lock a while so that the other caller surely arrives meanwhile."""
    import time

    from linli.volunteers.actions import signups

    real = signups.lock_activity

    def slow(pk):
        locked = real(pk)
        time.sleep(0.3)
        return locked

    monkeypatch.setattr(signups, "lock_activity", slow)


def _outcome(activity_id):
    return (
        sorted(Signup.objects.filter(activity_id=activity_id).values_list("status", flat=True)),
        Activity.objects.get(pk=activity_id).confirmed_count,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_volunteers_race_for_the_last_seat(activity_in_state, make_volunteer_user, tmp_path, monkeypatch):
    activity = activity_in_state("recruiting", quota=2)
    signup_create(activity=activity, actor=make_volunteer_user())
    a, b = make_volunteer_user(), make_volunteer_user()
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    _slow_lock(monkeypatch)
    results, errors = race(
        [
            lambda: signup_create(activity=activity.pk, actor=a),
            lambda: signup_create(activity=activity.pk, actor=b),
        ],
        settings_dict=db,
    )
    assert not errors, errors
    assert sorted(s.status for s in results) == ["confirmed", "waitlisted"]
    outcome = in_thread(lambda: _outcome(activity.pk), db) if db else _outcome(activity.pk)
    assert outcome == (["confirmed", "confirmed", "waitlisted"], 2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_without_a_waiting_list_the_loser_is_refused(
    activity_in_state, make_volunteer_user, tmp_path, monkeypatch
):
    from linli.core.errors import Refused

    activity = activity_in_state("recruiting", quota=1, waitlist=False)
    a, b = make_volunteer_user(), make_volunteer_user()
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    _slow_lock(monkeypatch)
    results, errors = race(
        [
            lambda: signup_create(activity=activity.pk, actor=a),
            lambda: signup_create(activity=activity.pk, actor=b),
        ],
        settings_dict=db,
    )
    assert len(results) == 1 and results[0].status == "confirmed"
    assert len(errors) == 1 and isinstance(errors[0], Refused) and errors[0].code == "full"
    outcome = in_thread(lambda: _outcome(activity.pk), db) if db else _outcome(activity.pk)
    assert outcome == (["confirmed"], 1)
