"""Plain SQL for the few reads whose statements cost the ORM more to build than the database to answer:
the big screens ask every 30 s for a dozen small sums (linli/cases/kpi_screen.py, the iot, volunteers
and points figures of linli/dashboards/screen.py; bench/dashboards_screen.py measures them). Written as
the ORM would write them, on both databases:

- ``under(column, path)``: ``startswith`` (``LIKE 'p%'``, with the escape clause SQLite needs);
- ``literals(values)``: known state names written into the statement (SQLite uses a partial index only
  when the query repeats its condition, and a bound parameter never matches the condition's literals);
- ``dt_param``/``dt_value``: a datetime as the ORM sends it, and a datetime column's value as an aware
  datetime (SQLite returns text);
- ``fetch(sql, params)``: every row, ``fetch_one``: the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
