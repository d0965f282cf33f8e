"""Deliberation's part of anonymising a person after the retention period (``linli.privacy``).

Topics, votes, meetings, decisions, projects, the money ledger, honours and the think tank stay (their
counts, tallies, amounts and outcomes are the community's record), but nothing of the person: their name,
phone and ID number leave every text of their community's rows (topic texts they raised, minutes, notes,
timelines, vote options, nominations and opinions); the rows that are theirs lose their own free text
(rating comments), the name shown beside them (participant, nominee, the login that raised a topic or owns
a decision, an expert who was the person) and the ledger's counterparty (the ledger is append-only:
``core.append_only.Redactable`` lets the anonymisation blank its ``counterparty`` and ``note``, never an
amount).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.anonymise import area_scrub, linked_blank, names, rows_scrub
from linli.deliberation.models import (
    AgendaItem,
    Decision,
    DecisionEvent,
    DecisionRating,
    Expert,
    ExpertOpinion,
    HonourEvent,
    HonourNomination,
    HonourRound,
    LedgerEntry,
    Meeting,
    MeetingEvent,
    Milestone,
    Participant,
    Project,
    ProjectEvent,
    ProjectRating,
    RollEntry,
    Topic,
    TopicEvent,
    Vote,
    VoteEvent,
)

AREA = [
    (Topic, "community_path", ("title", "description", "reason", "decision_note", "raised_by_name")),
    (TopicEvent, "topic__community_path", ("note", "data")),
    (Vote, "community_path", ("title", "question", "reason", "options", "result")),
    (VoteEvent, "vote__community_path", ("note", "data")),
    (RollEntry, "vote__community_path", ("label",)),
    (Meeting, "community_path", ("title", "location", "minutes", "reason")),
    (MeetingEvent, "meeting__community_path", ("note", "data")),
    (AgendaItem, "meeting__community_path", ("note",)),
    (Participant, "meeting__community_path", ("name", "organisation")),
    (Decision, "community_path", ("text", "owner_name", "outcome", "reason")),
    (DecisionEvent, "decision__community_path", ("note", "data")),
    (DecisionRating, "decision__community_path", ("comment",)),
    (LedgerEntry, "ledger__community_path", ("counterparty", "note")),
    (Project, "community_path", ("title", "description", "outcome", "reason")),
    (ProjectEvent, "project__community_path", ("note", "data")),
    (Milestone, "project__community_path", ("title", "note")),
    (ProjectRating, "project__community_path", ("comment",)),
    (HonourRound, "community_path", ("title", "reason")),
    (HonourEvent, "round__community_path", ("note", "data")),
    (HonourNomination, "round__community_path", ("label", "reason")),
    (Expert, "community_path", ("name", "specialties", "title")),
    (ExpertOpinion, "topic__community_path", ("text",)),
]

ANONYMISED = {m.__name__: "the person's name, phone and ID number leave " + ", ".join(f) for m, _p, f in AREA}
ANONYMISED.update({
    "Participant": "a participant who was the person: the anonymous name, no unit",
    "DecisionRating": "the person's own rating comment blanked (the score stays)",
    "ProjectRating": "the person's own rating comment blanked (the score stays)",
    "LedgerEntry": "the person's entries: counterparty blanked (redaction window; amounts stay)",
    "HonourNomination": "the person's nominations: the nominee shown as the anonymous name; the reason scrubbed",
    "RollEntry": "the electoral roll's rows of the person: their masked name replaced",
    "Expert": "an expert who was the person (their login): the anonymous name, no title or fields",
})
NOTHING_PERSONAL = {
    "TopicSupport": "a voter key and the person's key (their registry row is anonymised)",
    "RollMember": "the person's key on a roll (their registry row is anonymised)",
    "Ballot": "a choice, a paper number and the person's key (their registry row is anonymised)",
    "Ledger": "the ledger's name, written by staff",
    "MilestonePhoto": "photos of the works, taken by staff",
    "Fund": "the fund's name and description, written by staff",
    "FundRun": "a run of the fund (amounts, the staff login that ran it)",
    "FundPayment": "an amount paid to the person's key (their registry row is anonymised)",
    "HonourCategory": "the honour's name and description, written by staff",
    "HonourNominator": "a voter key and the nominating login (anonymised with the person)",
    "ExpertInvitation": "an invitation of an expert to a topic (keys only)",
}


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.masking import mask_name
    from linli.residents.privacy import ANONYMOUS_NAME

    n = 0
    for pid, subject in people.items():
        needles = names(subject)
        logins = subject.get("user_ids") or []
        n += area_scrub(AREA, needles, subject.get("area", ""))
        n += linked_blank(Participant.objects.filter(Q(person_id=pid) | Q(user_id__in=logins)),
                          name=ANONYMOUS_NAME, organisation="")
        n += linked_blank(DecisionRating.objects.filter(person_id=pid), comment="")
        n += linked_blank(ProjectRating.objects.filter(person_id=pid), comment="")
        n += linked_blank(LedgerEntry._base_manager.filter(person_id=pid), counterparty="")
        n += linked_blank(Topic.objects.filter(raised_by_id__in=logins), raised_by_name=ANONYMOUS_NAME)
        n += linked_blank(Decision.objects.filter(owner_id__in=logins), owner_name=ANONYMOUS_NAME)
        n += linked_blank(Expert.objects.filter(user_id__in=logins), name=ANONYMOUS_NAME, title="", specialties="")
        masked = [mask_name(subject.get("name", ""))] if subject.get("name") else []
        anon = mask_name(ANONYMOUS_NAME)
        for model, q in ((HonourNomination, Q(person_id=pid)), (RollEntry, Q(members__person_id=pid))):
            for row in model._base_manager.filter(q).distinct().only("pk", "label"):
                label = row.label
                for m in masked:
                    label = label.replace(m, anon)
                if label != row.label:
                    n += linked_blank(model._base_manager.filter(pk=row.pk), label=label)
        n += rows_scrub(HonourNomination._base_manager.filter(person_id=pid), ("reason",), needles)
    return n
