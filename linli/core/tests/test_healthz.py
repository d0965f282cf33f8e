"""/healthz: database and worker status, for load balancers and monitors (no login)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from linli.core.models import WorkerHeartbeat
from linli.core.tasks import core_heartbeat, core_heartbeat_now, heartbeat_write


def _beat(age: timedelta) -> None:
    heartbeat_write()
    WorkerHeartbeat.objects.filter(name="worker").update(beat_at=timezone.now() - age)


def test_healthz_ok_with_a_fresh_heartbeat(client, db):
    _beat(timedelta(seconds=30))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["worker"]["status"] == "ok"
    assert 25 <= body["worker"]["age_s"] <= 60


def test_healthz_degraded_when_the_heartbeat_is_stale(client, db):
    _beat(timedelta(seconds=settings.LINLI_WORKER_STALE_SECONDS + 60))
    response = client.get("/healthz")
    # The site still serves: 200, but a monitor sees the worker is stale.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["status"] == "stale"


def test_healthz_unknown_worker_before_the_first_heartbeat(client, db):
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"] == {"status": "unknown", "last_beat": None}


def test_healthz_needs_no_login_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


def test_healthz_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405


def test_heartbeat_task_turns_the_worker_ok(client, db):
    # Tests run Huey in immediate mode: calling the task runs it as the worker would.
    core_heartbeat_now()
    assert client.get("/healthz").json()["worker"]["status"] == "ok"


def test_heartbeat_runs_every_minute():
    for minute in (0, 17, 59):
        due = HUEY.read_periodic(timezone.now().replace(minute=minute, second=0, microsecond=0))
        assert any(isinstance(t, core_heartbeat.task_class) for t in due)
