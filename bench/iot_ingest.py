#!/usr/bin/env python3
"""Smart monitoring: the MQTT ingest against a bare paho subscriber in the same run, and the alarm-to-case
latency.

    .venv/bin/python bench/iot_ingest.py [--messages 20000] [--devices 200] [--alarms 100] [--db …] [--json F]

A private Mosquitto on a free loopback port (linli/iot/testing.py; the shared broker is left alone) and a
throwaway database (SQLite under /tmp/linli-bench/ or a PostgreSQL database named ``bench_*``).

1. **bare**: a paho subscriber (QoS 1, the same client settings) only counts the messages; a publisher
   process sends ``--messages`` readings (QoS 1) over ``--devices`` device topics as fast as the broker
   takes them. Rate = messages / (last received - first received).
2. **ingest**: the same publisher run against ``MqttIngest`` (linli iot-ingest's loop): parse, batch,
   ``readings_ingest`` (lock the devices, insert, walk the rules), acknowledge after commit. Rate =
   messages / (last stored - first received). The goal is ingest / bare >= 0.5.
3. **alarm to case**: ``--alarms`` gas detectors each read 30 %LEL 40 s ago (the condition holds since); then
   one decisive reading each is published over MQTT; latency = the case's dispatch to the grid worker
   (its event's time) - the publish time, p50 and p99.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scale  # noqa: E402

PREFIX = "bench"
PUBLISHER = r'''
import sys, time, orjson
sys.path.insert(0, sys.argv[4])
from linli.iot.mqtt import new_client
port, n, devices = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = new_client(f"bench-pub-{time.monotonic_ns()}", clean_session=True)
c.connect("127.0.0.1", port, keepalive=30)
c.loop_start()
infos = []
for i in range(n):
    payload = orjson.dumps({"value": 1.0 + (i % 7) / 10})
    infos.append(c.publish(f"bench/devices/D{i % devices:05d}/readings", payload, qos=1))
for info in infos:
    info.wait_for_publish(timeout=120)
c.disconnect(); c.loop_stop()
'''


def publish(port: int, n: int, devices: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PUBLISHER, str(port), str(n), str(devices),  # noqa: S603
                             str(Path(__file__).resolve().parent.parent)])


def setup(db: str | None, devices: int) -> scale.Target:
    target = scale.resolve_target(db or str(scale.BENCH_DIR / "iot-ingest.sqlite3"), 0)
    scale._fresh_database(target)
    key = scale._write_key(target)
    scale.setup_django(target, key)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from linli.accounts.actions import role_assign, user_create
    from linli.iot.actions import rules_default_ensure
    from linli.iot.models import Device
    from linli.places.actions import place_create

    rules_default_ensure()
    street = place_create(kind="street", name="基准街道", code="330102900000")
    community = place_create(kind="community", name="基准社区", code="330102900001", parent=street)
    grid = place_create(kind="grid", name="基准网格", code="330102900001-01", parent=community)
    compound = place_create(kind="compound", name="基准小区", parent=grid)
    worker = user_create(username="bench_iot_worker", password="Bench-pass-2026", display_name="网格员", actor=None)
    role_assign(user=worker, role="grid_worker", place=grid, actor=None)
    Device.objects.bulk_create([
        Device(code=f"D{i:05d}", kind="water", name=f"水表{i}", place=compound, place_path=compound.path, unit="MPa",
               lon=120.17, lat=30.26) for i in range(devices)])
    return target


def bare_rate(port: int, n: int, devices: int) -> float:
    from linli.iot.mqtt import new_client

    got: list[float] = []
    done = threading.Event()

    def on_message(client, userdata, message):
        got.append(time.perf_counter())
        if len(got) >= n:
            done.set()

    client = new_client("bench-bare", clean_session=True)
    client.on_message = on_message
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(f"{PREFIX}/devices/+/readings", qos=1)
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    time.sleep(0.5)
    pub = publish(port, n, devices)
    done.wait(timeout=600)
    pub.wait(timeout=60)
    client.disconnect()
    client.loop_stop()
    if len(got) < n:
        raise SystemExit(f"the bare subscriber got {len(got)} of {n}")
    return n / (got[-1] - got[0])


def ingest_rate(port: int, n: int, devices: int) -> tuple[float, dict]:
    from linli.iot.models import Reading
    from linli.iot.mqtt import MqttIngest

    before = Reading.objects.count()
    ingest = MqttIngest(host="127.0.0.1", port=port, prefix=PREFIX, client_id="bench-ingest")
    ingest.start()
    ingest.connected.wait(10)
    time.sleep(0.5)
    first: list[float] = []
    original = ingest._on_message

    def on_message(client, userdata, message):
        if not first:
            first.append(time.perf_counter())
        original(client, userdata, message)

    ingest.client.on_message = on_message
    pub = publish(port, n, devices)
    deadline = time.monotonic() + 900
    ingest.run(until=lambda: ingest.stats.stored >= n or time.monotonic() > deadline)
    last = time.perf_counter()
    pub.wait(timeout=60)
    ingest.close()
    stored = Reading.objects.count() - before
    if stored < n:
        raise SystemExit(f"the ingest stored {stored} of {n}")
    return n / (last - first[0]), {"stored": stored, "connects": ingest.stats.connects}


def alarm_latency(port: int, alarms: int) -> list[float]:
    """Per gas detector: the condition holds since 40 s ago; the decisive reading goes over MQTT."""
    import orjson
    from django.utils import timezone

    from linli.cases.models import CaseEvent
    from linli.iot.actions import device_register, readings_ingest
    from linli.iot.actions.ingest import ReadingIn
    from linli.iot.models import Alarm
    from linli.iot.mqtt import MqttIngest, new_client
    from linli.places.models import Place

    compound = Place.objects.get(kind="compound")
    gas = [device_register(actor=None, code=f"G{i:04d}", kind="gas", name=f"燃气{i}", place=compound)[0]
           for i in range(alarms)]
    now = timezone.now()
    readings_ingest([ReadingIn(d.pk, 30.0, "%LEL", now - timedelta(seconds=40)) for d in gas])
    ingest = MqttIngest(host="127.0.0.1", port=port, prefix=PREFIX, client_id="bench-ingest-alarm", flush_s=0.01)
    ingest.start()
    ingest.connected.wait(10)
    stop = threading.Event()
    thread = threading.Thread(target=ingest.run, args=(stop,))
    thread.start()
    pub = new_client("bench-alarm-pub", clean_session=True)
    pub.connect("127.0.0.1", port, keepalive=30)
    pub.loop_start()
    sent: dict[str, float] = {}
    for d in gas:
        sent[d.code] = time.time()
        pub.publish(f"{PREFIX}/devices/{d.code}/readings", orjson.dumps({"value": 35.0}), qos=1).wait_for_publish(10)
        time.sleep(0.05)  # one leak at a time: the latency of each, not of a queue
    deadline = time.monotonic() + 120
    while Alarm.objects.filter(device__in=gas).exclude(case=None).count() < alarms and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    thread.join(timeout=30)
    ingest.close()
    pub.disconnect()
    pub.loop_stop()
    out = []
    for alarm in Alarm.objects.filter(device__in=gas).select_related("device"):
        event = CaseEvent.objects.filter(case_id=alarm.case_id, kind="dispatch").first()
        if event is not None:
            out.append((event.at.timestamp() - sent[alarm.device.code]) * 1000)
    if len(out) < alarms:
        raise SystemExit(f"{len(out)} of {alarms} alarms reached a grid worker's case")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--alarms", type=int, default=100)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    from linli.iot.testing import Broker, mosquitto_available

    if not mosquitto_available():
        raise SystemExit("mosquitto is not installed (apt-get install mosquitto)")
    target = setup(args.db, args.devices)
    with tempfile.TemporaryDirectory() as folder:
        broker = Broker(Path(folder)).start()
        try:
            bare = bare_rate(broker.port, args.messages, args.devices)
            ingest, info = ingest_rate(broker.port, args.messages, args.devices)
            latencies = alarm_latency(broker.port, args.alarms)
        finally:
            broker.stop()
    import os

    p50 = statistics.median(latencies)
    p99 = sorted(latencies)[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{target.label}: {args.messages:,} readings over {args.devices} device topics, QoS 1, private Mosquitto")
    print(f"  bare paho subscriber {bare:,.0f} msg/s")
    print(f"  linli iot-ingest     {ingest:,.0f} readings/s stored ({info['stored']:,} rows)")
    print(f"  ratio ingest/bare {ingest / bare:.2f} (goal >= 0.5)")
    print(f"  alarm to case (publish → case dispatched to the grid worker), {len(latencies)} alarms: "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(f"  load average (1/5/15 min, 2 shared cores): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps({"bare_rate": bare, "ingest_rate": ingest, "ratio": ingest / bare,
                                               "alarm_p50_ms": p50, "alarm_p99_ms": p99}))


if __name__ == "__main__":
    main()
