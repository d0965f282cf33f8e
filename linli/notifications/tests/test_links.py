"""Links in SMS and e-mails are absolute: the public address when the operator set one, else the address this
machine's server answers on (``manage.py serve`` sets it to its own host and port for its children)."""

from __future__ import annotations

import os

import pytest

from linli.core.management.commands import serve
from linli.notifications.delivery import _absolute


def test_a_link_starts_with_the_public_address_when_one_is_set(settings):
    settings.LINLI_PUBLIC_URL = "https://linli.example.cn/"
    settings.LINLI_LOCAL_URL = "http://127.0.0.1:8055"
    assert _absolute("/cases/mine/X") == "https://linli.example.cn/cases/mine/X"


def test_without_a_public_address_a_link_points_at_the_local_server(settings):
    settings.LINLI_PUBLIC_URL = ""
    settings.LINLI_LOCAL_URL = "http://127.0.0.1:8055"
    assert _absolute("/cases/mine/X") == "http://127.0.0.1:8055/cases/mine/X"
    assert _absolute("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_serve_tells_its_children_its_own_address(monkeypatch):
    monkeypatch.delenv("LINLI_LOCAL_URL", raising=False)
    started = []
    monkeypatch.setattr(serve, "_port_open", lambda host, port: False)
    monkeypatch.setattr(serve.Command, "_queue_heartbeat", lambda self: None)

    class Stop(Exception):
        pass

    def popen(*args, **kwargs):
        started.append(os.environ.get("LINLI_LOCAL_URL"))
        raise Stop

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    with pytest.raises(Stop):
        serve.Command().handle(host="0.0.0.0", port=8055, gunicorn=False, workers=1, threads=1, iot="off",  # noqa: S104
                               no_banner=True)
    assert started == ["http://127.0.0.1:8055"]
    assert serve.local_url("127.0.0.5", 9000) == "http://127.0.0.5:9000"
