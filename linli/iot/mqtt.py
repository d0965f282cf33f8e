"""Readings over MQTT: the long-running ingest behind ``linli iot-ingest`` and the topic layout.

Each device publishes on its own topic ``<prefix>/devices/<code>/readings`` (QoS 1) a JSON payload
``{"value": 31.5, "unit": "%LEL", "time": "2026-12-06T20:00:00+08:00"}`` (``time`` optional; a list of
such objects is a batch). In production the broker authenticates each device (a password and an ACL per
device restricting it to its own topic); the ingest drops readings of unknown, inactive or revoked devices.

How nothing delivered is lost:

- the ingest's session is persistent (a fixed client id, one per database unless ``MQTT_CLIENT_ID`` names
  it; ``clean_session=False``) and subscribes with
  QoS 1, so the broker keeps the messages for it while it is away;
- acknowledgements are manual: a message is acknowledged (PUBACK) only after the transaction that stored
  it has committed, so a crash or a lost connection before that makes the broker deliver it again;
- messages are stored in batches (``batch`` messages or ``flush_s`` seconds, whichever first) through
  ``readings_ingest`` (one transaction per batch); a database error leaves the batch unacknowledged and
  it is retried;
- the network loop reconnects by itself (1 s to 30 s back-off) and resubscribes on every connect;
- a message delivered again (after a reconnect) whose reading carries a time is recognised and stored
  once (the last 50,000 keys are remembered); one without a time may be stored twice (at least once).

``start()`` loads the URL conf before it connects: a raised alarm's case notices name the case's page, and
the first ``reverse()`` in a process imports every URL module and builds the API's schemas (1–20 s by the
machine's load), which the first alarm paid inside its transaction, with every reading of its batch
waiting behind it (bench/iot_ingest.py's alarm-to-case latency).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

logger = logging.getLogger("linli.iot.mqtt")

SEEN_MAX = 50_000
DEVICE_TTL_S = 30.0


def mqtt_settings() -> dict[str, Any]:
    prefix = getattr(settings, "LINLI_MQTT_PREFIX", "linli")
    return {
        "host": getattr(settings, "LINLI_MQTT_HOST", "127.0.0.1"),
        "port": int(getattr(settings, "LINLI_MQTT_PORT", 1883)),
        "prefix": prefix,
        "username": getattr(settings, "LINLI_MQTT_USERNAME", "") or None,
        "password": getattr(settings, "LINLI_MQTT_PASSWORD", "") or None,
        "client_id": getattr(settings, "LINLI_MQTT_CLIENT_ID", "") or default_client_id(prefix),
    }


def default_client_id(prefix: str, db: dict[str, Any] | None = None) -> str:
    """The ingest's fixed client id (the broker keeps its QoS-1 session while it is away): one per database,
    so that two installations on one broker (two checkouts on a developer's machine) do not take each
    other's session and kick each other off every second, while a restarted ingest finds its own."""
    conf: Any = settings.DATABASES["default"] if db is None else db
    where = "|".join(str(conf.get(k, "")) for k in ("ENGINE", "HOST", "PORT", "NAME"))
    return f"linli-iot-ingest-{prefix}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def reading_topic(prefix: str, code: str) -> str:
    return f"{prefix}/devices/{code}/readings"


def code_of(topic: str, prefix: str) -> str | None:
    head = f"{prefix}/devices/"
    if not topic.startswith(head) or not topic.endswith("/readings"):
        return None
    code = topic[len(head): -len("/readings")]
    return code if code and "/" not in code else None


def new_client(client_id: str, *, clean_session: bool, manual_ack: bool = False, username: str | None = None,
               password: str | None = None) -> Any:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_session,
                         protocol=mqtt.MQTTv311, manual_ack=manual_ack)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    if username:
        client.username_pw_set(username, password)
    return client


@dataclass
class _Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0
    dropped: int = 0
    duplicates: int = 0
    acked: int = 0
    connects: int = 0
    db_errors: int = 0
    last_error: str = ""
    started: float = field(default_factory=time.monotonic)


class MqttIngest:
    """Subscribe, store in batches, acknowledge after commit. ``start()`` connects in the background;
    ``run(stop)`` stores until ``stop`` is set (or ``until()`` is true); ``close()`` flushes and leaves."""

    def __init__(self, *, host: str, port: int, prefix: str, client_id: str = "linli-iot-ingest", batch: int = 2000,
                 flush_s: float = 0.2, username: str | None = None, password: str | None = None):
        self.host, self.port, self.prefix = host, port, prefix
        self.batch, self.flush_s = max(1, batch), max(0.01, flush_s)
        self.stats = IngestStats()
        self.connected = threading.Event()
        # The network thread appends, the storing thread takes all there is at once (no lock per message);
        # ``_arrived`` wakes the storing thread when it waits on an empty inbox.
        self._inbox: deque[_Message] = deque()
        self._arrived = threading.Event()
        self._generation = 0
        self._devices: dict[str, tuple[float, int | None, str]] = {}
        self._seen: OrderedDict[tuple[int, str, float], None] = OrderedDict()
        self._pending: list[_Message] = []
        self.client = new_client(client_id, clean_session=False, manual_ack=True, username=username, password=password)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # --- the network thread -------------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connect refused: %s", reason_code)
            return
        self._generation += 1
        self.stats.connects += 1
        client.subscribe(f"{self.prefix}/devices/+/readings", qos=1)
        logger.info("MQTT connected to %s:%s (session present: %s)", self.host, self.port, flags.session_present)
        self.connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        logger.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        self._inbox.append(_Message(message.topic, bytes(message.payload), message.mid, message.qos, self._generation))
        if not self._arrived.is_set():
            self._arrived.set()

    # --- the storing thread -------------------------------------------------------------------------

    def start(self) -> None:
        from django.urls import get_resolver

        get_resolver().reverse_dict  # noqa: B018 (loads the URL conf now, not in the first alarm's transaction)
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def run(self, stop: threading.Event | None = None, until: Callable[[], bool] | None = None) -> None:
        stop = stop or threading.Event()
        while not stop.is_set() and not (until is not None and until()):
            self.step()

    def step(self) -> int:
        """Collect up to ``batch`` messages (waiting at most ``flush_s``), store them, acknowledge them."""
        deadline = time.monotonic() + self.flush_s
        while self._take() < self.batch:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._arrived.clear()
            if not self._inbox:  # anything appended before the clear is taken; after it, it sets the event
                self._arrived.wait(remaining)
        return self.flush()

    def _take(self) -> int:
        """Move what has arrived into the pending batch (up to ``batch``); returns the batch's size."""
        inbox, pending = self._inbox, self._pending
        while inbox and len(pending) < self.batch:
            pending.append(inbox.popleft())
        return len(pending)

    def flush(self) -> int:
        self._take()
        if not self._pending:
            return 0
        batch = self._pending
        try:
            stored = self._store(batch)
        except DatabaseError as exc:  # keep the batch: it is retried, and the broker still holds it
            self.stats.db_errors += 1
            self.stats.last_error = str(exc)[:200]
            logger.exception("storing %d readings failed; retrying", len(batch))
            close_old_connections()
            time.sleep(1)
            return 0
        self._pending = []
        generation = self._generation
        for m in batch:
            if m.qos and m.generation == generation:  # an older connection's id means nothing now
                self.client.ack(m.mid, m.qos)
                self.stats.acked += 1
        return stored

    def _devices_of(self, codes: set[str]) -> dict[str, tuple[int | None, str]]:
        """code -> (device id or None, unit) for the codes of a batch: remembered for ``DEVICE_TTL_S``, the
        missing and expired ones asked in one query. Only the mapping is remembered: whether the device
        is active and its token not revoked is checked again by ``readings_ingest`` under its lock."""
        from linli.iot.models import Device

        now = time.monotonic()
        out: dict[str, tuple[int | None, str]] = {}
        stale: list[str] = []
        for code in codes:
            hit = self._devices.get(code)
            if hit is not None and now - hit[0] < DEVICE_TTL_S:
                out[code] = (hit[1], hit[2])
            else:
                stale.append(code)
        if stale:
            found = {code: (pk, unit) for code, pk, unit in Device.objects.filter(
                code__in=stale, active=True, token_revoked_at__isnull=True).values_list("code", "pk", "unit")}
            if len(self._devices) > 100_000:
                self._devices.clear()
            for code in stale:
                pk, unit = found.get(code, (None, ""))
                self._devices[code] = (now, pk, unit)
                out[code] = (pk, unit)
        return out

    def _store(self, batch: list[_Message]) -> int:
        from linli.core.errors import Invalid
        from linli.iot.actions import reading_parse, readings_ingest
        from linli.iot.actions.ingest import ReadingIn

        now = timezone.now()
        items: list[ReadingIn] = []
        keys: list[tuple[int, str, float]] = []
        self.stats.received += len(batch)
        codes = [code_of(m.topic, self.prefix) for m in batch]
        devices = self._devices_of({c for c in codes if c})
        for m, code in zip(batch, codes, strict=True):
            device_id, unit = devices[code] if code else (None, "")
            if device_id is None:
                self.stats.dropped += 1
                continue
            try:
                data = orjson.loads(m.payload)
                for one in data if isinstance(data, list) else [data]:
                    value, u, at = reading_parse(one, now=now)
                    key = (device_id, at.isoformat(), value)
                    if isinstance(one, dict) and one.get("time") not in (None, "") and (key in self._seen or key in keys):
                        self.stats.duplicates += 1
                        continue
                    items.append(ReadingIn(device_id, value, u or unit, at))
                    if isinstance(one, dict) and one.get("time") not in (None, ""):
                        keys.append(key)
            except (orjson.JSONDecodeError, Invalid, TypeError) as exc:
                self.stats.dropped += 1
                logger.info("dropped a reading on %s: %s", m.topic, exc)
        stored = readings_ingest(items, now=now).stored if items else 0
        for key in keys:
            self._seen[key] = None
        while len(self._seen) > SEEN_MAX:
            self._seen.popitem(last=False)
        self.stats.stored += stored
        self.stats.dropped += len(items) - stored  # revoked or deactivated since they were looked up
        return stored


def iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat()
