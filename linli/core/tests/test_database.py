"""The database set-up of HOUSE_STYLE: SQLite with WAL and IMMEDIATE transactions, PostgreSQL through
psycopg 3."""

import pytest
from django.db import OperationalError, connection, connections, transaction

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")


@pytest.fixture
def file_db(db, tmp_path):
    """Two connections to one SQLite file made from the project's own database settings."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    base = {**connection.settings_dict, "NAME": str(tmp_path / "file.sqlite3")}
    first = DatabaseWrapper(base, alias="file_first")
    # The second waits only briefly for a lock, so that a refused lock shows up fast.
    options = {**base["OPTIONS"], "timeout": 0.1, "init_command": base["OPTIONS"]["init_command"].replace(
        "busy_timeout=10000", "busy_timeout=100")}
    second = DatabaseWrapper({**base, "OPTIONS": options}, alias="file_second")
    connections["file_first"], connections["file_second"] = first, second
    yield first, second
    for alias in ("file_first", "file_second"):
        connections[alias].close()
        del connections[alias]


@sqlite_only
def test_sqlite_file_database_uses_wal_and_normal_sync(file_db):
    first, _ = file_db
    with first.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


@sqlite_only
def test_sqlite_transactions_are_immediate(file_db):
    first, second = file_db
    assert connection.transaction_mode == "IMMEDIATE"
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    with transaction.atomic(using="file_first"):
        # Only a read in the first transaction, yet it holds the write lock from BEGIN on (IMMEDIATE):
        # a second writer is refused at BEGIN instead of failing later in the middle of its work.
        with first.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
        with pytest.raises(OperationalError, match="locked"), transaction.atomic(using="file_second"):
            pass
    # Once the first commits, the second gets in.
    with transaction.atomic(using="file_second"), second.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")


@postgresql_only
def test_postgresql_runs_through_psycopg_3(db):
    import psycopg
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    assert is_psycopg3
    connection.ensure_connection()
    assert isinstance(connection.connection, psycopg.Connection)
    assert psycopg.__version__.startswith("3.")


def test_database_is_the_configured_one(db):
    # SQLite unless DATABASE_URL is set; CI runs the suite once for each.
    import os

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
