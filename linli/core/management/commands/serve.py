"""``linli serve``: the web server and the Huey worker together, in the foreground.

Two child processes: ``manage.py runserver HOST:PORT --noreload`` (or gunicorn with ``--gunicorn``)
and ``manage.py run_huey``. Ctrl-C or SIGTERM stops both; when one of them stops on its own the other
is stopped too and ``serve`` exits non-zero, so a supervisor notices. At start a heartbeat task is
queued, so that ``/healthz`` reports the worker within seconds of the worker starting.

This is the command of ``make run``. In production the two processes usually run as two systemd
units instead (docs/deploy.md), but ``serve --gunicorn`` works for a small single machine too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM when ``serve`` dies, even by SIGKILL (no orphaned servers)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def local_url(host: str, port: int) -> str:
    """``http://127.0.0.1:8000`` for a server bound to ``host:port`` (all interfaces read as this machine)."""
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    return f"http://{shown_host}:{port}"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Run the web server and the background worker together (Ctrl-C stops both)."
    requires_system_checks: list[str] = []  # runserver checks in its own process

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument(
            "--gunicorn", action="store_true", help="Serve with gunicorn instead of Django's development server."
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (with --gunicorn).")
        parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (with --gunicorn).")
        parser.add_argument("--no-banner", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--iot", choices=("auto", "ingest", "simulate", "off"), default=os.environ.get("LINLI_SERVE_IOT") or "auto",
            help="Smart monitoring (linli/iot) when the MQTT broker answers: 'simulate' runs the MQTT ingest and "
            "the demo simulator, 'ingest' the ingest only, 'off' neither; 'auto' is 'simulate' in development "
            "and 'ingest' in production.",
        )

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        if _port_open(host, port):
            raise CommandError(f"Something already listens on {host}:{port}. Set PORT (or --port) to another port.")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        # Links in the notices the worker sends point at this server when no public address is set.
        os.environ.setdefault("LINLI_LOCAL_URL", local_url(host, port))
        if options["gunicorn"]:
            web_cmd = [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(options["workers"]),
                "--threads", str(options["threads"]), "--access-logfile", "-",
            ]
        else:
            web_cmd = [*manage, "runserver", f"{host}:{port}", "--noreload"]
        worker_cmd = [*manage, "run_huey"]

        self._queue_heartbeat()
        children: dict[str, subprocess.Popen[Any]] = {}
        extras: dict[str, subprocess.Popen[Any]] = {}
        stopping: list[int] = []

        def on_signal(signum, frame):
            stopping.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            children["worker"] = subprocess.Popen(worker_cmd, cwd=settings.BASE_DIR, preexec_fn=_die_with_parent)  # noqa: S603
            children["web"] = subprocess.Popen(web_cmd, cwd=settings.BASE_DIR, preexec_fn=_die_with_parent)  # noqa: S603
            self.stdout.write(
                f"serve: web pid {children['web'].pid}, worker pid {children['worker'].pid}", ending="\n"
            )
            extras = self._iot_children(manage, options["iot"])
            self.stdout.flush()
            announced = False
            while not stopping:
                dead = [(name, child.poll()) for name, child in children.items() if child.poll() is not None]
                if dead:
                    time.sleep(POLL_SECONDS)  # a Ctrl-C reaches the children and serve at the same moment
                    if stopping:
                        break
                    name, code = dead[0]
                    raise CommandError(
                        f"The {name} process stopped (exit status {code}); the other one was stopped too."
                    )
                for name, child in list(extras.items()):
                    if child.poll() is not None:  # optional: the site keeps running without live readings
                        self.stderr.write(f"serve: {name} stopped (exit status {child.returncode}).")
                        del extras[name]
                if not announced and _port_open(host, port):
                    announced = True
                    self._banner(host, port, show_logins=not options["no_banner"])
                time.sleep(POLL_SECONDS)
            self.stdout.write("serve: stopping the web server and the worker…")
        finally:
            self._stop({**children, **extras})
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _iot_children(self, manage: list[str], mode: str) -> dict[str, subprocess.Popen[Any]]:
        """The MQTT ingest (and in development the demo simulator) when the broker answers: optional
        children, whose end does not stop the site."""
        if mode == "off" or "iot_ingest" not in get_commands():
            return {}
        host, port = settings.LINLI_MQTT_HOST, settings.LINLI_MQTT_PORT
        if not _port_open(host, port):
            self.stdout.write(f"serve: no MQTT broker at {host}:{port}: no live readings (see docs/iot.md).")
            return {}
        if mode == "auto":
            mode = "ingest" if settings.PRODUCTION else "simulate"
        names = ["iot_ingest"] + (["iot_simulate"] if mode == "simulate" else [])
        extras = {
            name: subprocess.Popen([*manage, name], cwd=settings.BASE_DIR, preexec_fn=_die_with_parent)  # noqa: S603
            for name in names
        }
        self.stdout.write("serve: " + ", ".join(f"{n} pid {c.pid}" for n, c in extras.items()))
        return extras

    def _queue_heartbeat(self) -> None:
        from linli.core.tasks import core_heartbeat_now

        try:
            core_heartbeat_now()
        except Exception as exc:  # noqa: BLE001 - the periodic beat will come within a minute anyway
            self.stderr.write(f"serve: could not queue the worker heartbeat ({exc.__class__.__name__}).")

    def _banner(self, host: str, port: int, *, show_logins: bool) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Linli is running at {local_url(host, port)}/"))
        self.stdout.write("Ctrl-C stops the web server and the worker.")
        if show_logins and "demo" in get_commands():
            try:
                call_command("demo", codes=True, stdout=self.stdout)
            except Exception as exc:  # noqa: BLE001 - the banner must not stop the server
                self.stderr.write(f"serve: could not list the demo logins ({exc}). Did `manage.py migrate` run?")
        self.stdout.write("")
        self.stdout.flush()

    @staticmethod
    def _stop(children: dict[str, subprocess.Popen[Any]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
