"""Monthly partitions on PostgreSQL for the big append-mostly tables (the audit log, the case events).

On PostgreSQL such a table is partitioned by RANGE on its time column, one partition per calendar month
in the deployment's time zone (``TIME_ZONE``, Asia/Shanghai: a row at 2026-03-31T16:00Z belongs to
April), named ``<table>_pYYYYMM``, plus a DEFAULT partition that catches a row whose month has no
partition yet (when the periodic task that creates them ahead did not run). The model does not know:
Django still sees ``id`` as the primary key (the table's key is ``(id, <column>)``, as PostgreSQL
requires of a partitioned table), and every query works unchanged; a query bounded to one month reads
one partition. On SQLite the tables stay plain tables and every function here does nothing.

- ``partition_table(schema_editor, table, column)``: the migration step that turns a plain table into a
  partitioned one (rows, indexes, foreign keys, identity and triggers kept).
- ``partitions_ensure(months_ahead=3)``: create the partitions of this month and the next ones for every
  partitioned table (the periodic task ``core_partitions_ensure``, and each migration).
- ``partition_detach(table, month)``: detach and drop one month (the audit archive, after writing it;
  the readings' prune, after rolling it up); ``months_before(table, cutoff)``: the months whose partition
  lies wholly before ``cutoff``, the ones such a policy may drop.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.utils import timezone

logger = logging.getLogger("linli.core.partitions")

MONTHS_AHEAD = 3
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _checked(name: str) -> str:
    """Table and column names come from models' meta; refuse anything else before it reaches SQL."""
    if not _NAME.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def month_start(month: int) -> datetime:
    """The first instant of month ``yyyymm`` in the deployment's time zone."""
    year, m = divmod(month, 100)
    return datetime(year, m, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def month_add(month: int, n: int) -> int:
    year, m = divmod(month, 100)
    index = year * 12 + (m - 1) + n
    return (index // 12) * 100 + index % 12 + 1


def month_of(at: datetime) -> int:
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.year * 100 + local.month


def partition_name(table: str, month: int) -> str:
    return f"{_checked(table)}_p{month}"


@dataclass(frozen=True)
class Partition:
    name: str
    month: int | None  # None: the default partition
    rows_estimate: int


def is_partitioned(table: str, *, connection=default_connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
            [table],
        )
        return cursor.fetchone() is not None


def partitioned_tables(*, connection=default_connection) -> dict[str, str]:
    """Every table partitioned by month here: {table: its time column}."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid WHERE c.relnamespace = 'public'::regnamespace"
        )
        out = {}
        for table, keydef in cursor.fetchall():
            match = re.fullmatch(r"RANGE \((\w+)\)", keydef)
            if match:
                out[table] = match.group(1)
        return out


def partitions_of(table: str, *, connection=default_connection) -> list[Partition]:
    if not is_partitioned(table, connection=connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [_checked(table)],
        )
        out = []
        for name, rows, bound in cursor.fetchall():
            match = re.fullmatch(rf"{re.escape(table)}_p(\d{{6}})", name)
            month = int(match.group(1)) if match and bound != "DEFAULT" else None
            out.append(Partition(name=name, month=month, rows_estimate=max(rows, 0)))
        return out


def _bound(month: int) -> str:
    return month_start(month).isoformat(sep=" ")


def _create_month(cursor, table: str, month: int) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {partition_name(table, month)} PARTITION OF {_checked(table)} "  # noqa: S608
        "FOR VALUES FROM (%s) TO (%s)",
        [_bound(month), _bound(month_add(month, 1))],
    )


def partition_month_ensure(table: str, column: str, month: int, *, connection=default_connection) -> bool:
    """Create the partition of ``month`` unless it exists. A month whose rows already fell into the
    default partition keeps them there (creating the partition would fail): logged, False."""
    name = partition_name(table, month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return False
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_checked(table)}_default WHERE {_checked(column)} >= %s "  # noqa: S608
            f"AND {column} < %s)",
            [_bound(month), _bound(month_add(month, 1))],
        )
        if cursor.fetchone()[0]:
            logger.warning("%s: rows of %s are in the default partition; no partition created for it", table, month)
            return False
        _create_month(cursor, table, month)
        return True


def partitions_ensure(months_ahead: int = MONTHS_AHEAD, *, connection=default_connection) -> list[str]:
    """Create this month's partition and the next ``months_ahead`` months' of every partitioned table;
    returns the names created. Nothing on SQLite."""
    created = []
    this_month = month_of(timezone.now())
    for table, column in partitioned_tables(connection=connection).items():
        for n in range(months_ahead + 1):
            month = month_add(this_month, n)
            if partition_month_ensure(table, column, month, connection=connection):
                created.append(partition_name(table, month))
    return created


def months_before(table: str, cutoff: datetime, *, connection=default_connection) -> list[int]:
    """The months (oldest first) whose partition of ``table`` ends at or before ``cutoff``: whole months a
    retention policy may detach. Empty on SQLite."""
    return sorted(
        p.month for p in partitions_of(table, connection=connection)
        if p.month is not None and month_start(month_add(p.month, 1)) <= cutoff
    )


def partition_detach(table: str, month: int, *, connection=default_connection) -> None:
    """Detach the partition of ``month`` and drop it (the caller archived its rows first)."""
    name = partition_name(table, month)
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit (Django makes them deferrable): a row this transaction wrote
        # would leave "pending trigger events" that refuse the drop; check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {_checked(table)} DETACH PARTITION {name}")
        cursor.execute(f"DROP TABLE {name}")


# --- the migration step -----------------------------------------------------------------------------------


def _rename(cursor, table: str, new_name: str) -> None:
    """Rename a table and its primary key (index names are unique in a schema: the new table's key takes
    the old name)."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table]
    )
    row = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {table} RENAME TO {new_name}")
    if row is not None:
        cursor.execute(f"ALTER TABLE {new_name} RENAME CONSTRAINT {_checked(row[0])} TO {new_name}_pkey")


def partition_table(schema_editor, table: str, column: str, *, months_ahead: int = MONTHS_AHEAD) -> None:
    """Turn the plain ``table`` into one partitioned by month on ``column`` (PostgreSQL; nothing on other
    databases), in the migration's transaction: its rows, indexes (same names), foreign keys, identity
    sequence and triggers are kept. Foreign keys that point at ``table`` must be gone first (a partitioned
    table's key includes the partition column)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(table, connection=connection):
        return
    table, column, old = _checked(table), _checked(column), _checked(f"{table}_unpartitioned")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
            [table, table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        triggers = cursor.fetchall()
        cursor.execute(
            "SELECT min(" + column + "), max(id) FROM " + table  # noqa: S608 (checked identifiers)
        )
        first_at, max_id = cursor.fetchone()
        _rename(cursor, table, old)
        for name, _definition in triggers:
            cursor.execute(f"DROP TRIGGER {_checked(name)} ON {old}")
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY) "
            f"PARTITION BY RANGE ({column})"
        )
        cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id, {column})")
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        this_month = month_of(timezone.now())
        month = month_of(first_at) if first_at is not None else this_month
        month = min(month, this_month)
        while month <= month_add(this_month, months_ahead):
            _create_month(cursor, table, month)
            month = month_add(month, 1)
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608
        cursor.execute(f"DROP TABLE {old}")
        # The definitions were read before the rename: they name the table itself.
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_checked(name)} {definition}")
        for _name, definition in triggers:
            cursor.execute(definition)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, max_id or 1, max_id is not None]
        )


def unpartition_table(schema_editor, table: str, column: str) -> None:
    """The reverse of ``partition_table``: a plain table again, with the same rows, indexes, keys and
    triggers."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(table, connection=connection):
        return
    table, old = _checked(table), _checked(f"{table}_partitioned")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
            [table, table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f' AND conparentid = 0",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal AND tgparentid = 0",
            [table],
        )
        triggers = cursor.fetchall()
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608
        max_id = cursor.fetchone()[0]
        _rename(cursor, table, old)
        for name, _definition in triggers:
            cursor.execute(f"DROP TRIGGER {_checked(name)} ON {old}")
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
        )
        cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id)")
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608
        cursor.execute(f"DROP TABLE {old} CASCADE")
        for _name, definition in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_checked(name)} {definition}")
        for _name, definition in triggers:
            cursor.execute(definition)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, max_id or 1, max_id is not None]
        )
