"""Database triggers that make the money ledger append-only below the application: no UPDATE, no DELETE
(and on PostgreSQL no TRUNCATE) of ``deliberation_ledgerentry``. Corrections are further entries.

The test-suite's ``flush`` lifts these triggers for the flush through ``DeliberationConfig.append_only_triggers``."""

from django.db import migrations

from linli.core.append_only import AppendOnly

TRIGGERS = AppendOnly("deliberation_ledgerentry", "the money ledger is append-only")
TABLE, SQLITE_UP, SQLITE_DOWN = TRIGGERS.table, TRIGGERS.sqlite_up, TRIGGERS.sqlite_down


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0003_projects")]
    operations = [TRIGGERS.operation()]
