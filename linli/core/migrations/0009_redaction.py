"""The redaction window (``core.Redaction``) and the audit log's triggers that honour it: the audit log stays
append-only (no UPDATE, DELETE only of archived rows past the minimum retention), except that a transaction
holding a ``core_redaction`` row (the anonymisation after the retention period, ``core.append_only.redaction``)
may rewrite ``actor_name``, ``target_repr`` and ``detail`` — and nothing else — of a row. The test-suite's
``flush`` reads ``SQLITE_UP``/``SQLITE_DOWN`` from here (``linli/core/management/commands/flush.py``)."""

from importlib import import_module

from django.db import migrations, models

OLD = import_module("linli.core.migrations.0002_audit_append_only")

TABLE = "core_auditentry"
REDACTABLE = ("actor_name", "target_repr", "detail")
KEPT = ("id", "at", "actor_id", "action", "target_type", "target_id", "ip", "user_agent", "result")

SQLITE_UP = [
    f"""CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       WHEN NOT EXISTS (SELECT 1 FROM core_redaction) OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in KEPT)}
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    OLD.SQLITE_UP[1],
]
SQLITE_DOWN = OLD.SQLITE_DOWN
_COLS = ", ".join(f"'{c}'" for c in REDACTABLE)
PG_GUARD = f"""CREATE OR REPLACE FUNCTION core_auditentry_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           IF EXISTS (SELECT 1 FROM core_redaction)
              AND (to_jsonb(NEW) - ARRAY[{_COLS}]) = (to_jsonb(OLD) - ARRAY[{_COLS}]) THEN
             RETURN NEW;
           END IF;
           RAISE EXCEPTION 'the audit log is append-only';
         END IF;
         IF OLD.at > now() - interval '180 days' THEN
           RAISE EXCEPTION 'the audit log is append-only';
         END IF;
         RETURN OLD;
       END $$ LANGUAGE plpgsql"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN + SQLITE_UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(OLD.PG_UP[0])
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN + OLD.SQLITE_UP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_taskrun_one_active"),
    ]

    operations = [
        migrations.CreateModel(
            name="Redaction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(up, down),
    ]
