"""Every (state, action) pair of the round table: allowed pairs move the state and leave an event and an
audit row; the others are refused and change nothing."""

from __future__ import annotations

import pytest

from linli.core.errors import Refused
from linli.core.models import AuditEntry
from linli.evaluation import actions
from linli.evaluation.models import EvaluationRound, RoundEvent, RoundResult
from linli.evaluation.tests.conftest import sheet_for
from linli.evaluation.workflow import TRANSITIONS, RoundStatus

STATES = [s.value for s in RoundStatus]
DATA = {"close": {}, "reopen": {"reason": "补录"}, "publish": {}, "cancel": {"reason": "台风"}}


def test_every_action_has_data():
    assert set(DATA) == set(TRANSITIONS)


@pytest.mark.parametrize("name", list(TRANSITIONS))
@pytest.mark.parametrize("state", STATES)
def test_state_action_pair(estate, make_round, community_staff, state, name):
    rnd = make_round()
    b0 = estate.buildings[0]
    actions.sheet_submit(round=rnd, building=b0, scores=sheet_for(rnd, b0, estate.buildings), actor=community_staff)
    EvaluationRound.objects.filter(pk=rnd.pk).update(status=state)
    t = TRANSITIONS[name]
    events = RoundEvent.objects.filter(round=rnd).count()
    if state not in t.sources:
        with pytest.raises(Refused):
            actions.round_transition(round=rnd.pk, name=name, actor=community_staff, data=DATA[name])
        assert RoundEvent.objects.filter(round=rnd).count() == events
        assert EvaluationRound.objects.get(pk=rnd.pk).status == state
        return
    done = actions.round_transition(round=rnd.pk, name=name, actor=community_staff, data=DATA[name])
    done.refresh_from_db()
    assert done.status == t.target
    event = RoundEvent.objects.filter(round=rnd).latest("id")
    assert (event.kind, event.from_status, event.to_status) == (name, state, t.target)
    assert AuditEntry.objects.filter(action=f"evaluation.round_{name}", target_id=str(rnd.pk)).exists()
    assert RoundResult.objects.filter(round=rnd).exists() == (name == "publish")


def test_publish_without_any_sheet_is_refused(make_round, community_staff):
    rnd = make_round()
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    with pytest.raises(Refused):
        actions.round_transition(round=rnd, name="publish", actor=community_staff)
    assert EvaluationRound.objects.get(pk=rnd.pk).status == "closed"


def test_a_grid_worker_cannot_close_a_round(make_round, grid_worker_a):
    from linli.core.errors import PermissionDenied

    rnd = make_round()
    with pytest.raises(PermissionDenied):
        actions.round_transition(round=rnd, name="close", actor=grid_worker_a)


def test_one_round_per_compound_and_month(make_round):
    make_round()
    with pytest.raises(Refused) as exc:
        make_round()
    assert exc.value.code == "round_exists"
    assert EvaluationRound.objects.count() == 1


def test_the_task_closes_rounds_past_their_day(make_round):
    import datetime as dt

    rnd = make_round()
    assert actions.rounds_close_due(today=rnd.closes_on) == 0
    assert actions.rounds_close_due(today=rnd.closes_on + dt.timedelta(days=1)) == 1
    assert EvaluationRound.objects.get(pk=rnd.pk).status == "closed"


def test_the_branch_secretary_organises_rounds(world, estate):
    from linli.core.testing.personas import make_user
    from linli.evaluation.access import can_open_rounds
    from linli.party.actions import org_create, org_set_secretary

    secretary = make_user("secretary_1", "party_member", place=world.community)
    assert not can_open_rounds(secretary, estate.compound)
    committee = org_create(kind="committee", name="测试一社区党委", place=world.community, actor=None)
    branch = org_create(kind="branch", name="评比小区党支部", place=estate.compound, parent=committee, actor=None)
    org_set_secretary(org=branch, secretary=secretary, actor=None)
    assert can_open_rounds(secretary, estate.compound)
    assert not can_open_rounds(secretary, estate.other_compound)
