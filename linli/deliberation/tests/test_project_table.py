"""Every (state, action) pair of the project table: allowed from its sources (the state moves to the
target, with an event row and an audit row), refused with 409 refused_transition from every other state;
and the guards: the vote must have passed, the funds must cover the budget, a cancelled project holds no money."""

from __future__ import annotations

import pytest

from linli.core.errors import Refused
from linli.core.models import AuditEntry
from linli.deliberation.models import Ledger, Project, ProjectEvent
from linli.deliberation.workflow import PROJECT_TRANSITIONS, ProjectStatus

PAIRS = [(state, name) for state in ProjectStatus.values for name in PROJECT_TRANSITIONS]


def _ready(project, name, vote):
    """Make the guard of ``name`` pass: a passed vote for approve, the budget raised for start."""
    from linli.deliberation.actions import ledger_post

    if name == "approve":
        Project.objects.filter(pk=project.pk).update(vote=vote)
    if name == "start":
        ledger_post(ledger=project.ledger_id, kind="donation", amount_fen=project.budget_fen, actor=None)


def _data(name, topic, vote):
    return {
        "deliberate": {"topic": topic.pk},
        "put_to_vote": {"vote": vote.pk},
        "complete": {"note": "公园已建成开放"},
        "cancel": {"reason": "居民意见分歧较大"},
    }.get(name, {})


@pytest.mark.parametrize(("state", "name"), PAIRS)
def test_project_transition_pair(state, name, project, topic, community_staff, make_voter, passed_vote):
    from linli.deliberation.actions import project_transition

    vote = passed_vote(make_voter())
    Project.objects.filter(pk=project.pk).update(status=state)
    t = PROJECT_TRANSITIONS[name]
    if t.allows_state(state):
        _ready(project, name, vote)
        done = project_transition(project=project.pk, name=name, actor=community_staff, data=_data(name, topic, vote))
        assert done.status == t.target
        assert ProjectEvent.objects.filter(project=project, kind=name, from_status=state, to_status=t.target).exists()
        assert AuditEntry.objects.filter(action=f"deliberation.project_{name}", target_id=str(project.pk)).exists()
    else:
        with pytest.raises(Refused) as exc:
            project_transition(project=project.pk, name=name, actor=community_staff, data=_data(name, topic, vote))
        assert exc.value.code == "refused_transition"
        assert Project.objects.get(pk=project.pk).status == state


def test_approve_refused_until_the_vote_passed(project, community_staff, make_vote, make_voter):
    from linli.deliberation.actions import ballot_cast, project_transition, vote_transition

    project_transition(project=project, name="deliberate", actor=community_staff)
    voters = [make_voter() for _ in range(3)]
    vote = vote_transition(vote=make_vote(), name="open", actor=community_staff)
    project_transition(project=project, name="put_to_vote", actor=community_staff, data={"vote": vote.pk})
    with pytest.raises(Refused):  # still open
        project_transition(project=project, name="approve", actor=community_staff)
    ballot_cast(actor=voters[0], vote=vote.pk, choice="disagree")
    ballot_cast(actor=voters[1], vote=vote.pk, choice="disagree")
    vote_transition(vote=vote.pk, name="close", actor=community_staff)
    with pytest.raises(Refused) as exc:  # counted, not passed
        project_transition(project=project, name="approve", actor=community_staff)
    assert exc.value.code == "refused_transition"
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.VOTING


def test_start_needs_the_budget_raised_and_cancel_needs_an_empty_ledger(project, community_staff):
    from linli.deliberation.actions import project_money_in, project_pay, project_transition

    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.FUNDING)
    project_money_in(actor=community_staff, project=project, kind="contribution", amount="999.99", counterparty="3幢居民")
    with pytest.raises(Refused):
        project_transition(project=project, name="start", actor=community_staff)
    with pytest.raises(Refused):  # it holds 999.99 yuan
        project_transition(project=project, name="cancel", actor=community_staff, data={"reason": "取消"})
    project_pay(actor=community_staff, project=project, amount="999.99", counterparty="3幢居民", note="退款")
    assert project_transition(project=project, name="cancel", actor=community_staff, data={"reason": "取消"}).status == "cancelled"
    assert Ledger.objects.get(pk=project.ledger_id).balance_fen == 0


def test_resident_may_not_run_project_transitions(project, resident):
    from linli.core.errors import NotFound, PermissionDenied
    from linli.deliberation.actions import project_transition

    with pytest.raises((PermissionDenied, NotFound)):
        project_transition(project=project, name="deliberate", actor=resident)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.PROPOSED
