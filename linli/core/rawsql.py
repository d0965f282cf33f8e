"""Plain SQL for the few reads whose statements cost the ORM more to build than the database to answer:
the big screens ask every 30 s for a dozen small sums (linli/cases/kpi_screen.py, the iot, volunteers
and points figures of linli/dashboards/screen.py; bench/dashboards_screen.py measures them). Written as
the ORM would write them, on both databases:

- ``under(column, path)``: ``startswith`` (``LIKE 'p%'``, with the escape clause SQLite needs);
- ``literals(values)``: known state names written into the statement (SQLite uses a partial index only
  when the query repeats its condition, and a bound parameter never matches the condition's literals);
- ``dt_param``/``dt_value``: a datetime as the ORM sends it, and a datetime column's value as an aware
  datetime (SQLite returns text);
- ``fetch(sql, params)``: every row, ``fetch_one``: the first;
- ``Read``: a selector's figures as one read that can go out with other apps' reads in one statement
  (``read_together``: the big screen's volunteers, points, visits, disputes, devices and alarms in one
  round trip), or alone (``read_one``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

_LITERAL = re.compile(r"^[a-z_][a-z0-9_]*$")


def under(column: str, path: str) -> tuple[str, list[Any]]:
    """``column`` starts with ``path`` (the SQL of ``__startswith``), and its parameters."""
    escape = " ESCAPE '\\'" if connection.vendor == "sqlite" else ""
    return f"{column} LIKE %s{escape}", [connection.ops.prep_for_like_query(path) + "%"]


def literals(values: Iterable[Any]) -> str:
    """``'a', 'b'`` of known names (lower-case words only: anything else is refused, never quoted)."""
    out = [str(v) for v in values]
    if not out or not all(_LITERAL.match(v) for v in out):
        raise ValueError(out)
    return ", ".join(f"'{v}'" for v in out)


def dt_param(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def dt_value(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)  # SQLite keeps UTC without its zone
    return value


def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return tuple(cur.fetchone())


@dataclass(frozen=True)
class Read:
    """One read of a selector's figures: ``sql`` (with ``params``) gives exactly one row of ``width`` columns
    (sums and counts without GROUP BY), or, for a listing, any number of rows of ``width`` columns whose first
    is never NULL; ``make`` turns the row (a tuple; a listing: a list of tuples) into the figures. A read of
    ``width`` 0 sends nothing (``Read.constant``: a reader who may see nothing)."""

    sql: str
    params: Sequence[Any]
    width: int
    make: Callable[[Any], Any]

    @classmethod
    def constant(cls, value: Any) -> Read:
        return cls("", (), 0, lambda _row: value)


def read_one(read: Read, *, listing: bool = False) -> Any:
    """The figures of ``read`` alone (a listing's rows with ``listing``)."""
    if not read.width:
        return read.make([] if listing else ())
    return read.make(fetch(read.sql, list(read.params)) if listing else fetch_one(read.sql, list(read.params)))


def read_together(reads: Sequence[Read], listing: Read | None = None) -> tuple[list[Any], Any]:
    """The figures of several one-row ``reads`` (and of one ``listing``) in one statement: the rows side by
    side (``CROSS JOIN``: one row), the listing's rows beside them (``LEFT JOIN``: one row of NULLs when it
    has none; its order is not kept, its ``make`` orders). Returns each read's figures in order, and the
    listing's (None without one)."""
    sent = [r for r in reads if r.width]
    tables = [f"({r.sql}) AS q{i}" for i, r in enumerate(sent)]
    params = [p for r in sent for p in r.params]
    sql = " CROSS JOIN ".join(tables)
    listed = listing is not None and listing.width > 0
    if listed:
        assert listing is not None
        sql += f" LEFT JOIN ({listing.sql}) AS l ON 1 = 1" if sql else f"({listing.sql}) AS l"
        params += list(listing.params)
    rows = fetch(f"SELECT * FROM {sql}", params) if sql else []  # noqa: S608 (the selectors' own statements)
    figures, at = [], 0
    for r in reads:
        figures.append(r.make(rows[0][at:at + r.width] if r.width else ()))
        at += r.width
    if listing is None:
        return figures, None
    return figures, listing.make([row[at:] for row in rows if row[at] is not None] if listed else [])
