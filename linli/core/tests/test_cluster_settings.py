"""Cluster settings: a pooled URL (PgBouncer in transaction mode) and a direct one for one-off commands,
no server-side cursors through the pooler, an optional replica, sessions that survive a Redis restart.

Settings are read once per process, so each case imports them in a child process (no database is
touched: only the settings are printed)."""

import json
import subprocess

import pytest

from linli.core.tests.procs import PYTHON, clean_env

pytestmark = pytest.mark.slow

POOLED = "postgres://linli@127.0.0.1:6432/linli"
DIRECT = "postgres://linli@127.0.0.1:5432/linli"
REPLICA = "postgres://linli@127.0.0.1:5433/linli"

PRINT = """
import json, sys
sys.argv = {argv!r}
from config import settings as s
print(json.dumps({{
    "default": s.DATABASES["default"].get("PORT"),
    "no_cursors": s.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS"),
    "replica": s.DATABASES.get("replica", {{}}).get("PORT"),
    "sessions": s.SESSION_ENGINE,
}}))
"""


def settings_in_child(tmp_path, argv, **env):
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", PRINT.format(argv=argv)], env=clean_env(tmp_path, **env), capture_output=True, text=True,
        timeout=60, cwd=str(__import__("django.conf").conf.settings.BASE_DIR),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_web_and_worker_go_through_the_pooler_without_server_side_cursors(tmp_path):
    env = {"DATABASE_URL": POOLED, "DATABASE_DIRECT_URL": DIRECT}
    for argv in (["gunicorn", "config.wsgi"], ["manage.py", "run_huey"], ["linli", "serve"]):
        got = settings_in_child(tmp_path, argv, **env)
        assert got["default"] == 6432, argv
        assert got["no_cursors"] is True, argv


def test_one_off_commands_connect_directly_with_cursors(tmp_path):
    env = {"DATABASE_URL": POOLED, "DATABASE_DIRECT_URL": DIRECT}
    for argv in (["manage.py", "migrate"], ["linli", "kpi-recompute"], ["linli", "audit_archive"]):
        got = settings_in_child(tmp_path, argv, **env)
        assert got["default"] == 5432, argv
        assert got["no_cursors"] is False, argv


def test_a_single_url_keeps_server_side_cursors(tmp_path):
    got = settings_in_child(tmp_path, ["gunicorn"], DATABASE_URL=DIRECT)
    assert (got["default"], got["no_cursors"], got["replica"]) == (5432, False, None)


def test_replica_url_adds_a_replica_alias(tmp_path):
    got = settings_in_child(tmp_path, ["gunicorn"], DATABASE_URL=POOLED, DATABASE_DIRECT_URL=DIRECT,
                            DATABASE_REPLICA_URL=REPLICA)
    assert got["replica"] == 5433


def test_sessions_are_cached_db_with_redis(tmp_path):
    assert settings_in_child(tmp_path, ["gunicorn"], REDIS_URL="redis://127.0.0.1:6379/5")["sessions"] == (
        "django.contrib.sessions.backends.cached_db"
    )
    assert settings_in_child(tmp_path, ["gunicorn"])["sessions"] == "django.contrib.sessions.backends.db"
