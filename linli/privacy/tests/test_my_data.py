"""我的数据 (PIPL Art. 45): a logged-in resident sees everything the community holds about them, on the page
and through ``GET /api/v1/me/data``, and takes a copy as JSON or Excel; every copy is audited. The ID
number and phone stay masked, household members are other people (masked names), and nothing of
another resident shows."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from linli.accounts.tests.conftest import bearer, issue_token
from linli.core.models import AuditEntry
from linli.core.testing.personas import make_user

from .conftest import ID_NUMBER, NAME, PHONE, login


@pytest.fixture
def filed_case(me, categories):
    from linli.cases.actions import case_create

    return case_create(actor=me.user, category=categories["MUNI.STREETLIGHT"], title="楼下路灯不亮",
                       description="1栋楼下的路灯坏了", place=me.house, channel="snapshot")


@pytest.fixture
def categories(db):
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Category

    categories_restore_default()
    return {c.code: c for c in Category.objects.all()}


def _no_full_numbers(text: str) -> None:
    assert ID_NUMBER not in text
    assert ID_NUMBER[6:14] not in text  # the birth date digits
    assert PHONE not in text


def test_my_data_page_shows_my_registration_masked(client, me, filed_case):
    login(client, me.user)
    response = client.get("/my/data")
    assert response.status_code == 200
    page = response.content.decode()
    assert NAME in page
    assert "杭州市西湖区文三路8号" in page
    assert "明月小区" in page  # the house
    assert "独居老人" in page and "低保" in page  # my tags, the sensitive one too (my own data)
    assert "司马*" in page and "司马秀英" not in page  # a household member: masked name only
    assert "138****2222" in page
    assert "****************" + ID_NUMBER[-2:] in page
    assert filed_case.number in page and "楼下路灯不亮" in page
    _no_full_numbers(page)


def test_my_data_page_for_an_unlinked_account_says_so(client, world):
    user = make_user("lonely", "resident", place=world.grid_a, phone="13700000000")
    login(client, user)
    response = client.get("/my/data")
    assert response.status_code == 200
    assert 'data-testid="not-linked"' in response.content.decode()
    assert client.get("/my/data/download.json").status_code == 404
    assert not AuditEntry.objects.filter(action="privacy.my_data_download").exists()


def test_my_data_needs_a_login(client, db):
    response = client.get("/my/data")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_json_download_is_complete_masked_and_audited(client, me, filed_case):
    login(client, me.user)
    response = client.get("/my/data/download.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    _no_full_numbers(text)
    data = json.loads(text)
    assert data["person_id"] == me.person.pk
    keys = [s["key"] for s in data["sections"]]
    assert keys[:4] == ["person", "household", "houses", "tags"]
    assert {"cases", "orders", "wishes", "points", "hours", "volunteering", "applications", "visits"} <= set(keys)
    person = data["sections"][0]["rows"][0]
    assert person["name"] == NAME and person["phone"] == "138****2222" and person["month_of_birth"] == "1950-03"
    cases = next(s for s in data["sections"] if s["key"] == "cases")
    assert [r["number"] for r in cases["rows"]] == [filed_case.number]
    row = AuditEntry.objects.get(action="privacy.my_data_download")
    assert row.actor_id == me.user.pk and row.detail["format"] == "json"
    assert row.target_id == str(me.person.pk) and NAME not in row.target_repr


def test_excel_download_has_a_sheet_per_section_and_is_audited(client, me, filed_case):
    login(client, me.user)
    response = client.get("/my/data/download.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(wb.sheetnames) >= 13  # 12 sections and the correction requests
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert NAME in cells and filed_case.number in cells and "138****2222" in cells
    _no_full_numbers(" ".join(cells))
    assert AuditEntry.objects.filter(action="privacy.my_data_download", detail__format="xlsx").count() == 1


def test_unknown_download_format_is_404_and_not_audited(client, me):
    login(client, me.user)
    assert client.get("/my/data/download.csv").status_code == 404
    assert not AuditEntry.objects.filter(action="privacy.my_data_download").exists()


def test_nothing_of_another_resident_shows(client, me, world):
    from linli.residents.actions import person_create

    other = person_create(actor=None, name="皇甫其他", place=me.house, phone="13955556666")
    make_user("other_res", "resident", place=world.grid_a, phone="13955556666")
    login(client, me.user)
    page = client.get("/my/data").content.decode()
    json_text = client.get("/my/data/download.json").content.decode()
    for text in (page, json_text):
        assert other.name not in text and "13955556666" not in text and "139****6666" not in text


def test_api_me_data_returns_sections_and_audits(client, me, filed_case):
    token = issue_token(me.user)
    response = client.get("/api/v1/me/data", **bearer(token))
    assert response.status_code == 200
    data = response.json()
    assert data["person_id"] == me.person.pk
    assert data["sections"][0]["columns"][0] == {"key": "name", "label": "姓名"}
    _no_full_numbers(response.content.decode())
    assert AuditEntry.objects.filter(action="privacy.my_data_download", actor=me.user, detail__format="json").exists()


def test_api_me_data_for_an_unlinked_account_answers_the_one_error_shape(client, world):
    user = make_user("lonely_api", "resident", place=world.grid_a)
    response = client.get("/api/v1/me/data", **bearer(issue_token(user)))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_linked" and body["message"] and body["fields"] == {}


def test_api_me_data_needs_authentication(client, db):
    response = client.get("/api/v1/me/data")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_my_data_is_reachable_from_the_resident_home_and_the_menu(client, me):
    login(client, me.user)
    home = client.get("/").content.decode()
    assert home.count('href="/my/data"') >= 2  # the home tile and the account menu
