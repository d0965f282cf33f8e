"""A real worker process killed with SIGKILL while the SMS gateway has its request: the next worker sends
it again once the claim has run out, with the same dedupe key, and the phone gets the message once.

The workers are ``manage.py notices_deliver`` in child processes on a database of their own (a SQLite
file, or a fresh PostgreSQL database when the suite runs on PostgreSQL); the gateway is a fake one on
loopback in this process that holds the first request open until the worker is dead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time

import pytest
from django.db import connection

from linli.core.tests.procs import MANAGE, PYTHON, clean_env, manage, pid_alive, wait_until
from linli.notifications.tests.gateway import Gateway

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SETUP = textwrap.dedent(
    """
    import json
    from django.db import transaction
    from linli.notifications.actions import notice_queue
    with transaction.atomic():
        [n] = notice_queue(user_ids=[], kind="accept", ref="cases.case:1", text="您反映的问题已受理",
                           url="/cases/mine/X", phone="13912345678")
    print("NOTICE=" + json.dumps(n.pk))
    """
)

READ = textwrap.dedent(
    """
    import json
    from django.utils import timezone
    from linli.notifications.models import Delivery
    d = Delivery.objects.get(notice_id=NOTICE)
    print("STATE=" + json.dumps({"status": d.status, "attempts": d.attempts, "key": d.dedupe_key,
                             "left": (d.claimed_until - timezone.now()).total_seconds() if d.claimed_until else None}))
    """
)


@pytest.fixture
def child_env(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    if connection.vendor != "postgresql":
        yield clean_env(var)
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_notice9"[:60]
    dsn = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    yield clean_env(var, DATABASE_URL=url)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _state(env, notice_id: int) -> dict:
    result = manage("shell", "-c", READ.replace("NOTICE", str(notice_id)), env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(next(ln for ln in result.stdout.splitlines() if ln.startswith("STATE="))[6:])


def test_a_notice_survives_a_worker_killed_mid_send_and_reaches_the_phone_once(child_env, tmp_path):
    with Gateway(hold_first=True) as gateway:
        env = {
            **child_env,
            "LINLI_SMS_GATEWAY_URL": gateway.url,
            "LINLI_SMS_GATEWAY_TOKEN": "t0ken",
            "LINLI_NOTICE_CLAIM_SECONDS": "20",
        }
        assert manage("migrate", "--noinput", "-v0", env=env, timeout=300).returncode == 0
        setup = manage("shell", "-c", SETUP, env=env)
        assert setup.returncode == 0, setup.stderr
        notice_id = json.loads(next(ln for ln in setup.stdout.splitlines() if ln.startswith("NOTICE="))[7:])

        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen([PYTHON, MANAGE, "notices_deliver"], env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            assert wait_until(lambda: len(gateway.requests) == 1, timeout=60), (tmp_path / "worker.log").read_text()
            os.kill(worker.pid, signal.SIGKILL)  # the gateway has the message; the worker never hears back
            worker.wait(timeout=10)
            assert not pid_alive(worker.pid)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            log.close()
        gateway.release.set()
        killed = _state(env, notice_id)
        assert killed["status"] == "sending" and killed["attempts"] == 1 and killed["left"] > 0

        # Within the claim nobody sends it again; after it, the next worker does.
        again = manage("notices_deliver", env=env)
        assert again.returncode == 0 and "nothing due" in again.stdout and len(gateway.requests) == 1
        time.sleep(max(_state(env, notice_id)["left"], 0) + 0.5)
        again = manage("notices_deliver", env=env)
        assert again.returncode == 0, again.stderr
        final = _state(env, notice_id)
        assert final == {"status": "sent", "attempts": 2, "key": killed["key"], "left": None}
        assert [r["dedupe_key"] for r in gateway.requests] == [killed["key"]] * 2
        assert list(gateway.delivered) == [killed["key"]]  # the phone got it once
        assert gateway.delivered[killed["key"]].startswith("您反映的问题已受理 http://127.0.0.1:8000/cases/mine/X")
