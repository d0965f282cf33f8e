"""Two staff approve the same registration at once: exactly one wins, the other is refused (409)."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core.errors import Refused
from linli.core.testing.concurrency import in_thread, race, sqlite_file
from linli.party.actions import registration_submit, registration_transition
from linli.party.models import PartyMember, Registration, RegistrationEvent


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_staff_approve_at_once_one_wins(
    world, community_staff, street_supervisor, make_person, tmp_path, monkeypatch
):
    import time

    from linli.party.actions import registrations

    slow = registrations.APPLY["approve"]

    def approve_slowly(*args):
        time.sleep(0.3)
        return slow(*args)

    monkeypatch.setitem(registrations.APPLY, "approve", approve_slowly)
    reg = registration_submit(
        kind="member",
        community=world.community,
        person=make_person("孙双报"),
        unit_name="区税务局",
        actor=community_staff,
    )
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    results, errors = race(
        [
            lambda: registration_transition(
                registration=reg.pk, name="approve", actor=community_staff, data={}
            ),
            lambda: registration_transition(
                registration=reg.pk, name="approve", actor=street_supervisor, data={}
            ),
        ],
        settings_dict=db,
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Refused), errors

    def outcome():
        return (
            RegistrationEvent.objects.filter(registration_id=reg.pk, kind="approve").count(),
            Registration.objects.get(pk=reg.pk).status,
            PartyMember.objects.filter(person_id=reg.person_id).count(),
        )

    assert (in_thread(outcome, db) if db else outcome()) == (1, "approved", 1)


def test_a_stale_object_cannot_approve_twice(world, community_staff, make_person):
    reg = registration_submit(
        kind="member", community=world.community, person=make_person(), unit_name="x", actor=community_staff
    )
    stale = Registration.objects.get(pk=reg.pk)
    registration_transition(registration=reg, name="approve", actor=community_staff)
    with pytest.raises(Refused):
        registration_transition(
            registration=stale, name="reject", actor=community_staff, data={"reason": "x"}
        )
    assert RegistrationEvent.objects.filter(registration=reg).count() == 2  # submitted, approve
