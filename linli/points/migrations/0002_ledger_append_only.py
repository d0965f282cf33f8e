"""Database triggers that make the points ledger append-only below the application: no UPDATE, no
DELETE (and on PostgreSQL no TRUNCATE) of ``points_pointsentry``. Corrections are reversing entries.

The test-suite's ``flush`` (linli/core/management/commands/flush.py) lifts these triggers for the flush
through ``PointsConfig.append_only_triggers``."""

from django.db import migrations

from linli.core.append_only import AppendOnly

TRIGGERS = AppendOnly("points_pointsentry", "the points ledger is append-only")
TABLE, SQLITE_UP, SQLITE_DOWN = TRIGGERS.table, TRIGGERS.sqlite_up, TRIGGERS.sqlite_down


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [TRIGGERS.operation()]
