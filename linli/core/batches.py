"""Long reads in batches by keyset, without server-side cursors.

Django's ``QuerySet.iterator()`` opens a server-side cursor on PostgreSQL. Through PgBouncer in
transaction mode (docs/deploy.md) the cursor lives on a server connection that the next FETCH may not
get, so every long read (exports, recomputations, index builds) walks by primary key instead: each batch
is one short ``WHERE pk > last ORDER BY pk LIMIT n`` query, in constant memory, on any database and
through any pooler.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

DEFAULT_BATCH = 2000


def keyset_batches(qs: QuerySet[Any], size: int = DEFAULT_BATCH, *, descending: bool = False) -> Iterator[list[Any]]:
    """The rows of ``qs`` in batches of at most ``size``, ordered by primary key (newest first with
    ``descending``). Works for model instances, ``values()`` and ``values_list()`` querysets: the
    primary key is read from each batch's last row (``values_list`` must then select ``pk`` first)."""
    if size < 1:
        raise ValueError("size must be positive")
    order = "-pk" if descending else "pk"
    last: Any = None
    while True:
        page = qs
        if last is not None:
            page = page.filter(pk__lt=last) if descending else page.filter(pk__gt=last)
        rows = list(page.order_by(order)[:size])
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = _pk_of(rows[-1])


def keyset_iter(qs: QuerySet[Any], size: int = DEFAULT_BATCH, *, descending: bool = False) -> Iterator[Any]:
    """The rows of ``qs`` one by one, read in keyset batches (see ``keyset_batches``)."""
    for rows in keyset_batches(qs, size, descending=descending):
        yield from rows


def _pk_of(row: Any) -> Any:
    if isinstance(row, dict):
        return row.get("pk", row.get("id"))
    if isinstance(row, tuple | list):
        return row[0]
    if hasattr(row, "pk"):
        return row.pk
    return row  # values_list("pk", flat=True)


def keyset_page(
    qs: QuerySet[Any], *, after: int | None = None, size: int = 50, max_size: int = 200, ascending: bool = False
) -> tuple[list[Any], int | None]:
    """One page of ``qs``, newest first by primary key (oldest first if ``ascending``: a catalog in the
    order it was made), and the ``after`` of the next page (None at the end). The set is never counted:
    one row more than the page says there is more."""
    size = max(1, min(int(size or 50), max_size))
    if after:
        qs = qs.filter(pk__gt=after) if ascending else qs.filter(pk__lt=after)
    rows = list(qs.order_by("pk" if ascending else "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (_pk_of(rows[-1]) if more and rows else None)
