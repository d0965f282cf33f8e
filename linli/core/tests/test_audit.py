import gzip
import json
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from linli.accounts.actions import user_create
from linli.accounts.models import User
from linli.core.audit import audit_record
from linli.core.errors import PermissionDenied
from linli.core.models import AppendOnlyError, AuditEntry, CalendarDay
from linli.core.pii import pii_reveal

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


def old_entry(days: float, action: str = "test.old") -> AuditEntry:
    """An audit row written ``days`` ago (inserting with an old time is allowed)."""
    return AuditEntry.objects.create(at=timezone.now() - timedelta(days=days), action=action, actor_name="t")


def raw(sql: str, params=()) -> None:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


# --- writing ---------------------------------------------------------------------------------------------


def test_audit_record_masks_personal_data(db):
    entry = audit_record(
        action="test.note",
        target_type="x",
        target_repr=f"张三 {ID_NUMBER}",
        detail={"text": f"电话 {PHONE}", "nested": [{"id": ID_NUMBER}], "n": 3},
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.target_repr == "张三 ****************2X"
    assert entry.detail["text"] == "电话 139****5678"
    assert entry.detail["nested"] == [{"id": "****************2X"}]
    assert entry.detail["n"] == 3
    assert entry.actor is None and entry.detail["channel"] == "system"


# --- append-only -----------------------------------------------------------------------------------------


def test_audit_entry_cannot_be_changed_or_deleted_through_the_app(db):
    entry = audit_record(action="test.x")
    entry.action = "test.y"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.y")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.update_or_create(pk=entry.pk, defaults={"action": "test.y"})
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.x"


def test_audit_delete_archived_refuses_young_cutoff(db):
    old_entry(400)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete_archived(before=timezone.now())
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete_archived(before=timezone.now() - timedelta(days=179))
    assert AuditEntry.objects.count() == 1


def test_database_trigger_refuses_raw_update(db):
    young, old = audit_record(action="test.x"), old_entry(400)
    for entry in (young, old):
        with pytest.raises(DatabaseError):
            raw("UPDATE {table} SET action = %s WHERE id = %s", ["test.changed", entry.pk])
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"test.x", "test.old"}


def test_database_trigger_refuses_raw_delete_of_recent_row(db):
    young, middle = audit_record(action="test.x"), old_entry(179)
    for entry in (young, middle):
        with pytest.raises(DatabaseError):
            raw("DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.count() == 2


def test_database_trigger_allows_raw_delete_of_row_past_retention(db):
    entry = old_entry(181)
    raw("DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_trigger_refuses_truncate(db):
    audit_record(action="test.x")
    with pytest.raises(DatabaseError):
        raw("TRUNCATE {table}")
    assert AuditEntry.objects.count() == 1


def test_deleting_a_user_leaves_their_audit_rows(db):
    user = user_create(username="leaver", password="Test-pass-2026", actor=None)
    audit_record(action="test.x", actor=user)
    User.objects.filter(pk=user.pk).delete()
    entry = AuditEntry.objects.get(action="test.x")
    assert entry.actor_id == user.pk and entry.actor_name == "leaver"


def test_flush_lifts_the_triggers_and_restores_the_calendar(transactional_db):
    audit_record(action="test.x")
    CalendarDay.objects.filter(date__year=2026).delete()
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    assert CalendarDay.objects.filter(date=date(2026, 2, 14), kind="workday").exists()
    assert CalendarDay.objects.count() > 60
    # The triggers are back.
    entry = audit_record(action="test.y")
    with pytest.raises(DatabaseError):
        raw("DELETE FROM {table} WHERE id = %s", [entry.pk])


def test_flush_reads_one_or_several_trigger_modules_per_app():
    from types import SimpleNamespace

    from linli.core.management.commands.flush import _trigger_modules

    assert _trigger_modules(SimpleNamespace()) == []
    assert _trigger_modules(SimpleNamespace(append_only_triggers="a.m0002")) == ["a.m0002"]
    several = SimpleNamespace(append_only_triggers=["a.m0002", "a.m0004"])
    assert _trigger_modules(several) == ["a.m0002", "a.m0004"]
    assert _trigger_modules(SimpleNamespace(append_only_triggers=("a.m0002",))) == ["a.m0002"]


def test_flush_is_refused_in_production(db, settings):
    settings.PRODUCTION = True
    audit_record(action="test.x")
    with pytest.raises(CommandError, match="production"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 1


# --- archiving -------------------------------------------------------------------------------------------


def read_archive(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_audit_archive_moves_exactly_the_rows_past_retention(db, tmp_path, capsys):
    ancient, old = old_entry(400, "test.ancient"), old_entry(200, "test.old")
    old_too = AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=190), action="test.old2", actor_name="t", target_repr="王五",
        detail={"k": "值"},
    )
    young, fresh = old_entry(179, "test.young"), audit_record(action="test.fresh")
    call_command("audit_archive", "--out", str(tmp_path), "--batch-size", "2")
    out = capsys.readouterr().out
    assert "Archived 3 audit rows" in out
    files = list(tmp_path.glob("audit-before-*.jsonl.gz"))
    assert len(files) == 1
    assert oct(files[0].stat().st_mode & 0o777) == oct(0o600)
    rows = read_archive(files[0])
    assert [r["id"] for r in rows] == [ancient.pk, old.pk, old_too.pk]
    assert rows[2]["action"] == "test.old2" and rows[2]["detail"] == {"k": "值"} and rows[2]["target_repr"] == "王五"
    assert set(rows[0]) == {"id", "at", "actor_id", "actor_name", "action", "target_type", "target_id",
                            "target_repr", "ip", "user_agent", "result", "detail"}
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert {young.pk, fresh.pk} <= remaining
    assert not remaining & {ancient.pk, old.pk, old_too.pk}
    summary = AuditEntry.objects.get(action="core.audit_archive")
    assert summary.detail["rows"] == 3 and summary.detail["file"] == files[0].name


def test_audit_archive_respects_a_longer_retention(db, tmp_path, settings):
    settings.LINLI_AUDIT_RETENTION_DAYS = 365
    ancient, old = old_entry(400, "test.ancient"), old_entry(200, "test.old")
    out = tmp_path / "a.jsonl.gz"
    call_command("audit_archive", "--out", str(out))
    assert [r["id"] for r in read_archive(out)] == [ancient.pk]
    assert AuditEntry.objects.filter(pk=old.pk).exists()
    with pytest.raises(CommandError, match="at least 365"):
        call_command("audit_archive", "--days", "200")


def test_audit_archive_refuses_less_than_180_days(db, settings):
    settings.LINLI_AUDIT_RETENTION_DAYS = 30
    old_entry(100)
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit_archive", "--days", "90")
    call_command("audit_archive")
    assert AuditEntry.objects.count() == 1


def test_audit_archive_with_nothing_old_writes_no_file(db, tmp_path, capsys):
    audit_record(action="test.fresh")
    call_command("audit_archive", "--out", str(tmp_path))
    assert "nothing archived" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_audit_archive_refuses_to_overwrite(db, tmp_path):
    old_entry(400)
    out = tmp_path / "a.jsonl.gz"
    out.write_bytes(b"x")
    with pytest.raises(CommandError, match="exists"):
        call_command("audit_archive", "--out", str(out))
    assert AuditEntry.objects.count() == 1


# --- the admin -------------------------------------------------------------------------------------------


def admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_audit_admin_is_read_only_for_everyone(system_admin, audit_admin, security_admin, community_staff):
    model_admin = admin.site._registry[AuditEntry]
    for user in (system_admin, audit_admin, security_admin, community_staff):
        request = admin_request(user)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(admin_request(audit_admin))
    for user in (system_admin, security_admin, community_staff):
        assert not model_admin.has_view_permission(admin_request(user))
        assert not model_admin.has_module_permission(admin_request(user))


def test_calendar_admin_is_for_the_system_admin(system_admin, audit_admin, community_staff):
    model_admin = admin.site._registry[CalendarDay]
    assert model_admin.has_change_permission(admin_request(system_admin))
    for user in (audit_admin, community_staff):
        assert not model_admin.has_view_permission(admin_request(user))


def staff_client(client, user):
    User.objects.filter(pk=user.pk).update(is_staff=True, totp_enabled=True)
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_system_admin_does_not_see_the_audit_log_in_the_admin(client, system_admin):
    staff_client(client, system_admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "/admin/core/calendarday/" in index.content.decode()
    assert "/admin/core/auditentry/" not in index.content.decode()
    assert client.get("/admin/core/auditentry/").status_code == 403
    entry = audit_record(action="test.x")
    assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 403


def test_audit_admin_reads_but_cannot_delete_in_the_admin(client, audit_admin):
    staff_client(client, audit_admin)
    entry = audit_record(action="test.x", target_repr=f"x {PHONE}")
    listing = client.get("/admin/core/auditentry/")
    assert listing.status_code == 200
    assert "139****5678" in listing.content.decode() and PHONE not in listing.content.decode()
    assert AuditEntry.objects.filter(action="core.audit_view", actor=audit_admin).count() == 1
    assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/core/auditentry/add/", {"action": "fake"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_calendar_admin_saves_through_the_action(client, system_admin):
    staff_client(client, system_admin)
    response = client.post("/admin/core/calendarday/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    entry = AuditEntry.objects.get(action="core.calendar_day_set")
    assert entry.actor_id == system_admin.pk and entry.target_id == str(day.pk)
    refused = client.post("/admin/core/calendarday/add/", {"date": "2027-01-04", "kind": "workday", "name": "x"})
    assert refused.status_code == 200
    assert not CalendarDay.objects.filter(date=date(2027, 1, 4)).exists()
    response = client.post(f"/admin/core/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEntry.objects.filter(action="core.calendar_day_delete", actor=system_admin).count() == 1


# --- unmasking -------------------------------------------------------------------------------------------


@pytest.fixture
def citizen(db):
    user = user_create(username="citizen", password="Test-pass-2026", actor=None, phone=PHONE)
    user.id_number = ID_NUMBER
    user.save(update_fields=["id_number", "id_number_hash"])
    return user


def test_pii_reveal_returns_plaintext_and_writes_one_audit_row(citizen, community_staff):
    before = AuditEntry.objects.count()
    value = pii_reveal(actor=community_staff, obj=citizen, field="id_number", perm="registry.unmask", reason="核对身份")
    assert value == ID_NUMBER
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "pii.unmask" and entry.result == "ok"
    assert entry.actor_id == community_staff.pk
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(citizen.pk))
    assert entry.detail["field"] == "id_number" and entry.detail["reason"] == "核对身份"
    assert ID_NUMBER not in json.dumps(entry.detail) and ID_NUMBER not in entry.target_repr


def test_pii_reveal_refused_without_the_permission(citizen, grid_worker_a, system_admin):
    for actor in (grid_worker_a, system_admin, None):
        with pytest.raises(PermissionDenied):
            pii_reveal(actor=actor, obj=citizen, field="phone", perm="registry.unmask")
    denied = AuditEntry.objects.filter(action="pii.unmask")
    assert denied.count() == 3 and set(denied.values_list("result", flat=True)) == {"denied"}


def test_pii_reveal_only_for_encrypted_fields(citizen, community_staff):
    with pytest.raises(ValueError):
        pii_reveal(actor=community_staff, obj=citizen, field="username", perm="registry.unmask")
    assert not AuditEntry.objects.filter(action="pii.unmask").exists()
