"""A case verified real earns its reporter the ``case_verified`` points, once, in the same transaction."""

from __future__ import annotations

import pytest

from linli.points import selectors
from linli.points.models import PointsEntry


@pytest.fixture
def verified_case(world, member, person, grid_worker_a, community_staff):
    from linli.cases.actions import case_create, case_transition
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()

    def _drive(reporter, **extra):
        case = case_create(
            actor=reporter,
            channel="snapshot",
            category="MUNI.STREETLIGHT",
            title="路灯坏了",
            place=world.grid_a,
            **extra,
        )
        steps = [
            ("accept", community_staff, {}),
            ("dispatch", community_staff, {}),
            ("sign", grid_worker_a, {}),
            ("handle", grid_worker_a, {}),
            ("report", grid_worker_a, {"reply": "已修复"}),
            ("verify", community_staff, {}),
        ]
        for name, who, data in steps:
            case = case_transition(case=case, name=name, actor=who, data=data)
        return case

    return _drive


def test_verified_case_awards_reporter_person(verified_case, member, person):
    case = verified_case(member)
    entry = PointsEntry.objects.get(source=f"cases.case:{case.pk}:verified")
    assert entry.person_id == person.pk and entry.rule.code == "case_verified"
    assert selectors.balance_of(person.pk) == entry.amount == 1


def test_verified_case_awards_by_reporter_phone_when_no_login(verified_case, person, community_staff):
    case = verified_case(community_staff, reporter_phone="13900000001", reporter_name="积分测试")
    assert PointsEntry.objects.filter(source=f"cases.case:{case.pk}:verified", person=person).exists()


def test_verified_case_without_registry_person_awards_nothing(verified_case, resident):
    case = verified_case(resident)
    assert case.status in ("verified", "closed")
    assert not PointsEntry.objects.filter(source=f"cases.case:{case.pk}:verified").exists()


def test_verified_case_with_rule_off_awards_nothing(verified_case, member):
    from linli.points.models import PointsRule

    PointsRule.objects.filter(code="case_verified").update(active=False)
    case = verified_case(member)
    assert not PointsEntry.objects.filter(source=f"cases.case:{case.pk}:verified").exists()



def test_award_under_a_switched_off_rule_awards_nothing_and_refuses_nothing(person):
    from linli.points.actions import points_award
    from linli.points.models import PointsRule

    PointsRule.objects.filter(code="service").update(active=False)
    assert points_award(person_id=person.pk, rule_code="service", source="test:off", actor=None) is None
    assert not PointsEntry.objects.filter(source="test:off").exists()
    PointsRule.objects.filter(code="service").update(active=True)
    assert points_award(person_id=person.pk, rule_code="service", source="test:on", actor=None) is not None
