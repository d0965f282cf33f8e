"""The queues show the work: the desk lists what waits for verification (已反馈) and closing (已评价);
the 督办 list holds supervised cases, not only overdue ones; a department's 已办结 holds the summons it
answered; 吹哨 names an instruction and a deadline for each department."""

from __future__ import annotations

import pytest

from linli.cases.actions import case_transition
from linli.cases.worklists import worklist_page
from linli.core.errors import Invalid

pytestmark = pytest.mark.django_db


def _numbers(user, name, **kw):
    rows, _more = worklist_page(user, name, **kw)
    return {r["number"] for r in rows}


def test_desk_lists_cases_to_verify_and_to_close(case_in_state, actors):
    to_verify = case_in_state("reported_back")
    to_close = case_in_state("rated")
    new = case_in_state("reported")
    elsewhere = case_in_state("handling")
    desk = _numbers(actors["staff"], "dispatch")
    assert {to_verify.number, to_close.number, new.number} <= desk
    assert elsewhere.number not in desk
    assert _numbers(actors["staff"], "dispatch", status="rated") == {to_close.number}


def test_desk_close_after_rating_counts_in_the_close_rate(case_in_state, actors):
    from linli.cases.kpi import kpi_table

    case = case_in_state("rated")
    case_transition(case=case, name="close", actor=actors["staff"], data={})
    [row] = kpi_table(user=None, by="all")
    assert row["closed"] == 1 and row["close_rate"] == 1.0


def test_supervision_list_holds_supervised_cases_not_only_overdue(case_in_state, actors):
    supervised = case_in_state("handling")
    plain = case_in_state("handling")
    case_transition(case=supervised, name="supervise", actor=actors["supervisor"],
                    data={"note": "请加快", "due": "2099-01-01"})
    listed = _numbers(actors["supervisor"], "supervise")
    assert supervised.number in listed and plain.number not in listed


def test_department_done_holds_answered_summons(case_in_state, actors, world):
    case = case_in_state("handling", summoned=True)
    assert case.number in _numbers(actors["dept"], "department")
    case_transition(case=case, name="summon_answer", actor=actors["dept"], data={"reply": "已到场处置"})
    assert case.number not in _numbers(actors["dept"], "department")
    assert case.number in _numbers(actors["dept"], "department_done")


def test_summon_without_an_instruction_is_refused_and_writes_nothing(case_in_state, actors, world):
    from linli.cases.models import CaseEvent, CaseSummons

    case = case_in_state("handling")
    events = CaseEvent.objects.count()
    with pytest.raises(Invalid) as err:
        case_transition(case=case, name="summon", actor=actors["staff"],
                        data={"summons": [{"department": world.department.pk, "instruction": "  "}]})
    assert "summons" in err.value.fields
    assert CaseSummons.objects.count() == 0 and CaseEvent.objects.count() == events


def test_summon_from_the_case_page_with_an_instruction_and_deadline_each(client, case_in_state, actors, world):
    from linli.accounts.actions import department_create
    from linli.cases.models import CaseSummons

    other = department_create(name="市场监管所", code="D-MARKET", actor=None)
    case = case_in_state("handling")
    client.force_login(actors["staff"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'name="instruction_{other.pk}"' in page and f'name="due_{other.pk}"' in page
    client.post(f"/cases/{case.pk}/act/summon", {
        "summon_department": [world.department.pk, other.pk],
        f"instruction_{world.department.pk}": "清运垃圾", f"due_{world.department.pk}": "2099-03-01",
        f"instruction_{other.pk}": "检查食品摊点", f"due_{other.pk}": "2099-03-02",
    })
    rows = {s.department_id: (s.instruction, s.due.date().isoformat()) for s in CaseSummons.objects.filter(case=case)}
    assert rows == {world.department.pk: ("清运垃圾", "2099-03-01"), other.pk: ("检查食品摊点", "2099-03-02")}
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "检查食品摊点" in page  # the instruction is shown on the case


def test_staff_homes_count_what_waits_and_link_to_the_list(client, case_in_state, actors):
    import re

    case_in_state("reported_back")
    case_in_state("rated")
    case_in_state("rated")
    supervised = case_in_state("handling")
    case_transition(case=supervised, name="supervise", actor=actors["supervisor"],
                    data={"note": "请加快", "due": "2099-01-01"})
    summoned = case_in_state("handling", summoned=True)
    assert summoned

    def counts(user):
        client.force_login(user)
        body = client.get("/").content.decode()
        found = re.findall(r'href="([^"]+)" data-testid="count">\s*<div class="card-body[^"]*">\s*'
                           r'<div class="[^"]*">([^<]+)</div>\s*<div class="small text-body">([^<]+)</div>', body)
        return {label: (int(n), url) for url, n, label in found}

    staff = counts(actors["staff"])
    assert staff["待核查"][0] == 1 and staff["待结案"][0] == 2
    assert staff["待结案"][1] == "/cases/dispatch?status=rated"
    assert client.get(staff["待结案"][1]).status_code == 200
    assert counts(actors["supervisor"])["已督办"][0] == 1
    assert counts(actors["dept"])["被吹哨"][0] == 1
    # A count's list shows exactly the counted cases.
    client.force_login(actors["staff"])
    listed = _numbers(actors["staff"], "dispatch", status="rated")
    assert len(listed) == staff["待结案"][0]
