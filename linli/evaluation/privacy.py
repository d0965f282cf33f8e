"""Evaluation's part of anonymising a person after the retention period (``linli.privacy``).

Rounds, scores, rankings, campaigns, surveys, commitments and half-year evaluations stay (they are the
figures), but nothing of the person: their name, phone and ID number leave the texts of their community's
commitments and what was done against them, the community's comments on a member's half year and its
timeline, inspection and finding notes, survey answers (free-text answers may name someone; the answers
themselves are tied to a house, never to a person), training titles and teachers, mentor pairs' goals.
"""

from __future__ import annotations

from typing import Any

from linli.core.anonymise import area_scrub, names
from linli.evaluation.models import (
    Commitment,
    CommitmentEvent,
    CommitmentLog,
    Finding,
    Inspection,
    MemberEvaluation,
    MemberEvaluationEvent,
    MentorPair,
    SurveyAnswer,
    TrainingSession,
)

AREA = [
    (Commitment, "place_path", ("text",)),
    (CommitmentLog, "commitment__place_path", ("text",)),
    (CommitmentEvent, "commitment__place_path", ("note", "data")),
    (MemberEvaluation, "place_path", ("comment",)),
    (MemberEvaluationEvent, "evaluation__place_path", ("note", "data")),
    (Inspection, "target__place__path", ("note",)),
    (Finding, "target__place__path", ("note",)),
    (SurveyAnswer, "survey__place_path", ("answers",)),
    (TrainingSession, "place_path", ("title", "teacher")),
    (MentorPair, "place_path", ("goal",)),
]

ANONYMISED = {m.__name__: "the person's name, phone and ID number leave " + ", ".join(f) for m, _p, f in AREA}
NOTHING_PERSONAL = {
    "Criterion": "a criterion's code and name (configuration)",
    "EvaluationRound": "a round's place, month and criteria (configuration)",
    "RoundEvent": "staff's actions on a round (an anonymised login's name is rewritten by linli.privacy)",
    "ScoreSheet": "scores of a place, submitted by staff",
    "Score": "a criterion's score",
    "RoundResult": "a place's result",
    "ChecklistTemplate": "a checklist's name (configuration)",
    "ChecklistItem": "a checklist item's text (configuration)",
    "Campaign": "a campaign's name and place (staff)",
    "CampaignEvent": "staff's actions on a campaign",
    "CampaignTarget": "a building to inspect and its inspector (staff)",
    "RankingWeight": "a ranking part's weight (configuration)",
    "Questionnaire": "a questionnaire's name (configuration)",
    "Question": "a question's text and options (configuration)",
    "Survey": "a community's monthly survey (staff)",
    "SurveyEvent": "staff's actions on a survey",
    "SurveyInvite": "a house as its address reads and a one-time token: no name, no phone",
    "TrainingAttendance": "a login's attendance (the login is anonymised with the person)",
    "CommitmentRating": "a household's score of a commitment",
}


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    return sum(area_scrub(AREA, names(s), s.get("area", "")) for s in people.values())
