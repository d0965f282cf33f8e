"""Every (state, action) pair of the dispute table: allowed pairs move to the target (or stay, for the
in-place actions) and leave one event and one audit row; every other pair is refused (409) and changes
nothing."""

from __future__ import annotations

import pytest

from linli.core.audit import AuditEntry
from linli.core.errors import PermissionDenied, Refused
from linli.mediation.actions import dispute_transition
from linli.mediation.models import DisputeEvent
from linli.mediation.tests.conftest import PATHS
from linli.mediation.workflow import ACTION_NAMES, TRANSITIONS, DisputeStatus, available_actions

DATA = {
    "accept": {},
    "refuse": {"reason": "不属于调解范围"},
    "assign": {"lead": "{lead}"},
    "triage": {"method": "joint_police"},
    "refer": {"referred_to": "区人民法院"},
    "session": {"notes": "双方陈述，调解员释法说理。", "venue": "社区调解室", "participants": "双方、调解员"},
    "settle": {"form": "written", "terms": "乙方赔偿甲方 800 元。"},
    "fail": {"reason": "一方拒不到场"},
    "extend": {"applicant_consent": True, "respondent_consent": True},
    "follow_up": {"fulfilled": False, "note": "尚未赔偿"},
    "archive": {},
    "withdraw": {"reason": "申请人撤回"},
    "escalate": {},
}
PAIRS = [(state, action) for state in DisputeStatus.values for action in ACTION_NAMES]


def test_every_state_is_reachable_and_every_action_has_data():
    assert set(PATHS) == set(DisputeStatus.values)
    assert set(DATA) == set(ACTION_NAMES)


def _data(action, mediator):
    from django.utils import timezone

    data = {k: (mediator.pk if v == "{lead}" else v) for k, v in DATA[action].items()}
    if action == "session":
        data["held_on"] = timezone.localdate()
    return data


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_state_action_pair(dispute_in_state, mediator, mediator_user, state, action):
    dispute = dispute_in_state(state)
    t = TRANSITIONS[action]
    actor = None if action == "escalate" else mediator_user
    events = DisputeEvent.objects.filter(dispute=dispute).count()
    audits = AuditEntry.objects.filter(action=f"mediation.dispute_{action}").count()
    if t.allows_state(state):
        moved = dispute_transition(dispute=dispute, name=action, actor=actor, data=_data(action, mediator))
        assert moved.status == (t.target or state)
        moved.refresh_from_db()
        assert moved.status == (t.target or state)
        assert DisputeEvent.objects.filter(dispute=dispute, kind=action, from_status=state,
                                           to_status=t.target or state).count() == 1
        assert AuditEntry.objects.filter(action=f"mediation.dispute_{action}").count() == audits + 1
    else:
        with pytest.raises(Refused) as info:
            dispute_transition(dispute=dispute, name=action, actor=actor, data=_data(action, mediator))
        assert info.value.code == "refused_transition"
        dispute.refresh_from_db()
        assert dispute.status == state
        assert DisputeEvent.objects.filter(dispute=dispute).count() == events


def test_buttons_come_from_the_table(dispute_in_state, mediator_user, grid_worker_a):
    d = dispute_in_state("mediating")
    assert [t.name for t in available_actions(d, mediator_user)] == [
        "assign", "refer", "session", "settle", "fail", "extend", "withdraw"]
    assert available_actions(d, grid_worker_a) == []  # the reporter withdraws only before acceptance
    assert available_actions(d, None) == []


def test_the_reporter_may_withdraw_what_they_filed_but_not_accept_it(dispute_in_state, grid_worker_a):
    d = dispute_in_state("registered")
    with pytest.raises(PermissionDenied):
        dispute_transition(dispute=d, name="accept", actor=grid_worker_a)
    d = dispute_transition(dispute=d, name="withdraw", actor=grid_worker_a, data={"reason": "填错了"})
    assert d.status == "withdrawn"


def test_a_person_cannot_escalate(dispute_in_state, mediator_user):
    d = dispute_in_state("accepted")
    with pytest.raises(PermissionDenied):
        dispute_transition(dispute=d, name="escalate", actor=mediator_user)


def test_required_inputs_are_checked(dispute_in_state, mediator_user):
    from linli.core.errors import Invalid

    d = dispute_in_state("mediating")
    with pytest.raises(Invalid) as info:
        dispute_transition(dispute=d, name="fail", actor=mediator_user, data={"reason": "  "})
    assert "reason" in info.value.fields
    d.refresh_from_db()
    assert d.status == "mediating"
    d = dispute_in_state("accepted")
    with pytest.raises(Invalid):
        dispute_transition(dispute=d, name="triage", actor=mediator_user, data={"method": "referral"})
    d.refresh_from_db()
    assert d.status == "accepted" and d.method == ""
