"""Masked by default; "show full" needs registry.unmask and writes an audit row (pii.unmask)."""

from __future__ import annotations

from linli.core.models import AuditEntry

from .conftest import body, login, xlsx_rows


def test_person_page_is_masked(client, people, community_staff):
    login(client, community_staff)
    content = client.get(f"/registry/persons/{people.zhang.pk}/").content.decode()
    assert people.zhang.id_number not in content
    assert people.zhang.phone not in content
    assert "138****5678" in content


def test_reveal_by_htmx_writes_audit_row(client, people, community_staff):
    login(client, community_staff)
    response = client.post(f"/registry/persons/{people.zhang.pk}/reveal/id_number/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert people.zhang.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action="pii.unmask", actor=community_staff)
    assert entry.detail["field"] == "id_number" and entry.target_id == str(people.zhang.pk)
    assert people.zhang.id_number not in str(entry.detail)


def test_reveal_refused_without_unmask_permission(client, people, grid_worker_a):
    login(client, grid_worker_a)
    content = client.get(f"/registry/persons/{people.zhang.pk}/").content.decode()
    assert "reveal-id_number" not in content  # no button
    response = client.post(f"/registry/persons/{people.zhang.pk}/reveal/id_number/")
    assert response.status_code == 403
    assert people.zhang.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(action="pii.unmask", result="ok").exists()
    assert AuditEntry.objects.filter(action="pii.unmask", result="denied", actor=grid_worker_a).exists()


def test_reveal_out_of_scope_404(client, people, world):
    from linli.core.testing.personas import make_user

    staff_b = make_user("staff_b", "community_staff", place=world.grid_b)
    login(client, staff_b)
    assert client.post(f"/registry/persons/{people.zhang.pk}/reveal/phone/").status_code == 404


def test_api_reveal_audited_and_masked_list(client, people, community_staff):
    login(client, community_staff)
    item = next(i for i in client.get("/api/v1/residents/persons").json()["items"] if i["name"] == "张三")
    assert item["phone"] == "138****5678" and "*" in item["id_number"]
    response = client.post(f"/api/v1/residents/persons/{people.zhang.pk}/reveal",
                           {"field": "phone", "reason": "回访"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["value"] == "13812345678"
    entry = AuditEntry.objects.get(action="pii.unmask")
    assert entry.detail["reason"] == "回访"


def test_api_reveal_refused_for_grid_worker(client, people, grid_worker_a):
    login(client, grid_worker_a)
    response = client.post(f"/api/v1/residents/persons/{people.zhang.pk}/reveal", {"field": "id_number"},
                           content_type="application/json")
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="pii.unmask", result="denied").exists()


def test_export_full_needs_unmask_and_is_audited(client, people, grid_worker_a, community_staff):
    login(client, grid_worker_a)
    assert client.get("/registry/export.xlsx", {"full": "1"}).status_code == 403
    client.logout()
    login(client, community_staff)
    rows = xlsx_rows(body(client.get("/registry/export.xlsx", {"full": "1"})))
    zhang = next(r for r in rows if r[0] == "张三")
    assert zhang[3] == people.zhang.id_number and zhang[4] == "13812345678"
    rows = xlsx_rows(body(client.get("/registry/export.xlsx")))
    zhang = next(r for r in rows if r[0] == "张三")
    assert zhang[3] != people.zhang.id_number and zhang[4] == "138****5678"
    exports = AuditEntry.objects.filter(action="registry.export", actor=community_staff).order_by("id")
    assert [e.detail["full"] for e in exports] == [True, False]
    assert [e.detail["rows"] for e in exports] == [4, 4]
