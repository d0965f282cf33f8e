"""Two people pressing the same button at once: exactly one wins, the other is refused (409)."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.cases.actions import case_transition
from linli.cases.actions._common import lock_case, step
from linli.cases.models import Case, CaseEvent
from linli.core.errors import Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file


@pytest.mark.django_db(transaction=True)
def test_two_staff_of_the_owning_department_sign_at_once_one_wins(
    case_in_state, community_staff, world, tmp_path, monkeypatch
):
    import time

    from linli.cases.actions import transitions
    from linli.core.testing.personas import make_user

    slow_sign = transitions.APPLY["sign"]

    def sign_slowly(*args):
        time.sleep(0.3)  # hold the lock a while, so that the other press surely arrives meanwhile
        return slow_sign(*args)

    monkeypatch.setitem(transitions.APPLY, "sign", sign_slowly)

    first = make_user("dept_1", "department_staff", department=world.department)
    second = make_user("dept_2", "department_staff", department=world.department)
    case = case_in_state("accepted")
    case = case_transition(
        case=case,
        name="dispatch",
        actor=community_staff,
        data={"owner_kind": "department", "owner_department": world.department.pk},
    )
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None

    results, errors = race(
        [
            lambda: case_transition(case=case.pk, name="sign", actor=first, data={}),
            lambda: case_transition(case=case.pk, name="sign", actor=second, data={}),
        ],
        settings_dict=db,
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        return (
            CaseEvent.objects.filter(case_id=case.pk, kind="sign").count(),
            Case.objects.get(pk=case.pk).status,
        )

    assert (in_thread(outcome, db) if db else outcome()) == (1, "signed")


def test_a_stale_case_object_cannot_win(case_in_state, grid_worker_a):
    """The second press holds an object read before the first one committed: the action re-reads the
    row under its lock and refuses."""
    case = case_in_state("dispatched")
    stale = Case.objects.get(pk=case.pk)
    case_transition(case=case, name="sign", actor=grid_worker_a, data={})
    assert stale.status == "dispatched"
    with pytest.raises(Refused):
        case_transition(case=stale, name="sign", actor=grid_worker_a, data={})
    assert CaseEvent.objects.filter(case=case, kind="sign").count() == 1


def test_compare_and_set_refuses_a_write_over_a_changed_version(case_in_state, grid_worker_a):
    """Belt and braces: if the row changed between reading and writing (no lock held), the version
    compare-and-set refuses and nothing is written."""
    from django.db import transaction
    from django.utils import timezone

    case = case_in_state("dispatched")
    with pytest.raises(Refused), transaction.atomic():
        locked = lock_case(case)
        Case.objects.filter(pk=case.pk).update(version=locked.version + 1)  # somebody else's write
        step(locked, "sign", grid_worker_a, {}, now=timezone.now())
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "dispatched" and fresh.version == case.version
    assert not CaseEvent.objects.filter(case=case, kind="sign").exists()
