"""``linli iot-simulate``: publish readings for the demo devices over MQTT, so that the map, the alarms and
the big screen show live data (development and demos only).

Every ``--interval`` seconds each active device publishes a normal reading (gas 0-3 %LEL, water 0.3 MPa,
cameras 1 = online, ...). After ``--leak-after`` seconds one gas detector (``--leak``, default the first
of the first grid) reads 25-45 %LEL for ``--leak-seconds`` (longer than the rule's 30 s: the alarm is
raised), then falls back to normal; ``--leak-every`` repeats it. One camera (``--offline``, default the
last camera) sends nothing: it is reported offline after the rule's 10 minutes.
"""

from __future__ import annotations

import random
import signal
import threading
import time

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.iot.mqtt import mqtt_settings, new_client, reading_topic

# kind: (normal level, jitter)
NORMAL = {"gas": (1.5, 1.5), "smoke": (0.05, 0.04), "temperature": (26.0, 0.4), "water": (0.32, 0.015),
          "electricity": (18.0, 3.0), "door": (0.0, 0.0), "camera": (1.0, 0.0)}


class Command(BaseCommand):
    help = "Publish demo readings over MQTT: normal values, a gas leak and an offline camera."

    def add_arguments(self, parser):
        conf = mqtt_settings()
        parser.add_argument("--host", default=conf["host"])
        parser.add_argument("--port", type=int, default=conf["port"])
        parser.add_argument("--prefix", default=conf["prefix"])
        parser.add_argument("--interval", type=float, default=10.0)
        parser.add_argument("--leak", default="", help="Code of the gas detector that leaks.")
        parser.add_argument("--leak-after", type=float, default=30.0)
        parser.add_argument("--leak-seconds", type=float, default=120.0)
        parser.add_argument("--leak-every", type=float, default=0.0, help="Repeat the leak every N seconds (0: once).")
        parser.add_argument("--offline", default="", help="Code of the camera that stays silent.")
        parser.add_argument("--duration", type=float, default=0.0, help="Stop after N seconds (0: run until stopped).")

    def handle(self, *args, **options):
        from linli.iot.models import Device

        devices = list(Device.objects.filter(active=True).order_by("code").values_list("code", "kind"))
        if not devices:
            raise CommandError("No devices: run `linli demo` first.")
        gas = [c for c, k in devices if k == "gas"]
        cams = [c for c, k in devices if k == "camera"]
        leak = options["leak"] or (gas[0] if gas else "")
        offline = options["offline"] or (cams[-1] if cams else "")
        conf = mqtt_settings()
        client = new_client(f"linli-iot-simulate-{random.randint(0, 1 << 30)}", clean_session=True,
                            username=conf["username"], password=conf["password"])
        client.connect_async(options["host"], options["port"], keepalive=30)
        client.loop_start()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_a: stop.set())
        rng = random.Random()
        start = time.monotonic()
        self.stdout.write(f"iot-simulate: {len(devices)} devices every {options['interval']:g} s; gas leak at {leak} "
                          f"after {options['leak_after']:g} s; camera {offline} offline")
        self.stdout.flush()
        try:
            while not stop.is_set():
                elapsed = time.monotonic() - start
                if options["duration"] and elapsed >= options["duration"]:
                    break
                now = timezone.now().isoformat()
                since_leak = elapsed - options["leak_after"]
                if options["leak_every"] and since_leak > 0:
                    since_leak %= options["leak_every"]
                leaking = 0 <= since_leak < options["leak_seconds"]
                for code, kind in devices:
                    if code == offline:
                        continue
                    level, jitter = NORMAL.get(kind, (0.0, 0.0))
                    value = max(0.0, level + rng.uniform(-jitter, jitter))
                    if code == leak and leaking:
                        value = min(45.0, 25.0 + since_leak / 6)
                    payload = {"value": round(value, 3), "time": now}
                    client.publish(reading_topic(options["prefix"], code), orjson.dumps(payload), qos=1)
                stop.wait(options["interval"])
        finally:
            client.disconnect()
            client.loop_stop()
