"""``manage.py serve``: the web server and the worker run together and stop together."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess

import pytest

from linli.core.tests.procs import (
    MANAGE,
    PYTHON,
    clean_env,
    free_port,
    http_get,
    manage,
    pid_alive,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """One migrated database for the module; each test works on a copy."""
    path = tmp_path_factory.mktemp("serve-template")
    result = manage("migrate", "--noinput", "-v0", env=clean_env(path), timeout=400)  # minutes under load
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def var_dir(migrated, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(migrated, var)
    return var


class Served:
    def __init__(self, var_dir, *args, new_session=False):
        self.port = free_port()
        self.log = var_dir / "serve.log"
        self.out = self.log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603
            [PYTHON, MANAGE, "serve", "--port", str(self.port), *args],
            env=clean_env(var_dir),
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
        match = wait_until(lambda: re.search(r"web pid (\d+), worker pid (\d+)", self.log.read_text()), timeout=30)
        assert match, self.log.read_text()
        self.web_pid, self.worker_pid = int(match.group(1)), int(match.group(2))

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def health(self):
        try:
            status, _, body = http_get(self.url("/healthz"))
        except OSError:
            return None
        return json.loads(body) if status == 200 else None

    def wait(self, timeout=20):
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.out.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pid in (self.web_pid, self.worker_pid):
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def serve(var_dir):
    started = []

    def start(*args, **kwargs):
        served = Served(var_dir, *args, **kwargs)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def test_serve_runs_the_site_and_the_worker_until_sigterm(serve):
    served = serve()
    health = wait_until(lambda: (h := served.health()) and h["worker"]["status"] == "ok" and h, timeout=30)
    assert health, served.log.read_text()
    assert health["database"]["status"] == "ok"
    status, _, body = http_get(served.url("/accounts/login"))
    assert status == 200 and b"<form" in body
    served.proc.send_signal(signal.SIGTERM)
    assert served.wait() == 0
    assert not pid_alive(served.web_pid)
    assert not pid_alive(served.worker_pid)


def test_serve_stops_both_on_ctrl_c(serve):
    served = serve(new_session=True)
    assert wait_until(served.health, timeout=30)
    # Ctrl-C in a terminal sends SIGINT to the whole foreground process group.
    os.killpg(served.proc.pid, signal.SIGINT)
    assert served.wait() == 0, served.log.read_text()
    assert not pid_alive(served.web_pid)
    assert not pid_alive(served.worker_pid)


def test_serve_stops_the_web_server_when_the_worker_dies(serve):
    served = serve()
    assert wait_until(served.health, timeout=30)
    os.kill(served.worker_pid, signal.SIGKILL)
    assert served.wait() != 0
    assert not pid_alive(served.web_pid)
    assert "worker process stopped" in served.log.read_text()


def test_serve_prints_the_demo_logins(var_dir, serve):
    assert manage("demo", env=clean_env(var_dir)).returncode == 0
    served = serve()
    assert wait_until(lambda: "auditadmin" in served.log.read_text(), timeout=30), served.log.read_text()
    text = served.log.read_text()
    assert f"http://127.0.0.1:{served.port}/" in text
    assert "Linli-demo-2026" in text


def test_serve_refuses_a_port_in_use(var_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = manage("serve", "--port", str(port), env=clean_env(var_dir), timeout=30)
    assert result.returncode != 0
    assert "already listens" in result.stderr
