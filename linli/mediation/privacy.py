"""The mediation ledger's part of anonymising a person after the retention period (``linli.privacy``).

A dispute stays in the ledger (its kind, place, dates, outcome and the points of its mediators count in
the KPIs and the street's rankings), but nothing of the person: their party rows lose the name, phone and
both keyed hashes; the disputes, sessions, agreements and timeline rows of their community lose their
name, phone and ID number wherever they were written (the texts of an agreement name both parties); a
mediator who was the person keeps the row (their disputes still count) under the anonymous name.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.anonymise import containing, names, rows_scrub
from linli.core.crypto import lookup_hashes
from linli.mediation.models import (
    Agreement,
    Dispute,
    DisputeEvent,
    DisputeParty,
    MediationSession,
    Mediator,
    ScreeningEntry,
)

ANONYMISED = {
    "DisputeParty": "the person's party rows: name, phone and their hashes blanked",
    "Dispute": "title, facts, address, referral and reason: the person's name, phone and ID number replaced",
    "DisputeEvent": "timeline notes and data: the same",
    "MediationSession": "venue, participants and notes: the same",
    "Agreement": "facts and terms: the same",
    "Mediator": "a mediator who was the person: the anonymous name, no organisation",
    "ScreeningEntry": "the screening notes of the person's community: the same",
}
NOTHING_PERSONAL = {
    "MediationTeam": "the team's name and description, written by staff about the team",
    "AgreementSequence": "a counter per community and year",
    "ScreeningRound": "a grid's month and who closed it (staff)",
}


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.residents.privacy import ANONYMOUS_NAME

    n = 0
    for pid, subject in people.items():
        needles = names(subject)
        area = subject.get("area", "")
        mine = Q(person_id=pid)
        if subject.get("phone"):
            mine |= Q(person__isnull=True, phone_hash__in=lookup_hashes(subject["phone"]))
        n += rows_scrub(DisputeParty.objects.filter(mine), (), [], name="", name_hash="", phone="", phone_hash="")
        disputes = Dispute.objects.filter(Q(place_path__startswith=area) | Q(parties__person_id=pid)).distinct()
        fields = ("title", "facts", "address", "referred_to", "reason")
        n += rows_scrub(containing(disputes, fields, needles), fields, needles)
        in_area = Q(dispute__place_path__startswith=area) | Q(dispute__parties__person_id=pid)
        related: list[tuple[Any, tuple[str, ...]]] = [
            (DisputeEvent, ("note", "data")), (MediationSession, ("venue", "participants", "notes")),
            (Agreement, ("facts", "terms")),
        ]
        for model, texts in related:
            n += rows_scrub(containing(model.objects.filter(in_area).distinct(), texts, needles), texts, needles)
        entries = ScreeningEntry.objects.filter(round__place_path__startswith=area)
        n += rows_scrub(containing(entries, ("note",), needles), ("note",), needles)
        logins = subject.get("user_ids") or []
        n += rows_scrub(Mediator.objects.filter(Q(person_id=pid) | Q(user_id__in=logins)), (), [],
                        name=ANONYMOUS_NAME, organisation="")
    return n
