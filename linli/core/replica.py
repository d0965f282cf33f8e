"""Reads from a standby where they pay, with read-your-writes.

With ``DATABASE_REPLICA_URL`` set (docs/deploy.md), the views that only report (the KPI pages and their
export, the registry and ledger exports, the public board, Open311 reads) are wrapped in
``@replica_reads``: their queries go to the ``replica`` alias. Everything else (worklists, actions,
access checks, the user's scope and permissions, every write and every read inside a transaction) stays
on the primary. Without a replica the decorator does nothing.

Read-your-writes: a request that changed something (any method but GET/HEAD/OPTIONS) leaves the
primary's WAL position in a signed cookie (``linli_lsn``, a minute). A later replica-eligible request
carrying it asks the standby how far it has replayed (``pg_last_wal_replay_lsn()``); when the standby is
behind, that request reads from the primary. The writer never sees a state older than their own write;
everybody else may read a standby that lags by its replay delay. API clients that keep no cookie get the
same guarantee for the object they just created: ``replica_or_primary`` looks an object up on the
standby and, when it is not there yet, on the primary.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections

logger = logging.getLogger("linli.core.replica")

REPLICA = "replica"
COOKIE = "linli_lsn"
COOKIE_SALT = "linli.replica.lsn"
COOKIE_SECONDS = 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reads: contextvars.ContextVar[str | None] = contextvars.ContextVar("linli_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads go to the replica only inside ``replica_reads`` and outside any transaction on the primary;
    writes and migrations always go to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reads.get()
        if alias is None or connections["default"].in_atomic_block:
            return "default"
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


@contextmanager
def reading_from(alias: str | None) -> Iterator[None]:
    token = _reads.set(alias)
    try:
        yield
    finally:
        _reads.reset(token)


def _lsn_value(lsn: str) -> int:
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def primary_lsn() -> str | None:
    if connections["default"].vendor != "postgresql":
        return None
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_caught_up(lsn: str) -> bool:
    """The standby has replayed the primary's WAL up to ``lsn`` (False when it cannot say)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            replayed = cursor.fetchone()[0]
    except DatabaseError:
        logger.warning("replica unreachable: reading from the primary", exc_info=True)
        return False
    if replayed is None:  # not a standby (or a promoted one): it has everything it will ever have
        return True
    return _lsn_value(replayed) >= _lsn_value(lsn)


def _written_lsn(request) -> str | None:
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        return signing.loads(raw, salt=COOKIE_SALT, max_age=COOKIE_SECONDS)
    except signing.BadSignature:
        return None


def alias_for(request) -> str:
    """Where this request's reports read from: the replica, unless the client wrote something the
    replica has not replayed yet."""
    if not replica_configured() or request.method not in SAFE_METHODS:
        return "default"
    lsn = _written_lsn(request)
    if lsn is not None and not replica_caught_up(lsn):
        return "default"
    return REPLICA


def replica_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a reporting view's reads on the replica (see the module's docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        alias = alias_for(request)
        if alias == "default":
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            # The user's scope and permissions are access checks: read on the primary, before the switch.
            getattr(user, "scope", None)
            getattr(user, "perms", None)
        request.linli_read_alias = alias
        with reading_from(alias):
            return view(request, *args, **kwargs)

    return wrapped


def replica_or_primary(lookup: Callable[[], Any]) -> Any:
    """``lookup()`` as routed now; when it finds nothing (None) under ``replica_reads``, again on the
    primary: the object an API client has just created is found even before the standby replays it."""
    found = lookup()
    if found is None and _reads.get() == REPLICA:
        with reading_from(None):
            found = lookup()
    return found


class ReplicaWriteMarkMiddleware:
    """After a request that may have written, remember the primary's WAL position in a signed cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if replica_configured() and request.method not in SAFE_METHODS and response.status_code < 500:
            try:
                lsn = primary_lsn()
            except DatabaseError:
                lsn = None
            if lsn is not None:
                response.set_cookie(
                    COOKIE, signing.dumps(lsn, salt=COOKIE_SALT), max_age=COOKIE_SECONDS, httponly=True,
                    samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
                )
        return response
