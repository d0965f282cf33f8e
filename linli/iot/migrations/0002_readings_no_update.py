"""Readings are append-only below the application: no UPDATE (DELETE stays: the prune removes raw rows
past the retention once rolled up). SQLite and PostgreSQL each get their own trigger."""

from django.db import migrations

TABLE = "iot_reading"
MESSAGE = "iot readings are append-only"
SQLITE_UP = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update"]
PG_UP = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_guard() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$ LANGUAGE plpgsql""",
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {TABLE}_guard()",
]
PG_DOWN = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE}", f"DROP FUNCTION IF EXISTS {TABLE}_guard()"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("iot", "0001_devices_readings_alarms")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
