"""Care test helpers: an elder living alone in grid A with a plan for grid A's worker."""

from __future__ import annotations

import pytest


@pytest.fixture
def rules(db):
    from linli.care.models import VisitRule
    from linli.care.workflow import DEFAULT_RULES

    for code, every, escalate in DEFAULT_RULES:
        VisitRule.objects.get_or_create(tag_code=code, defaults={"every_days": every, "escalate_after_days": escalate})


@pytest.fixture
def elder(world):
    from linli.residents.actions import person_create, person_tag_add
    from linli.residents.models import Tag

    person = person_create(actor=None, name="李阿婆", place=world.grid_a, phone="13600000001",
                           current_address="幸福里1幢101")
    person_tag_add(person=person, tag=Tag.objects.get(code="living_alone", community__isnull=True), actor=None)
    return person


@pytest.fixture
def plan(rules, elder, grid_worker_a):
    from linli.care.actions import plans_sync
    from linli.care.models import VisitPlan

    plans_sync()
    return VisitPlan.objects.get(person=elder)
