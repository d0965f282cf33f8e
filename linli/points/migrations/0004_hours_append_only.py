"""Database triggers that make the service-hours ledger append-only below the application, like the
points ledger (0002): no UPDATE, no DELETE (and on PostgreSQL no TRUNCATE) of ``points_hoursentry``.

The test-suite's ``flush`` (linli/core/management/commands/flush.py) lifts these triggers for the flush
through ``PointsConfig.append_only_triggers``."""

from django.db import migrations

TABLE = "points_hoursentry"
SQLITE_UP = [
    """CREATE TRIGGER points_hoursentry_no_update BEFORE UPDATE ON points_hoursentry
       BEGIN SELECT RAISE(ABORT, 'the hours ledger is append-only'); END""",
    """CREATE TRIGGER points_hoursentry_no_delete BEFORE DELETE ON points_hoursentry
       BEGIN SELECT RAISE(ABORT, 'the hours ledger is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS points_hoursentry_no_update",
    "DROP TRIGGER IF EXISTS points_hoursentry_no_delete",
]
PG_UP = [
    """CREATE OR REPLACE FUNCTION points_hoursentry_guard() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the hours ledger is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER points_hoursentry_guard BEFORE UPDATE OR DELETE ON points_hoursentry
       FOR EACH ROW EXECUTE FUNCTION points_hoursentry_guard()""",
    """CREATE TRIGGER points_hoursentry_no_truncate BEFORE TRUNCATE ON points_hoursentry
       FOR EACH STATEMENT EXECUTE FUNCTION points_hoursentry_guard()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS points_hoursentry_no_truncate ON points_hoursentry",
    "DROP TRIGGER IF EXISTS points_hoursentry_guard ON points_hoursentry",
    "DROP FUNCTION IF EXISTS points_hoursentry_guard()",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for sql in PG_UP if vendor == "postgresql" else SQLITE_UP:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for sql in PG_DOWN if vendor == "postgresql" else SQLITE_DOWN:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("points", "0003_default_rules")]
    operations = [migrations.RunPython(up, down)]
