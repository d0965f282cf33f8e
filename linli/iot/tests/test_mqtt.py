"""The MQTT ingest: readings published on the devices' topics are stored; it survives a broker restart
(reconnects, resubscribes) and loses nothing the broker delivered with QoS 1; bad and unknown messages
are dropped without stopping it. Each test starts its own Mosquitto on a free port."""

from __future__ import annotations

import io
import threading
import time

import orjson
import pytest
from django.utils import timezone

from linli.iot.mqtt import MqttIngest, code_of, new_client, reading_topic
from linli.iot.testing import Broker, mosquitto_available

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(not mosquitto_available(), reason="mosquitto is not installed (apt-get install mosquitto)"),
]
PREFIX = "t16"


def test_code_of_topic():
    assert code_of("t16/devices/GAS-1/readings", "t16") == "GAS-1"
    assert code_of("t16/devices/a/b/readings", "t16") is None
    assert code_of("x/devices/GAS-1/readings", "t16") is None


def test_the_ingest_client_id_is_one_per_database_unless_named(settings):
    """Two installations on one broker (two checkouts on one machine) kept taking each other's session with one
    fixed client id; the id is fixed per database, or named by MQTT_CLIENT_ID."""
    from linli.iot.mqtt import default_client_id, mqtt_settings

    settings.LINLI_MQTT_CLIENT_ID = ""
    first = mqtt_settings()["client_id"]
    assert first == mqtt_settings()["client_id"] == default_client_id("linli")
    assert first.startswith("linli-iot-ingest-linli-")
    assert default_client_id("linli", {**settings.DATABASES["default"], "NAME": "another"}) != first
    settings.LINLI_MQTT_CLIENT_ID = "city-ingest-1"
    assert mqtt_settings()["client_id"] == "city-ingest-1"


def _publisher(port: int):
    client = new_client(f"pub-{time.monotonic_ns()}", clean_session=False)
    client.connect_async("127.0.0.1", port, keepalive=5)
    client.loop_start()
    _wait_connected(client)
    return client


def _wait_connected(client, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)


def _ingest(broker: Broker) -> MqttIngest:
    ingest = MqttIngest(host="127.0.0.1", port=broker.port, prefix=PREFIX, client_id=f"ingest-{broker.port}",
                        batch=50, flush_s=0.05)
    ingest.start()
    assert ingest.connected.wait(10)
    return ingest


def test_readings_over_mqtt_are_stored_and_bad_ones_dropped(iot, tmp_path):
    from linli.iot.models import Reading

    broker = Broker(tmp_path / "broker").start()
    ingest = _ingest(broker)
    pub = _publisher(broker.port)
    try:
        now = timezone.now().isoformat()
        infos = [pub.publish(reading_topic(PREFIX, iot.gas.code), orjson.dumps({"value": i, "time": now if i == 0 else None}), qos=1)
                 for i in range(5)]
        infos.append(pub.publish(reading_topic(PREFIX, iot.gas.code), b"{not json", qos=1))
        infos.append(pub.publish(reading_topic(PREFIX, "NO-SUCH"), orjson.dumps({"value": 1}), qos=1))
        infos.append(pub.publish(reading_topic(PREFIX, iot.gas.code), orjson.dumps({"value": "x"}), qos=1))
        # the same timed reading delivered twice is stored once
        infos.append(pub.publish(reading_topic(PREFIX, iot.gas.code), orjson.dumps({"value": 0, "time": now}), qos=1))
        for info in infos:
            info.wait_for_publish(timeout=5)
        deadline = time.monotonic() + 15
        ingest.run(until=lambda: ingest.stats.received >= 9 or time.monotonic() > deadline)
        assert Reading.objects.filter(device=iot.gas).count() == 5
        assert ingest.stats.dropped == 3 and ingest.stats.duplicates == 1
    finally:
        pub.disconnect()
        pub.loop_stop()
        ingest.close()
        broker.stop()


def test_the_ingest_survives_a_broker_restart_and_loses_nothing(iot, tmp_path):
    from linli.iot.models import Reading

    total = 300
    broker = Broker(tmp_path / "broker").start()
    ingest = _ingest(broker)
    pub = _publisher(broker.port)
    published: list[int] = []
    errors: list[Exception] = []

    def publish_all():
        try:
            start = timezone.now()
            infos = []
            for i in range(total):
                if i == 120:
                    for info in infos:
                        info.wait_for_publish(timeout=10)
                    broker.restart()  # the ingest and the publisher lose their connections
                    _wait_connected(pub)
                at = (start + timezone.timedelta(milliseconds=i)).isoformat()
                infos.append(pub.publish(reading_topic(PREFIX, iot.camera.code), orjson.dumps({"value": i, "time": at}), qos=1))
            for info in infos:
                info.wait_for_publish(timeout=30)
            published.extend(i for i, info in enumerate(infos) if info.is_published())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=publish_all)
    try:
        thread.start()
        deadline = time.monotonic() + 90
        ingest.run(until=lambda: ingest.stats.stored >= total or time.monotonic() > deadline)
        thread.join(timeout=60)
        assert not errors, errors
        assert len(published) == total  # the broker took every message (QoS 1)
        values = sorted(int(v) for v in Reading.objects.filter(device=iot.camera).values_list("value", flat=True))
        assert values == list(range(total))  # every one stored, none twice
        assert ingest.stats.connects >= 2  # it reconnected
    finally:
        pub.disconnect()
        pub.loop_stop()
        ingest.close()
        broker.stop()


def test_a_revoked_device_is_refused_at_once_though_its_topic_is_remembered(iot, community_staff, tmp_path):
    """The ingest remembers which device a topic names (for a while); whether the device may still send is
    checked again with every batch, so a revocation (or a deactivation) holds from the next message on."""
    from linli.iot.actions import device_token_revoke
    from linli.iot.models import Device, Reading

    broker = Broker(tmp_path / "broker").start()
    ingest = _ingest(broker)
    pub = _publisher(broker.port)

    def send(device, value: float, received: int) -> None:
        pub.publish(reading_topic(PREFIX, device.code), orjson.dumps({"value": value}), qos=1).wait_for_publish(5)
        deadline = time.monotonic() + 15
        ingest.run(until=lambda: ingest.stats.received >= received or time.monotonic() > deadline)

    try:
        send(iot.gas, 1, 1)
        send(iot.camera, 1, 2)
        assert ingest.stats.stored == 2 and ingest._devices.keys() >= {iot.gas.code, iot.camera.code}
        device_token_revoke(device=iot.gas, actor=community_staff)
        Device.objects.filter(pk=iot.camera.pk).update(active=False)
        send(iot.gas, 2, 3)
        send(iot.camera, 2, 4)
        assert Reading.objects.filter(device=iot.gas).count() == 1
        assert Reading.objects.filter(device=iot.camera).count() == 1
        assert ingest.stats.stored == 2 and ingest.stats.dropped == 2
    finally:
        pub.disconnect()
        pub.loop_stop()
        ingest.close()
        broker.stop()


def test_the_simulator_publishes_normal_readings_a_gas_leak_and_a_silent_camera(iot, community_staff, tmp_path):
    """``linli iot-simulate`` (what ``make run`` starts): every active device publishes a normal reading each
    interval, the gas detector reads 25-45 %LEL while it leaks, the camera stays silent (offline)."""
    import signal

    from django.core.management import call_command

    from linli.iot.actions import device_register
    from linli.iot.models import Reading

    water, _token = device_register(actor=community_staff, code="WAT-001", kind="water", name="1幢水压",
                                    place=iot.building)
    broker = Broker(tmp_path / "broker").start()
    ingest = _ingest(broker)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("iot_simulate", port=broker.port, prefix=PREFIX, interval=0.2, leak_after=0,
                     leak_seconds=600, duration=1.0, stdout=io.StringIO())
        deadline = time.monotonic() + 15
        ingest.run(until=lambda: Reading.objects.filter(device__in=[iot.gas, water]).count() >= 6
                   or time.monotonic() > deadline)
        gas = [float(v) for v in Reading.objects.filter(device=iot.gas).values_list("value", flat=True)]
        normal = [float(v) for v in Reading.objects.filter(device=water).values_list("value", flat=True)]
        assert len(gas) >= 3 and all(25 <= v <= 45 for v in gas), gas
        assert len(normal) >= 3 and all(0.3 <= v <= 0.34 for v in normal), normal
        assert not Reading.objects.filter(device=iot.camera).exists()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        ingest.close()
        broker.stop()
