"""A fake SMS gateway on loopback for the tests: it records every request and, like a real gateway,
hands a message to the phone once per dedupe key. ``hold`` makes it keep the first request open (the
worker is then killed mid-send)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self, *, hold_first: bool = False, fail: int = 0, status: int = 500):
        self.requests: list[dict] = []
        self.delivered: dict[str, str] = {}  # dedupe key -> text, what reached the phone
        self.hold_first = hold_first
        self.release = threading.Event()
        self.fail = fail  # answer the first ``fail`` requests with ``status``
        self.status = status
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body["auth"] = self.headers.get("Authorization", "")
                gateway.requests.append(body)
                if len(gateway.requests) <= gateway.fail:
                    self.send_response(gateway.status)
                    self.end_headers()
                    return
                gateway.delivered.setdefault(body["dedupe_key"], body["text"])
                if gateway.hold_first and len(gateway.requests) == 1:
                    gateway.release.wait(60)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except OSError:  # the worker died while we held its request
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
