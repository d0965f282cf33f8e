"""The substring index of the registry: "contains" search by name or address without reading every person.

Both databases index trigrams (three consecutive characters): pg_trgm (a GIN index) on PostgreSQL, an
FTS5 table with the trigram tokenizer on SQLite. A trigram index cannot answer a search shorter than
three characters, and most Chinese names are two or three characters long (张三, given name 三丰). So
the indexed text is the *doubled* text: every character written twice, ``张三丰`` → ``张张三三丰丰``.
A search for ``q`` becomes a search for ``double(q)`` in it; that is exact (``double(q)`` occurs in
``double(t)`` exactly when ``q`` occurs in ``t``), and a two-character search is a four-character one,
with trigrams. A one-character search still reads the rows (``selectors.search_q``).

The indexed text of a person is ``double(lower(name | current_address | registered_address))``:
``|`` separates the fields, so no search (which never contains ``|``) matches across two of them.

- PostgreSQL: the SQL function ``residents_search_text(name, current, registered)`` (IMMUTABLE) and the
  expression index ``residents_person_search`` (GIN, ``gin_trgm_ops``) on it; the query compares the
  same expression with ``LIKE``, so the index is always current, with nothing to keep in sync.
- SQLite: the contentless FTS5 table ``residents_person_search`` (rowid = person id), kept in sync by
  triggers on ``residents_person`` that call ``residents_search_text``, a Python function registered on
  every connection Django opens (``register_sqlite_function``). A connection that writes persons
  without it (the ``sqlite3`` shell) is refused with "no such function": nothing gets out of step.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, Q, TextField
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Contains

FUNCTION = "residents_search_text"
TABLE = "residents_person_search"
SEPARATOR = "|"
# The shortest search the index answers (two characters, doubled: four, two trigrams).
MIN_CHARS = 2


def double(text: str) -> str:
    return "".join(c + c for c in text)


def search_text(name: str | None, current_address: str | None, registered_address: str | None) -> str:
    """The indexed text of one person (the Python twin of the SQL function)."""
    return double(SEPARATOR.join((name or "", current_address or "", registered_address or "")).lower())


def clean_term(term: str) -> str:
    return term.replace(SEPARATOR, "").lower()


def indexed(term: str) -> bool:
    return len(clean_term(term)) >= MIN_CHARS


def terms_q(terms: list[str], vendor: str) -> Q:
    """Persons whose name or address contains every term (each at least MIN_CHARS long)."""
    terms = [clean_term(t) for t in terms]
    if vendor == "postgresql":
        expr = Func(F("name"), F("current_address"), F("registered_address"), function=FUNCTION,
                    output_field=TextField())
        cond = Q()
        for term in terms:
            cond &= Q(Contains(expr, double(term)))
        return cond
    # FTS5: one MATCH of quoted phrases, all of which must occur (a phrase of the trigram tokenizer is
    # a substring; a double quote inside is written twice).
    phrase = " ".join('"' + double(t).replace('"', '""') + '"' for t in terms)
    return Q(pk__in=RawSQL("SELECT rowid FROM residents_person_search WHERE residents_person_search MATCH %s",  # noqa: S611
                           [phrase]))


# --- SQLite: the Python function and the FTS5 table -----------------------------------------------------


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: make residents_search_text known to every SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 3, search_text, deterministic=True)


SQLITE_TRIGGERS = [
    """CREATE TRIGGER residents_person_search_ai AFTER INSERT ON residents_person BEGIN
        INSERT INTO residents_person_search(rowid, text)
        VALUES (NEW.id, residents_search_text(NEW.name, NEW.current_address, NEW.registered_address));
    END""",
    """CREATE TRIGGER residents_person_search_ad AFTER DELETE ON residents_person BEGIN
        INSERT INTO residents_person_search(residents_person_search, rowid, text)
        VALUES ('delete', OLD.id, residents_search_text(OLD.name, OLD.current_address, OLD.registered_address));
    END""",
    """CREATE TRIGGER residents_person_search_au
        AFTER UPDATE OF name, current_address, registered_address ON residents_person BEGIN
        INSERT INTO residents_person_search(residents_person_search, rowid, text)
        VALUES ('delete', OLD.id, residents_search_text(OLD.name, OLD.current_address, OLD.registered_address));
        INSERT INTO residents_person_search(rowid, text)
        VALUES (NEW.id, residents_search_text(NEW.name, NEW.current_address, NEW.registered_address));
    END""",
]
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS residents_person_search_ai",
    "DROP TRIGGER IF EXISTS residents_person_search_ad",
    "DROP TRIGGER IF EXISTS residents_person_search_au",
]
SQLITE_EMPTY = "INSERT INTO residents_person_search(residents_person_search) VALUES ('delete-all')"
SQLITE_FILL = ("INSERT INTO residents_person_search(rowid, text) "
               "SELECT id, residents_search_text(name, current_address, registered_address) FROM residents_person")

POSTGRES_FUNCTION = r"""CREATE OR REPLACE FUNCTION residents_search_text(
        name text, current_address text, registered_address text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(lower(coalesce(name, '') || '|' || coalesce(current_address, '')
                                || '|' || coalesce(registered_address, '')), '(.)', '\1\1', 'g')
$$"""
POSTGRES_INDEX = ("CREATE INDEX IF NOT EXISTS residents_person_search ON residents_person USING gin "
                  "((residents_search_text(name, current_address, registered_address)) gin_trgm_ops)")


def create(schema_editor: Any) -> None:
    """Create the index (the migration; the bench's bulk loads after dropping it)."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        execute(POSTGRES_FUNCTION)
        execute(POSTGRES_INDEX)
    elif schema_editor.connection.vendor == "sqlite":
        execute("CREATE VIRTUAL TABLE IF NOT EXISTS residents_person_search "
                "USING fts5(text, tokenize='trigram', content='')")
        execute(SQLITE_FILL)
        for sql in SQLITE_TRIGGERS:
            execute(sql)


def drop(schema_editor: Any) -> None:
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute("DROP INDEX IF EXISTS residents_person_search")
        execute("DROP FUNCTION IF EXISTS residents_search_text(text, text, text)")
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP_TRIGGERS:
            execute(sql)
        execute("DROP TABLE IF EXISTS residents_person_search")


def sqlite_suspend(cursor: Any) -> None:
    """Bulk loads (bench/scale.py): stop the per-row triggers; ``sqlite_rebuild`` fills the table after."""
    for sql in SQLITE_DROP_TRIGGERS:
        cursor.execute(sql)
    cursor.execute(SQLITE_EMPTY)


def sqlite_rebuild(cursor: Any) -> None:
    cursor.execute(SQLITE_EMPTY)
    cursor.execute(SQLITE_FILL)
    for sql in SQLITE_TRIGGERS:
        cursor.execute(sql)
