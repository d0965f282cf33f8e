"""A case becomes a dispute: the dispute links the case, its timeline starts with the case's events, the case
gets a note and a reply through its own transition; a case becomes one dispute at most."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.errors import NotFound, Refused
from linli.mediation.actions import dispute_from_case


@pytest.fixture
def case(world):
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default

    categories_restore_default()
    return case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="邻居占用楼道",
                       description="对门邻居在楼道堆放杂物，协商无果。", place=world.grid_a)


PARTIES = [{"role": "applicant", "name": "王建国"}, {"role": "respondent", "name": "李四海"}]


def test_a_case_turned_into_a_dispute_keeps_one_timeline(case, community_staff, mediator_user):
    from linli.cases.selectors import case_timeline
    from linli.mediation.selectors import dispute_timeline

    d = dispute_from_case(actor=community_staff, case_id=case.pk, kind="neighbour", parties=PARTIES)
    assert d.case_id == case.pk and d.source == "case" and d.facts == case.description
    timeline = dispute_timeline(d, community_staff)
    sources = [e.source for e in timeline]
    assert sources[0] == "case" and "dispute" in sources  # the case's report first
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)  # one timeline, in time order
    assert [(e.source, e.kind) for e in timeline][-2:] == [("dispute", "file"), ("case", "comment")]
    case_events = case_timeline(case, community_staff)
    assert any(d.number in e.note for e in case_events if e.kind == "comment")
    with pytest.raises(Refused):
        dispute_from_case(actor=community_staff, case_id=case.pk, kind="neighbour", parties=PARTIES)


def test_only_whoever_sees_the_case(case, outsider):
    with pytest.raises(NotFound):
        dispute_from_case(actor=outsider, case_id=case.pk, kind="neighbour", parties=PARTIES)


def test_from_the_form_by_case_number(client, case, community_staff):
    client.force_login(community_staff)
    r = client.post(reverse("mediation:dispute_new"), {
        "kind": "neighbour", "case": case.number, "facts": "x", "applicant_name": "王建国", "source": "walk_in",
        "risk": "low"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="event-case"' in page and 'data-testid="event-dispute"' in page
    r = client.post(reverse("mediation:dispute_new"), {
        "kind": "neighbour", "case": "2099-000000-999999", "facts": "x", "applicant_name": "王建国",
        "source": "walk_in", "risk": "low"})
    assert r.status_code == 422
