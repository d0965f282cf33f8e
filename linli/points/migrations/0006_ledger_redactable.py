"""The points ledger stays append-only, except that the anonymisation after the retention period may blank
an entry's ``note`` and ``actor_name`` (``core.append_only.Redactable``: only inside its redaction window;
amounts, person, rule, source, place and time never change). Read by the test-suite's ``flush``."""

from importlib import import_module

from django.db import migrations

from linli.core.append_only import Redactable

PREVIOUS = import_module("linli.points.migrations.0002_ledger_append_only").TRIGGERS
TRIGGERS = Redactable(
    "points_pointsentry", "the points ledger is append-only", redactable=("note", "actor_name"),
    kept=("id", "person_id", "amount", "kind", "rule_id", "area", "source", "place_path", "reverses_id", "actor_id",
          "at"),
)
TABLE, SQLITE_UP, SQLITE_DOWN = TRIGGERS.table, TRIGGERS.sqlite_up, TRIGGERS.sqlite_down


class Migration(migrations.Migration):
    dependencies = [("points", "0005_selection_events"), ("core", "0009_redaction")]
    operations = [TRIGGERS.replacing(PREVIOUS)]
