"""The money ledger stays append-only, except that the anonymisation after the retention period may blank
an entry's ``counterparty``, ``note`` and ``actor_name`` (``core.append_only.Redactable``; amounts, balance,
kind, person and time never change). Read by the test-suite's ``flush``."""

from importlib import import_module

from django.db import migrations

from linli.core.append_only import Redactable

PREVIOUS = import_module("linli.deliberation.migrations.0004_ledger_append_only").TRIGGERS
TRIGGERS = Redactable(
    "deliberation_ledgerentry", "the money ledger is append-only", redactable=("counterparty", "note", "actor_name"),
    kept=("id", "ledger_id", "kind", "amount_fen", "balance_after_fen", "person_id", "actor_id", "at"),
)
TABLE, SQLITE_UP, SQLITE_DOWN = TRIGGERS.table, TRIGGERS.sqlite_up, TRIGGERS.sqlite_down


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0006_honours_think_tank"), ("core", "0009_redaction")]
    operations = [TRIGGERS.replacing(PREVIOUS)]
