"""Redemptions and selections run through the one runner: a refused transition and a lost race are two
different 409 codes; every step leaves an event row and an audit row; a selection's guard holds."""

from __future__ import annotations

import pytest

from linli.core.errors import Refused
from linli.core.models import AuditEntry
from linli.points import actions
from linli.points.models import Redemption, RedemptionEvent, SelectionEvent


@pytest.fixture
def issued(person, member, item):
    actions.points_award(person_id=person.pk, rule_code="service", source="t:run", actor=None, amount=50)
    return actions.redemption_create(item_id=item.pk, actor=member)


def test_a_lost_race_is_a_conflict_and_a_refusal_is_a_refusal(issued, member):
    stale = Redemption.objects.get(pk=issued.pk)  # what the second tab showed: issued
    actions.redemption_transition(redemption=issued, name="cancel", actor=member)
    with pytest.raises(Refused) as lost:
        actions.redemption_transition(redemption=stale, name="cancel", actor=member)
    assert lost.value.code == "conflict" and lost.value.status == 409
    with pytest.raises(Refused) as refused:
        actions.redemption_transition(redemption=issued.pk, name="cancel", actor=member)
    assert refused.value.code == "refused_transition" and refused.value.status == 409
    assert RedemptionEvent.objects.filter(redemption=issued, kind="cancel").count() == 1


def test_a_selection_moves_through_its_table_with_events(world, community_staff, person):
    from datetime import date

    actions.points_award(person_id=person.pk, rule_code="service", source="t:sel", actor=None, amount=5)
    sel = actions.selection_create(
        community=world.community, year=date.today().year, half="H1" if date.today().month <= 6 else "H2",
        actor=community_staff,
    )
    for candidate in sel.candidates.all():
        actions.selection_candidate_set(selection=sel, candidate_id=candidate.pk, included=False, rank=1,
                                        actor=community_staff)
    with pytest.raises(Refused) as guard:  # nobody included: the table's guard refuses
        actions.selection_transition(selection=sel.pk, name="confirm", actor=community_staff)
    assert guard.value.code == "refused_transition"
    sel.candidates.update(included=True)
    actions.selection_transition(selection=sel.pk, name="confirm", actor=community_staff)
    published = actions.selection_transition(selection=sel.pk, name="publish", actor=community_staff)
    assert published.status == "published" and published.published_at is not None
    assert list(SelectionEvent.objects.filter(selection=sel).values_list("kind", "from_status", "to_status")) == [
        ("confirm", "draft", "confirmed"), ("publish", "confirmed", "published")]
    assert AuditEntry.objects.filter(action="points.selection_publish", target_id=str(sel.pk)).exists()
