"""The audit log page (audit administrator only), the holiday calendar page, the error pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.tests.conftest import enrol_totp
from linli.core.audit import audit_record
from linli.core.models import AuditEntry, AuditResult


@pytest.fixture
def audit_client(client, audit_admin):
    enrol_totp(audit_admin)
    client.force_login(audit_admin)
    return client


def rows(body: str) -> str:
    return re.search(r'data-testid="audit-table">(.*?)</table>', body, re.S).group(1)


def test_audit_log_shows_entries_to_the_audit_admin(audit_client):
    audit_record(action="accounts.role_assign", actor_name="someone", detail={"role": "grid_worker"})
    body = audit_client.get("/audit/").content.decode()
    assert "审计日志" in body
    assert "授予角色" in rows(body)  # a known action is named in Chinese
    assert "someone" in rows(body)


@pytest.mark.parametrize("persona", ["system_admin", "security_admin"])
def test_audit_log_refuses_the_other_administrators(client, request, persona):
    user = request.getfixturevalue(persona)
    enrol_totp(user)
    client.force_login(user)
    assert client.get("/audit/").status_code == 403


@pytest.mark.parametrize("persona", ["resident", "community_staff", "street_supervisor"])
def test_audit_log_refuses_business_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 403


def test_audit_log_filters_by_action_actor_result_and_dates(audit_client):
    audit_record(action="accounts.login", actor_name="alice", result=AuditResult.DENIED)
    audit_record(action="accounts.login", actor_name="bob")
    audit_record(action="accounts.unlock", actor_name="alice")
    body = rows(audit_client.get("/audit/", {"action": "accounts.login", "result": "denied"}).content.decode())
    assert "alice" in body and "bob" not in body and "accounts.unlock" not in body
    body = rows(audit_client.get("/audit/", {"actor": "alice"}).content.decode())
    assert "accounts.unlock" in body and "bob" not in body
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = rows(audit_client.get("/audit/", {"since": tomorrow}).content.decode())
    assert "alice" not in body and "没有符合条件的记录" in body
    today = timezone.localdate().isoformat()
    body = rows(audit_client.get("/audit/", {"since": today, "until": today, "actor": "bob"}).content.decode())
    assert "bob" in body


def test_audit_log_reports_a_bad_date_in_chinese_instead_of_failing(audit_client):
    response = audit_client.get("/audit/", {"since": "2026-13-45"})
    assert response.status_code == 200
    assert "请按 YYYY-MM-DD 格式输入日期" in response.content.decode()


def test_audit_log_pages_fifty_rows_at_a_time_and_keeps_the_filters(audit_client):
    for i in range(60):
        audit_record(action="accounts.login", actor_name=f"user{i:02d}")
    body = audit_client.get("/audit/", {"action": "accounts.login"}).content.decode()
    assert rows(body).count("<tr>") == 51  # header + 50
    after = re.search(r'href="\?([^"]*)after=(\d+)" data-testid="more"', body)
    assert "action=accounts.login" in after.group(1) and "user00" not in rows(body)
    body = audit_client.get("/audit/", {"action": "accounts.login", "after": after.group(2)}).content.decode()
    assert "user00" in rows(body) and "user59" not in rows(body)


def test_audit_log_shows_personal_data_masked(audit_client):
    audit_record(action="registry.unmask", actor_name="clerk", target_repr="13812345678", detail={"note": "call 13987654321"})
    body = rows(audit_client.get("/audit/").content.decode())
    assert "138****5678" in body and "139****4321" in body
    assert "13812345678" not in body and "13987654321" not in body


def test_viewing_the_audit_log_is_itself_audited(audit_client, audit_admin):
    audit_client.get("/audit/", {"actor": "x"})
    entry = AuditEntry.objects.filter(action="core.audit_view").latest("at")
    assert entry.actor_id == audit_admin.pk
    assert entry.detail["filters"] == {"actor": "x"}


# --- the holiday calendar --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["community_staff", "street_supervisor"])
def test_calendar_shows_holidays_in_red_and_make_up_days_in_blue(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    body = client.get("/calendar/", {"year": 2026}).content.decode()
    assert "2026 年节假日日历" in body
    assert "春节" in body and "国庆节" in body
    # 2026-02-16 (Spring Festival) is a holiday; 2026-02-14 (a Saturday) is worked.
    assert re.search(r'<td class="holiday"[^>]*>16<span class="visually-hidden"> 法定节假日 春节', body)
    assert re.search(r'<td class="workday"[^>]*>14<span class="visually-hidden"> 调休上班日 春节', body)


def test_calendar_for_an_empty_year_says_how_to_load_it(client, community_staff):
    client.force_login(community_staff)
    body = client.get("/calendar/", {"year": 2031}).content.decode()
    assert "尚未载入 2031 年的节假日" in body


def test_calendar_ignores_a_nonsense_year(client, community_staff):
    client.force_login(community_staff)
    assert client.get("/calendar/", {"year": "abc"}).status_code == 200


def test_calendar_refuses_roles_without_it(client, resident, grid_worker_a):
    for user in (resident, grid_worker_a):
        client.force_login(user)
        assert client.get("/calendar/").status_code == 403


# --- error pages --------------------------------------------------------------------------------------------------


def test_404_page_is_in_chinese(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_template_renders_without_a_request(db):
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "系统出了点问题" in html


def test_csrf_failure_page_is_in_chinese(db, resident):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(resident)
    response = csrf_client.post("/accounts/logout")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_audit_details_read_in_the_readers_language(audit_client):
    import linli.cases.workflow  # noqa: F401  (the case spec, as the running site has it)

    audit_record(action="cases.case_rate", actor_name="someone",
                 detail={"from": "verified", "to": "rated", "satisfaction": "satisfied", "solved": True})
    body = rows(audit_client.get("/audit/").content.decode())
    for part in ("起: 已核查", "至: 已评价", "满意度: 满意", "已解决: 是"):  # PostgreSQL's jsonb orders keys its own way
        assert part in body, part
    assert "from: verified" not in body and "satisfaction" not in body


def test_audit_details_of_role_grants_and_reveals_read_in_the_readers_language(audit_client):
    audit_record(action="accounts.role_assign", actor_name="someone", detail={"role": "grid_worker"})
    audit_record(action="pii.unmask", actor_name="someone", detail={"field": "id_number", "perm": "registry.unmask"})
    body = rows(audit_client.get("/audit/").content.decode())
    assert "角色: 网格员" in body and "grid_worker" not in body
    assert "身份证号" in body and "id_number" not in body
