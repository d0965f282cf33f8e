# ruff: noqa: S608  (trigger SQL built from the migrations' own constants, never from input)
"""Database triggers that make a table append-only below the application: no UPDATE, no DELETE (and on
PostgreSQL no TRUNCATE). Used by the migrations of the ledgers (points entries, service hours); the audit
log has its own triggers (it allows deleting archived rows).

A migration module builds its triggers with ``AppendOnly(table, message)`` and exposes ``TABLE``,
``SQLITE_UP`` and ``SQLITE_DOWN`` for the test runner's ``flush`` (which lifts them for the flush, see
``AppConfig.append_only_triggers``). The SQL of a table's triggers must not change once migrated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import migrations, models


@dataclass(frozen=True)
class AppendOnly:
    table: str
    message: str

    @property
    def sqlite_up(self) -> list[str]:
        t, m = self.table, self.message
        return [
            f"""CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t}
       BEGIN SELECT RAISE(ABORT, '{m}'); END""",
            f"""CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t}
       BEGIN SELECT RAISE(ABORT, '{m}'); END""",
        ]

    @property
    def sqlite_down(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.table}_no_update",
            f"DROP TRIGGER IF EXISTS {self.table}_no_delete",
        ]

    @property
    def pg_up(self) -> list[str]:
        t, m = self.table, self.message
        return [
            f"""CREATE OR REPLACE FUNCTION {t}_guard() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '{m}'; END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {t}_guard BEFORE UPDATE OR DELETE ON {t}
       FOR EACH ROW EXECUTE FUNCTION {t}_guard()""",
            f"""CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
       FOR EACH STATEMENT EXECUTE FUNCTION {t}_guard()""",
        ]

    @property
    def pg_down(self) -> list[str]:
        t = self.table
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}",
            f"DROP TRIGGER IF EXISTS {t}_guard ON {t}",
            f"DROP FUNCTION IF EXISTS {t}_guard()",
        ]

    def _run(self, schema_editor, *, up: bool) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = self.pg_up if up else self.pg_down
        elif vendor == "sqlite":
            statements = self.sqlite_up if up else self.sqlite_down
        else:
            return
        for sql in statements:
            schema_editor.execute(sql)

    def operation(self) -> migrations.RunPython:
        """The migration operation: the triggers forward, dropped backward."""
        return migrations.RunPython(
            lambda apps, schema_editor: self._run(schema_editor, up=True),
            lambda apps, schema_editor: self._run(schema_editor, up=False),
        )


@dataclass(frozen=True)
class Redactable(AppendOnly):
    """Append-only, except that the anonymisation after the retention period (``linli.privacy``) may blank
    the free-text columns named in ``redactable`` — only those, and only inside a transaction that holds a
    ``core_redaction`` row (``redaction()``; the row is deleted before the commit, so no other transaction
    ever sees it). Every other column (amounts, person, time, source) must stay as it was: PostgreSQL
    compares the whole row without the redactable columns, SQLite compares the ``kept`` columns (listed
    here; ``linli/privacy/tests/test_coverage.py`` fails when the table gains a column not listed).
    DELETE and TRUNCATE stay refused."""

    redactable: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    @property
    def sqlite_up(self) -> list[str]:
        t, m = self.table, self.message
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in self.kept)
        return [
            f"""CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t}
       WHEN NOT EXISTS (SELECT 1 FROM core_redaction) OR {changed}
       BEGIN SELECT RAISE(ABORT, '{m}'); END""",
            f"""CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t}
       BEGIN SELECT RAISE(ABORT, '{m}'); END""",
        ]

    @property
    def pg_up(self) -> list[str]:
        t, m = self.table, self.message
        cols = ", ".join(f"'{c}'" for c in self.redactable)
        return [
            f"""CREATE OR REPLACE FUNCTION {t}_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM core_redaction)
            AND (to_jsonb(NEW) - ARRAY[{cols}]) = (to_jsonb(OLD) - ARRAY[{cols}]) THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION '{m}';
       END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {t}_guard BEFORE UPDATE OR DELETE ON {t}
       FOR EACH ROW EXECUTE FUNCTION {t}_guard()""",
            f"""CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
       FOR EACH STATEMENT EXECUTE FUNCTION {t}_guard()""",
        ]

    def replacing(self, previous: AppendOnly) -> migrations.RunPython:
        """The migration operation that replaces ``previous``'s triggers with these (and back)."""

        def swap(schema_editor, old: AppendOnly, new: AppendOnly) -> None:
            old._run(schema_editor, up=False)
            new._run(schema_editor, up=True)

        return migrations.RunPython(
            lambda apps, schema_editor: swap(schema_editor, previous, self),
            lambda apps, schema_editor: swap(schema_editor, self, previous),
        )


@contextmanager
def redaction() -> Iterator[None]:
    """Inside (and only inside a transaction): the redactable columns of the append-only tables may be
    blanked by this transaction (``Redactable``; the audit log's ``actor_name``, ``target_repr`` and
    ``detail``). Used by the anonymisation after the retention period, nothing else."""
    from django.db import connection

    from linli.core.models import Redaction

    if not connection.in_atomic_block:
        raise RuntimeError("redaction() must run inside a transaction")
    row = Redaction.objects.create()
    try:
        yield
    finally:
        Redaction.objects.filter(pk=row.pk).delete()


def redact(queryset: Any, **values: Any) -> int:
    """``UPDATE`` of an append-only model's redactable columns (its ``redactable_fields``), inside
    ``redaction()``; any other column is refused here, and by the database's triggers."""
    model = queryset.model
    allowed = set(getattr(model, "redactable_fields", ()))
    if not values.keys() <= allowed:
        raise ValueError(f"{model._meta.label}: only {sorted(allowed)} may be redacted, not {sorted(values)}")
    return models.QuerySet.update(queryset, **values)
