"""``linli iot-ingest``: subscribe to the devices' readings over MQTT and store them (runs until stopped).

See linli/iot/mqtt.py for the topic layout and how nothing delivered is lost. The broker comes from
MQTT_HOST / MQTT_PORT (MQTT_USERNAME / MQTT_PASSWORD), the topic prefix from MQTT_PREFIX, the client id
from MQTT_CLIENT_ID (by default one per database).
"""

from __future__ import annotations

import signal
import threading
import time

from django.core.management.base import BaseCommand

from linli.iot.mqtt import MqttIngest, mqtt_settings


class Command(BaseCommand):
    help = "Store the devices' readings published over MQTT (reconnects; acknowledges after commit)."

    def add_arguments(self, parser):
        conf = mqtt_settings()
        parser.add_argument("--host", default=conf["host"])
        parser.add_argument("--port", type=int, default=conf["port"])
        parser.add_argument("--prefix", default=conf["prefix"])
        parser.add_argument("--client-id", default=conf["client_id"],
                            help="Fixed (MQTT_CLIENT_ID; by default one per database), so that the broker keeps the "
                                 "session while the ingest is away.")
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--flush", type=float, default=0.2, help="Seconds to wait for a batch to fill.")
        parser.add_argument("--stats-every", type=float, default=60.0)

    def handle(self, *args, **options):
        conf = mqtt_settings()
        ingest = MqttIngest(host=options["host"], port=options["port"], prefix=options["prefix"],
                            client_id=options["client_id"], batch=options["batch"], flush_s=options["flush"],
                            username=conf["username"], password=conf["password"])
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_a: stop.set())
        ingest.start()
        self.stdout.write(f"iot-ingest: {options['host']}:{options['port']} {options['prefix']}/devices/+/readings")
        self.stdout.flush()
        next_stats = time.monotonic() + options["stats_every"]
        try:
            while not stop.is_set():
                ingest.step()
                if time.monotonic() >= next_stats:
                    s = ingest.stats
                    self.stdout.write(f"iot-ingest: received {s.received}, stored {s.stored}, dropped {s.dropped}, "
                                      f"duplicates {s.duplicates}, connects {s.connects}, db errors {s.db_errors}")
                    self.stdout.flush()
                    next_stats = time.monotonic() + options["stats_every"]
        finally:
            ingest.close()
