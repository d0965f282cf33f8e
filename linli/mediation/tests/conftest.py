"""Mediation test helpers: a mediator of 测试一社区 (login + registry person + team row), disputes filed in
grid A and driven into any state through the real actions."""

from __future__ import annotations

import itertools

import pytest

from linli.mediation.workflow import DisputeStatus as S

_phones = itertools.count(13700000001)

# How each state is reached from "registered": (action, data) steps; "{lead}" is the mediator's id.
PATHS: dict[str, list[tuple[str, dict]]] = {
    S.REGISTERED: [],
    S.ACCEPTED: [("accept", {"lead": "{lead}"})],
    S.MEDIATING: [("accept", {"lead": "{lead}"}), ("triage", {"method": "on_spot"})],
    S.SETTLED: [("accept", {"lead": "{lead}"}), ("triage", {"method": "session"}),
                ("settle", {"form": "written", "terms": "甲方于本月底前修复漏水，乙方不再追究。"})],
    S.FAILED: [("accept", {"lead": "{lead}"}), ("triage", {"method": "on_spot"}), ("fail", {"reason": "双方分歧大"})],
    S.REFERRED: [("accept", {"lead": "{lead}"}), ("refer", {"referred_to": "区人民法院"})],
    S.FOLLOWED_UP: [("accept", {"lead": "{lead}"}), ("triage", {"method": "on_spot"}),
                    ("settle", {"form": "oral", "terms": "口头约定夜间十点后不再装修。"}),
                    ("follow_up", {"fulfilled": True, "note": "已履行"})],
    S.ARCHIVED: [("accept", {"lead": "{lead}"}), ("refer", {"referred_to": "区人民法院"}), ("archive", {})],
    S.WITHDRAWN: [("withdraw", {"reason": "双方已自行和解"})],
    S.REFUSED: [("refuse", {"reason": "不属于人民调解范围"})],
}


@pytest.fixture
def make_person(world):
    from linli.residents.actions import person_create

    def _make(name="居民甲", *, place=None, phone=None):
        return person_create(actor=None, name=name, place=place or world.grid_a, phone=phone or str(next(_phones)))

    return _make


@pytest.fixture
def mediator_user(world):
    from linli.core.testing.personas import make_user

    return make_user("mediator_c", "mediator", place=world.community)


@pytest.fixture
def mediator(world, mediator_user, make_person):
    from linli.mediation.actions_team import mediator_create, team_create

    team = team_create(actor=None, community=world.community, name="百·和调解队")
    return mediator_create(actor=None, name="郑海", kinds=["peoples_mediator"], place=world.community,
                           user=mediator_user, person=make_person("郑海"), team=team)


@pytest.fixture
def helper_mediator(world, make_person, mediator):
    from linli.mediation.actions_team import mediator_create

    return mediator_create(actor=None, name="李律师", kinds=["lawyer"], place=world.community,
                           person=make_person("李律师"), team=mediator.team)


@pytest.fixture
def file_dispute(world, grid_worker_a):
    from linli.mediation.actions import dispute_file

    def _file(*, actor=None, place=None, **kwargs):
        kwargs.setdefault("kind", "neighbour")
        kwargs.setdefault("facts", "楼上装修噪音扰民，多次协商未果。")
        kwargs.setdefault("parties", [
            {"role": "applicant", "name": "王建国", "phone": "13812345678"},
            {"role": "respondent", "name": "李四海", "phone": "13987654321"},
        ])
        return dispute_file(actor=actor or grid_worker_a, place=place or world.grid_a, **kwargs)

    return _file


@pytest.fixture
def dispute_in_state(file_dispute, mediator, mediator_user):
    from linli.mediation.actions import dispute_transition

    def _make(state: str, *, actor=None):
        d = file_dispute()
        for name, data in PATHS[state]:
            data = {k: (mediator.pk if v == "{lead}" else v) for k, v in data.items()}
            d = dispute_transition(dispute=d, name=name, actor=actor or mediator_user, data=data)
        assert d.status == state
        return d

    return _make
