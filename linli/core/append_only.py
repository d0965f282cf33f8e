"""Database triggers that make a table append-only below the application: no UPDATE, no DELETE (and on
PostgreSQL no TRUNCATE). Used by the migrations of the ledgers (points entries, service hours); the audit
log has its own triggers (it allows deleting archived rows).

A migration module builds its triggers with ``AppendOnly(table, message)`` and exposes ``TABLE``,
``SQLITE_UP`` and ``SQLITE_DOWN`` for the test runner's ``flush`` (which lifts them for the flush, see
``AppConfig.append_only_triggers``). The SQL of a table's triggers must not change once migrated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations


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
