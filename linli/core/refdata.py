"""Reference data cached in each process, dropped everywhere when the data changes.

Hot paths (the intake's routing) read the same few rows on every request: the place tree, who holds
which role where, the categories. A reader keeps what it computed in a process-local dict under a
*topic* ("places", "roles", ...); the actions that change such data call ``refdata_changed(topic)``
inside their transaction. Then:

- this process forgets the topic at once (its own transaction reads its own writes: until it ends, that
  transaction keeps what it computes in a store of its own, dropped at its next change of the topic or
  when a savepoint that held a change rolls back);
- after the commit a new version of the topic is written to the shared cache (Redis in production), so
  every other process forgets it at its next read; a rollback changes nothing (the local copy is just
  rebuilt);
- no process keeps an entry longer than ``LINLI_REFDATA_SECONDS``: with a shared cache that only guards
  a version lost on its way (600 s by default), without one (the local memory cache of a single server)
  it is how late the other processes see a change (30 s by default). A reader that needs many rows
  (every grid's workers) keeps them under one key, computed by one query on a miss.

    value = refdata_get(("places", "roles"), ("route", place_id), compute)

A reader passes every topic its value depends on; ``compute()`` runs only on a miss. Values must be
plain data (ids, names, tuples), never model instances that a caller could change.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

_KEY = "linli:refdata:v:%s"
_local = threading.local()
_lock = threading.Lock()
# topics -> (their versions when read, time read, {key: value})
_store: dict[tuple[str, ...], tuple[tuple[str, ...], float, dict[Hashable, Any]]] = {}
_seen: set[str] = set()  # the topics read in this process (refdata_held reads all their versions at once)


def _seconds() -> float:
    return float(getattr(settings, "LINLI_REFDATA_SECONDS", 30))  # config/settings.py: 600 with Redis


def _dirty() -> set[str]:
    if not hasattr(_local, "dirty"):
        _local.dirty = set()
    return _local.dirty


def _versions(topics: tuple[str, ...]) -> tuple[str, ...]:
    held = getattr(_local, "held", None)
    if held is not None:  # inside refdata_held(): each topic's version read once
        if all(t in held for t in topics):
            return tuple(held[t] for t in topics)
        _seen.update(topics)
        wanted = tuple(sorted(_seen.difference(held)))  # every topic read so far: one round trip a block
        held.update(zip(wanted, _read_versions(wanted), strict=True))
        return tuple(held[t] for t in topics)
    return _read_versions(topics)


@contextlib.contextmanager
def refdata_held() -> Iterator[None]:
    """Within the block, each topic's version is read from the shared cache once, and every topic this
    process has read so far in the same round trip (a hot path that makes several lookups, the intake's
    seven over three topics, pays one round trip instead of one per lookup). A change made in the block is
    still seen at once (``refdata_changed`` drops the held versions too)."""
    outer = getattr(_local, "held", None)
    if outer is None:
        _local.held = {}
    try:
        yield
    finally:
        if outer is None:
            _local.held = None


def _read_versions(topics: tuple[str, ...]) -> tuple[str, ...]:
    found = cache.get_many([_KEY % t for t in topics])
    out = []
    for t in topics:
        version = found.get(_KEY % t)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(_KEY % t, version, timeout=None):
                version = cache.get(_KEY % t) or version
        out.append(str(version))
    return tuple(out)


def _marks() -> dict[str, tuple[int, Callable[[], None]]]:
    """topic -> where its latest change in this transaction registered its on-commit bump."""
    if not hasattr(_local, "marks"):
        _local.marks = {}
    return _local.marks


def _own() -> dict[tuple[str, ...], tuple[tuple[Any, ...], dict[Hashable, Any]]]:
    """The values computed inside a transaction that changed their topics: topics -> (marks, values)."""
    if not hasattr(_local, "own"):
        _local.own = {}
    return _local.own


def _forget_own(topics: Any) -> None:
    own = _own()
    for key in [t for t in own if set(t) & set(topics)]:
        own.pop(key, None)


def _in_transaction(topics: tuple[str, ...], key: Hashable, compute: Callable[[], Any]) -> Any:
    """The value for a transaction that changed data of ``topics``: computed from what it wrote, kept until
    its next change of a topic. A savepoint's rollback discards the on-commit bumps registered inside it,
    and with them the latest change's mark: then nothing is kept (a value may hold rows that are gone)."""
    pending = connections[DEFAULT_DB_ALIAS].run_on_commit
    marks = _marks()
    latest = tuple(marks.get(t) for t in topics)
    for mark in latest:
        if mark is not None and not (mark[0] < len(pending) and pending[mark[0]][1] is mark[1]):
            return compute()
    own = _own()
    state = own.get(topics)
    if state is None or state[0] != latest:
        state = (latest, {})
        own[topics] = state
    values = state[1]
    if key not in values:
        values[key] = compute()
    return values[key]


def refdata_get(topics: tuple[str, ...], key: Hashable, compute: Callable[[], Any]) -> Any:
    """The cached value of ``key`` (which depends on ``topics``), computing it on a miss."""
    dirty = _dirty()
    if dirty and dirty.intersection(topics):
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return _in_transaction(topics, key, compute)  # this transaction changed the data
        dirty.difference_update(topics)  # rolled back (a commit clears the mark)
        _forget_own(topics)
        for topic in topics:
            _marks().pop(topic, None)
    versions = _versions(topics)
    now = time.monotonic()
    state = _store.get(topics)
    if state is None or state[0] != versions or now - state[1] > _seconds():
        state = (versions, now, {})
        with _lock:
            _store[topics] = state
    values = state[2]
    if key in values:
        return values[key]
    value = compute()
    values[key] = value
    return value


def _forget_local(topic: str) -> None:
    with _lock:
        for topics in [t for t in _store if topic in t]:
            _store.pop(topics, None)


def refdata_changed(*topics: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Data of these topics changed in the current transaction (call it from the action)."""
    dirty = _dirty()
    connection = connections[using]
    held = getattr(_local, "held", None)
    for topic in topics:
        _forget_local(topic)
        if held is not None:
            held.pop(topic, None)
        if connection.in_atomic_block:
            dirty.add(topic)
    _forget_own(topics)

    def bump() -> None:
        held_now = getattr(_local, "held", None)
        for topic in topics:
            _forget_local(topic)
            cache.set(_KEY % topic, uuid.uuid4().hex, timeout=None)
            if held_now is not None:
                held_now.pop(topic, None)
            _dirty().discard(topic)
            _marks().pop(topic, None)
        _forget_own(topics)

    transaction.on_commit(bump, using=using)
    if connection.in_atomic_block and using == DEFAULT_DB_ALIAS:
        at = len(connection.run_on_commit) - 1
        for topic in topics:
            _marks()[topic] = (at, bump)


def refdata_clear() -> None:
    """Forget everything in this process (tests)."""
    with _lock:
        _store.clear()
    _dirty().clear()
    _marks().clear()
    _own().clear()
    if getattr(_local, "held", None) is not None:
        _local.held.clear()
