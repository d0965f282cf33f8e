"""No log line carries a full ID number or phone: the logging filter, and gunicorn's access log as it is
really written by a running gunicorn."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from linli.core.logging import MaskPersonalDataFilter, redact_query_string, redact_urls

PHONE = "13812345678"
ID = "11010519491231002X"
# The same numbers as a search box may send them: plain, full-width, with spaces, percent-encoded.
QUERIES = [
    f"q={PHONE}",
    f"q={ID}",
    "q=%EF%BC%91%EF%BC%93%EF%BC%98%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98",
    "q=138+1234+5678",
    "q=138%201234%205678",
    f"phone={PHONE}&after=12",
    f"id_number={ID}",
]


def _leaks(text: str) -> list[str]:
    digits_only = "".join(ch for ch in text if ch.isdigit())
    return [n for n in ("38123456", "1234+5678", "1234%205678", "19491231", "%EF%BC%91%EF%BC%93%EF%BC%98")
            if n in text or n in digits_only]


@pytest.mark.parametrize("query", QUERIES)
def test_redact_urls_leaves_no_number(query):
    line = f'"GET /registry/?{query} HTTP/1.1" 200 512'
    out = redact_urls(line)
    assert not _leaks(out), out
    assert out.startswith('"GET /registry/?') and out.endswith(" HTTP/1.1\" 200 512")


def test_redact_keeps_safe_parameters():
    assert redact_query_string(f"q={PHONE}&after=12&status=active&tag=elderly_60") == \
        "q=-&after=12&status=active&tag=elderly_60"
    assert redact_query_string("after=1%2013812345678") == "after=-"


def test_logging_filter_redacts_the_development_server_request_line():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /api/v1/residents/persons?q={ID} HTTP/1.1", "200", "99"), None)
    MaskPersonalDataFilter().filter(record)
    assert not _leaks(record.getMessage())
    assert "/api/v1/residents/persons?q=-" in record.getMessage()


@pytest.mark.parametrize("logger", ["django.request", "huey", "linli.residents.tasks"])
def test_error_and_worker_lines_carry_no_number(logger):
    """Every logger reaches the configured console handler (the root's, and huey's own), which carries the
    masking filter: an error line, a worker line and a traceback quoting a full ID number and phone are
    written masked."""
    import io

    config = settings.LOGGING
    console = config["handlers"]["console"]
    assert "mask_personal_data" in console["filters"]
    assert config["root"]["handlers"] == ["console"]
    assert all(v.get("handlers", ["console"]) == ["console"] or v.get("propagate", True)
               for v in config["loggers"].values())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalDataFilter())
    handler.setFormatter(logging.Formatter(config["formatters"]["plain"]["format"]))
    target = logging.getLogger(f"test.{logger}")
    target.addHandler(handler)
    target.propagate = False
    try:
        try:
            raise ValueError(f"bad row: {ID} {PHONE}")
        except ValueError:
            target.error("Internal Server Error: /registry/?q=%s (person %s)", PHONE, ID, exc_info=True)
    finally:
        target.removeHandler(handler)
    out = stream.getvalue()
    assert "bad row" in out and "Internal Server Error" in out  # the line was written
    assert not _leaks(out), out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_access_log_carries_no_number(tmp_path: Path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LINLI_SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", str(log), "--error-logfile", str(tmp_path / "error.log")],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        for query in QUERIES:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/no-such-page/?{query}",
                                             headers={"Referer": f"http://x/registry/?{query}"})
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=120)  # noqa: S310
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    text = log.read_text()
    assert text.count("/no-such-page/?") == len(QUERIES), text  # the lines are there
    assert not _leaks(text), text
