"""Lookups the domain adds to Django's.

``<path field>__prefix="/1/4/"``: the rows whose text starts with the given text, written so that the
database answers it from the column's ordinary B-tree index:
- PostgreSQL (and any other backend): the same SQL as ``startswith`` (``LIKE 'p%'``), which the
  ``varchar_pattern_ops`` indexes of the path and pinyin columns serve;
- SQLite: ``col >= 'p' AND col < 'p⁺'`` (p with its last character incremented). SQLite compares text
  byte-wise (BINARY collation), so the range holds exactly the strings that start with p, and an
  ordinary index serves it. ``startswith`` compiles to ``LIKE … ESCAPE '\\'`` there, which SQLite never
  answers from a BINARY index: its LIKE optimisation needs ``case_sensitive_like`` or a NOCASE index.
"""

from __future__ import annotations

from django.db.models import CharField
from django.db.models.lookups import StartsWith

_MAX_CHAR = 0x10FFFF


@CharField.register_lookup
class Prefix(StartsWith):
    lookup_name = "prefix"

    def as_sql(self, compiler, connection):
        return compiler.compile(StartsWith(self.lhs, self.rhs))

    def as_sqlite(self, compiler, connection):
        value = self.rhs
        if not self.rhs_is_direct_value() or not isinstance(value, str) or not value or ord(value[-1]) >= _MAX_CHAR:
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        upper = value[:-1] + chr(ord(value[-1]) + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", (*lhs_params, value, *lhs_params, upper)
