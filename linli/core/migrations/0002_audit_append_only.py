"""Database triggers that make the audit log append-only below the application too: no UPDATE ever,
and DELETE only of rows older than the minimum retention (180 days), which is what archiving does."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER core_auditentry_no_recent_delete BEFORE DELETE ON core_auditentry
       WHEN OLD.at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-180 days')
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_recent_delete",
]
PG_UP = [
    """CREATE OR REPLACE FUNCTION core_auditentry_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'the audit log is append-only';
         END IF;
         IF OLD.at > now() - interval '180 days' THEN
           RAISE EXCEPTION 'the audit log is append-only';
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_guard BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_guard()""",
    """CREATE OR REPLACE FUNCTION core_auditentry_no_truncate() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_no_truncate()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_guard ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_no_truncate()",
    "DROP FUNCTION IF EXISTS core_auditentry_guard()",
]


def up(apps, schema_editor):
    statements = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    if schema_editor.connection.vendor not in ("postgresql", "sqlite"):
        return
    for sql in statements:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    statements = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
