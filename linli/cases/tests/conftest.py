"""Case test helpers: default categories (restored after a flush), a case in grid A, a flow driver."""

from __future__ import annotations

import pytest


@pytest.fixture
def categories(db):
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Category

    categories_restore_default()
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def category(categories):
    return categories["MUNI.STREETLIGHT"]


@pytest.fixture
def make_case(world, category):
    """A case reported in grid A (by the system unless ``actor`` is given)."""
    from linli.cases.actions import case_create

    def _make(**kwargs):
        kwargs.setdefault("actor", None)
        kwargs.setdefault("category", category)
        kwargs.setdefault("title", "路灯坏了")
        kwargs.setdefault("description", "小区门口的路灯坏了好几天")
        kwargs.setdefault("place", world.grid_a)
        kwargs.setdefault("channel", "hotline" if kwargs["actor"] is None else "snapshot")
        return case_create(**kwargs)

    return _make


@pytest.fixture
def actors(resident, grid_worker_a, community_staff, street_supervisor, department_staff):
    return {
        "resident": resident,
        "worker": grid_worker_a,
        "staff": community_staff,
        "supervisor": street_supervisor,
        "dept": department_staff,
    }


# The path through the table to each state (each step: action, actor key, data).
PATHS: dict[str, list[tuple[str, str, dict]]] = {}
_MAIN = [
    ("accept", "staff", {}),
    ("dispatch", "staff", {}),
    ("sign", "worker", {}),
    ("handle", "worker", {}),
    ("report", "worker", {"reply": "已修复"}),
    ("verify", "staff", {}),
    ("rate", "resident", {"satisfaction": "satisfied", "solved": True}),
    ("close", "staff", {}),
]
_STATES = ["reported", "accepted", "dispatched", "signed", "handling", "reported_back", "verified", "rated", "closed"]
for _i, _state in enumerate(_STATES):
    PATHS[_state] = _MAIN[:_i]
PATHS["refused"] = [("refuse", "staff", {"reason": "不属于社区事务"})]
PATHS["parked"] = _MAIN[:4] + [("park", "staff", {"reason": "需要大修"})]
PATHS["merged"] = [("merge", "staff", {"target": "other"})]


@pytest.fixture
def case_in_state(make_case, actors, world):
    """A case reported by the resident of grid A and driven through the real actions to ``state``.
    ``summoned=True`` summons the test department right after acceptance (when the path passes it)."""
    from linli.cases.actions import case_transition

    def _drive(state: str, *, summoned: bool = False):
        case = make_case(actor=actors["resident"], reporter_phone="13812345678")
        for name, who, data in PATHS[state]:
            data = dict(data)
            if data.get("target") == "other":
                data["target"] = make_case(title="另一件").pk
            case = case_transition(case=case, name=name, actor=actors[who], data=data)
            if name == "accept" and summoned:
                case = case_transition(case=case, name="summon", actor=actors["staff"],
                                       data={"departments": [world.department.pk], "instruction": "请到场处置"})
        assert case.status == state
        return case

    return _drive
