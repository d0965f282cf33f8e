"""The service-hours ledger stays append-only, except that the anonymisation after the retention period may
blank an entry's ``note`` and ``actor_name`` (``core.append_only.Redactable``; hours, person, source, place
and dates never change). Read by the test-suite's ``flush``."""

from importlib import import_module

from django.db import migrations

from linli.core.append_only import Redactable

PREVIOUS = import_module("linli.points.migrations.0004_hours_append_only").TRIGGERS
TRIGGERS = Redactable(
    "points_hoursentry", "the hours ledger is append-only", redactable=("note", "actor_name"),
    kept=("id", "person_id", "hours", "kind", "source", "place_path", "occurred_on", "actor_id", "created_at"),
)
TABLE, SQLITE_UP, SQLITE_DOWN = TRIGGERS.table, TRIGGERS.sqlite_up, TRIGGERS.sqlite_down


class Migration(migrations.Migration):
    dependencies = [("points", "0006_ledger_redactable")]
    operations = [TRIGGERS.replacing(PREVIOUS)]
