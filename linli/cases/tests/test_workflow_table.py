"""Every (state, action) pair of the workflow table: an allowed pair succeeds and leaves its event and
audit rows; any other pair is refused (409) and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.cases.actions import case_transition
from linli.cases.models import Case, CaseEvent
from linli.cases.tests.conftest import PATHS
from linli.cases.workflow import TRANSITIONS, CaseStatus, available_actions
from linli.core.errors import Refused
from linli.core.models import AuditEntry

STATES = list(CaseStatus.values)

# Who does each action, with what input, when the table allows it.
ACTION_INPUT: dict[str, tuple[str, dict]] = {
    "accept": ("staff", {}),
    "refuse": ("staff", {"reason": "不属于社区事务"}),
    "merge": ("staff", {"target": "other"}),
    "dispatch": ("staff", {}),
    "sign": ("worker", {}),
    "return": ("worker", {"reason": "不是本网格的事"}),
    "handle": ("worker", {}),
    "report": ("worker", {"reply": "已修复"}),
    "verify": ("staff", {}),
    "rework": ("staff", {"reason": "灯还是不亮"}),
    "rate": ("resident", {"satisfaction": "basically", "solved": True}),
    "close": ("staff", {}),
    "reopen": ("staff", {"reason": "居民再次反映"}),
    "extend": ("worker", {"reason": "等配件", "days": 3}),
    "extend_approve": ("staff", {}),
    "extend_reject": ("staff", {"reason": "理由不足"}),
    "park": ("staff", {"reason": "需要大修"}),
    "unpark": ("staff", {}),
    "supervise": ("supervisor", {"note": "请加快处理", "due": "2099-01-05"}),
    "summon": ("staff", {"departments": ["dept"], "instruction": "请到场处置"}),
    "summon_sign": ("dept", {}),
    "summon_answer": ("dept", {"reply": "已派人处理"}),
    "comment": ("staff", {"note": "已电话联系居民"}),
}

PAIRS = [(state, name) for state in STATES for name in TRANSITIONS]


def test_every_action_has_an_input_and_every_state_a_path():
    assert set(ACTION_INPUT) == set(TRANSITIONS)
    assert set(PATHS) == set(STATES)


def _prepare(case, name, actors, world):
    """Meet an allowed action's precondition (a pending extension, a summons, an ended rating window)."""
    if name in ("extend_approve", "extend_reject"):
        case = case_transition(case=case, name="extend", actor=actors["worker"], data={"reason": "等配件", "days": 2})
    if name == "close" and case.status == CaseStatus.VERIFIED:
        Case.objects.filter(pk=case.pk).update(verified_at=timezone.now() - timedelta(days=8))
        case.refresh_from_db()
    return case


def _input(name, actors, world, make_case):
    who, data = ACTION_INPUT[name]
    data = dict(data)
    if data.get("target") == "other":
        data["target"] = make_case(title="另一件").pk
    if data.get("departments") == ["dept"]:
        data["departments"] = [world.department.pk]
    return actors[who], data


@pytest.mark.parametrize(("state", "name"), PAIRS, ids=[f"{s}-{n}" for s, n in PAIRS])
def test_transition_pair_is_allowed_or_refused_by_the_table(state, name, case_in_state, actors, world, make_case):
    t = TRANSITIONS[name]
    summoned = name in ("summon_sign", "summon_answer")
    if summoned and state not in ("reported", "refused", "merged"):
        case = case_in_state(state, summoned=True)
    else:
        case = case_in_state(state)
    actor, data = _input(name, actors, world, make_case)

    if t.allows_state(state):
        case = _prepare(case, name, actors, world)
        events, audits = CaseEvent.objects.filter(case=case).count(), AuditEntry.objects.count()
        result = case_transition(case=case, name=name, actor=actor, data=data)
        event = CaseEvent.objects.filter(case=case, kind=name).latest("id")
        assert event.from_status == state
        if t.target is not None:
            assert event.to_status == t.target
        else:
            assert event.to_status == state == result.status
        assert CaseEvent.objects.filter(case=case).count() > events
        assert AuditEntry.objects.filter(action=f"cases.case_{name}", target_id=str(case.pk)).exists()
        assert AuditEntry.objects.count() > audits
        assert result.version > case.version
    else:
        # The dispatch desk sees every case of its community: the state alone decides (409).
        before = Case.objects.values().get(pk=case.pk)
        events, audits = CaseEvent.objects.count(), AuditEntry.objects.count()
        with pytest.raises(Refused):
            case_transition(case=case, name=name, actor=actors["staff"], data=data)
        assert Case.objects.values().get(pk=case.pk) == before
        assert CaseEvent.objects.count() == events
        assert AuditEntry.objects.count() == audits


def test_available_actions_are_the_table_rows_the_actor_may_start(case_in_state, actors):
    case = case_in_state("dispatched")
    worker_actions = {t.name for t in available_actions(case, actors["worker"])}
    assert worker_actions == {"sign", "return", "comment"}
    staff_actions = {t.name for t in available_actions(case, actors["staff"])}
    assert {"supervise", "summon", "comment"} <= staff_actions
    assert "sign" not in staff_actions and "accept" not in staff_actions
    assert available_actions(case, actors["resident"]) == []


def test_unsatisfied_rating_reopens_and_counts_a_reopen(case_in_state, actors):
    case = case_in_state("verified")
    case = case_transition(case=case, name="rate", actor=actors["resident"],
                           data={"satisfaction": "unsatisfied", "solved": False, "comment": "灯还是不亮"})
    assert case.status == CaseStatus.DISPATCHED
    assert case.reopen_count == 1
    assert case.owner_user == actors["worker"]
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == ["rate", "reopen"]
    assert case.handle_due > timezone.now() and case.satisfaction == ""


def test_rating_by_someone_else_is_denied(case_in_state, actors, grid_worker_b):
    from linli.core.errors import PermissionDenied

    case = case_in_state("verified")
    with pytest.raises(PermissionDenied):
        case_transition(case=case, name="rate", actor=actors["worker"], data={"satisfaction": "satisfied", "solved": True})


def test_verify_without_anyone_to_rate_closes_at_once(make_case, actors):
    case = make_case()  # a hotline ticket without a phone: nobody can rate it
    for name, who, data in PATHS["verified"]:
        case = case_transition(case=case, name=name, actor=actors[who], data=data)
    assert case.status == CaseStatus.CLOSED
    assert case.closed_reason == "resolved"


def test_return_only_before_the_return_deadline(case_in_state, actors):
    case = case_in_state("dispatched")
    Case.objects.filter(pk=case.pk).update(return_due=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Refused):
        case_transition(case=case, name="return", actor=actors["worker"], data={"reason": "不是我的"})


def test_return_goes_back_to_the_desk_without_owner(case_in_state, actors):
    case = case_in_state("signed")
    case = case_transition(case=case, name="return", actor=actors["worker"], data={"reason": "不是本网格"})
    assert case.status == CaseStatus.ACCEPTED
    assert case.owner_user is None and case.return_count == 1 and case.sign_due is None


def test_extension_approved_moves_the_handle_deadline(case_in_state, actors):
    case = case_in_state("handling")
    old = case.handle_due
    case = case_transition(case=case, name="extend", actor=actors["worker"], data={"reason": "等配件", "days": 3})
    with pytest.raises(Refused):  # one pending request at a time
        case_transition(case=case, name="extend", actor=actors["worker"], data={"reason": "再等", "days": 3})
    case = case_transition(case=case, name="extend_approve", actor=actors["staff"], data={})
    assert case.handle_due > old and case.extension_count == 1 and case.extension_state == "approved"


def test_supervision_sets_a_new_deadline_and_keeps_a_row(case_in_state, actors):
    case = case_in_state("handling")
    case = case_transition(case=case, name="supervise", actor=actors["supervisor"],
                           data={"note": "三日内办结", "due": "2099-03-02"})
    row = case.supervisions.get()
    assert row.new_due == case.handle_due and case.handle_due.date().isoformat() == "2099-03-02"
    assert case.supervision_count == 1


def test_each_summoned_department_signs_and_answers_on_its_own(case_in_state, actors, world):
    from linli.accounts.actions import department_create
    from linli.cases.models import CaseSummons
    from linli.core.testing.personas import make_user

    other = department_create(name="住建办", code="D-HOUSING", actor=None)
    other_staff = make_user("housing", "department_staff", department=other)
    case = case_in_state("handling")
    case = case_transition(case=case, name="summon", actor=actors["staff"], data={"summons": [
        {"department": world.department.pk, "instruction": "清理占道摊点", "due": "2099-01-05"},
        {"department": other.pk, "instruction": "查看楼道违建", "due": "2099-01-09"},
    ]})
    rows = {s.department_id: s for s in CaseSummons.objects.filter(case=case)}
    assert (rows[world.department.pk].instruction, rows[other.pk].instruction) == ("清理占道摊点", "查看楼道违建")
    assert rows[world.department.pk].due.date().isoformat() == "2099-01-05"
    assert rows[other.pk].due.date().isoformat() == "2099-01-09"
    case_transition(case=case, name="summon_sign", actor=actors["dept"], data={})
    rows = {s.department_id: s for s in CaseSummons.objects.filter(case=case)}
    assert rows[world.department.pk].status == "signed" and rows[other.pk].status == "summoned"
    case_transition(case=case, name="summon_answer", actor=other_staff, data={"reply": "已到场"})
    rows = {s.department_id: s for s in CaseSummons.objects.filter(case=case)}
    assert rows[other.pk].status == "answered" and rows[world.department.pk].status == "signed"
    with pytest.raises(Refused):  # nothing left to sign for that department
        case_transition(case=case, name="summon_sign", actor=actors["dept"], data={})
