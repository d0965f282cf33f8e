"""Database triggers that make the points ledger append-only below the application: no UPDATE, no
DELETE (and on PostgreSQL no TRUNCATE) of ``points_pointsentry``. Corrections are reversing entries.

The test-suite's ``flush`` (linli/core/management/commands/flush.py) lifts these triggers for the flush
through ``PointsConfig.append_only_triggers``."""

from django.db import migrations

TABLE = "points_pointsentry"
SQLITE_UP = [
    """CREATE TRIGGER points_pointsentry_no_update BEFORE UPDATE ON points_pointsentry
       BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END""",
    """CREATE TRIGGER points_pointsentry_no_delete BEFORE DELETE ON points_pointsentry
       BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS points_pointsentry_no_update",
    "DROP TRIGGER IF EXISTS points_pointsentry_no_delete",
]
PG_UP = [
    """CREATE OR REPLACE FUNCTION points_pointsentry_guard() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the points ledger is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER points_pointsentry_guard BEFORE UPDATE OR DELETE ON points_pointsentry
       FOR EACH ROW EXECUTE FUNCTION points_pointsentry_guard()""",
    """CREATE TRIGGER points_pointsentry_no_truncate BEFORE TRUNCATE ON points_pointsentry
       FOR EACH STATEMENT EXECUTE FUNCTION points_pointsentry_guard()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS points_pointsentry_no_truncate ON points_pointsentry",
    "DROP TRIGGER IF EXISTS points_pointsentry_guard ON points_pointsentry",
    "DROP FUNCTION IF EXISTS points_pointsentry_guard()",
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
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
