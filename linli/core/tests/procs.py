"""Helpers for tests that run Linli in a child process (serve, production mode, the console script).

The child gets a clean environment: its own var directory (a fresh SQLite database), the test run's
data key, and none of the parent's DATABASE_URL, REDIS_URL or LINLI_* variables, so that it never
touches the database of the test run or of a developer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from linli.core.crypto import new_key_line

PYTHON = sys.executable
MANAGE = str(settings.BASE_DIR / "manage.py")
# The child processes' own key (their databases are their own, in a temporary directory).
CHILD_DATA_KEY = new_key_line()


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "LINLI_VAR_DIR": str(var_dir),
        "LINLI_DATA_KEY": CHILD_DATA_KEY,
        "LINLI_DEMO_SIZE": "small",  # the demo street with a few households per compound
        "LINLI_SERVE_IOT": "off",  # serve leaves the shared MQTT broker alone in tests
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [PYTHON, MANAGE, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is dead for our purpose.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
