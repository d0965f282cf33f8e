#!/usr/bin/env python3
"""``make cluster-test``: Linli on a small cluster on this machine, proven by killing things.

Starts, on loopback addresses only, in a temporary folder: a PostgreSQL primary and a streaming standby
(initdb + pg_basebackup; synchronous commit; the standby replays 500 ms late), PgBouncer in transaction
mode (``linli`` → primary, ``linli_ro`` → standby), Redis with AOF, three gunicorn app servers behind
nginx, and two Huey workers (one periodic). Installs what is missing from Debian's packages (as root).
Every process it starts is stopped by its id at the end, whatever happens.

Then it runs the phases of issue 18 (3 first: its "before" half uses the servers as booted; then 1, 2, 4,
6, 5, 7) and prints what it counted; each check prints ``ok`` or ``FAIL`` and the last line reads
``cluster-test: N passed, N failed``; a failed run keeps the servers' logs and prints every 500's traceback:

1. a scripted day through HTTP (intakes, dispatch, handling, ratings, points, an import, then KPI pages,
   exports, Open311, the board): no 5xx, no write on the standby, most report rows read from it;
   sessions survive a Redis restart;
2. read-your-writes with the standby 500 ms behind: 0 stale reads for the writer, while a control
   client reading the standby directly sees stale rows;
3. intake rate at concurrency 1, 4, 8 through 1, 2, 3 app servers, and the share of time spent waiting
   on the case-number lock, with the numbering before issue 18 (one city-wide row, drawn first) and
   after (per district, drawn last);
4. kill -9 one app server in the middle of 3,000 requests whose POSTs carry idempotency keys;
5. kill -9 the periodic worker in the middle of a 20,000-row import with K cases overdue;
6. partitions: the month at the +08:00 boundary, one partition for a one-month query, archive by
   detach against deleting the rows;
7. kill -9 the primary under write load, promote the standby, repoint PgBouncer.

Load is bounded (at most 8 clients at once) and stated with each figure; the machine's load average is
printed at the start and the end. Ports: LINLI_CLUSTER_PORT (default 18020) and the next 9.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
BASE = int(os.environ.get("LINLI_CLUSTER_PORT", "18020"))
PORT = {"primary": BASE + 1, "standby": BASE + 2, "bouncer": BASE + 3, "redis": BASE + 4, "nginx": BASE + 5,
        "app1": BASE + 6, "app2": BASE + 7, "app3": BASE + 8}
APPS = ("app1", "app2", "app3")
IMPORT_ROWS = int(os.environ.get("LINLI_CLUSTER_IMPORT_ROWS", "20000"))
BUDGET = float(os.environ.get("LINLI_CLUSTER_BUDGET", "840"))  # seconds: stop starting phases after this
APPLY_DELAY_MS = 500
STARTED = time.monotonic()

RESULTS: list[tuple[str, bool, str]] = []
FIGURES: list[tuple[str, str]] = []


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", flush=True)


def check(name: str, ok: bool, detail: str = "") -> bool:
    RESULTS.append((name, bool(ok), detail))
    print(f"  {'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    return bool(ok)


def figure(name: str, value: str) -> None:
    FIGURES.append((name, value))
    print(f"  = {name}: {value}", flush=True)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- packages ---------------------------------------------------------------------------------------------


def pg_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def which(name: str) -> str | None:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None)


def ensure_packages() -> None:
    """PostgreSQL, PgBouncer, nginx and Redis from Debian's packages, when missing. The packages' own
    services are kept from starting (policy-rc.d) while they install: the test starts its own."""
    need = []
    if pg_bindir() is None:
        need.append("postgresql")
    if which("pgbouncer") is None:
        need.append("pgbouncer")
    if which("nginx") is None:
        need.append("nginx-light")
    if which("redis-server") is None:
        need.append("redis-server")
    if not need:
        return
    if os.geteuid() != 0 or which("apt-get") is None:
        raise SystemExit(f"cluster-test needs {' '.join(need)} (Debian packages); run as root to install them")
    say(f"installing {' '.join(need)} from Debian's packages")
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    if ours:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *need], check=True, env=env)  # noqa: S607
    finally:
        if ours:
            policy.unlink()


# --- processes --------------------------------------------------------------------------------------------


class Procs:
    """Every process started here, by name; each in its own session (its group id is its process id)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        self.order: list[str] = []

    def start(self, name: str, cmd: list[str], *, env: dict | None = None, user: str | None = None,
              cwd: Path | None = None) -> subprocess.Popen:
        log = open(self.tmp / "logs" / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the child)
        kwargs = {}
        if user is not None:
            kwargs = {"user": user, "group": user, "extra_groups": []}
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd or ROOT,  # noqa: S603
                                start_new_session=True, **kwargs)
        self.procs[name] = proc
        if name in self.order:
            self.order.remove(name)
        self.order.append(name)
        return proc

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    def kill9(self, name: str) -> None:
        """kill -9 the process and everything in its group (a gunicorn master and its workers)."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def stop_all(self) -> None:
        """Everything side by side; the databases by an immediate shutdown (SIGQUIT: no shutdown checkpoint, their
        folder is thrown away)."""
        def stop(name: str) -> None:
            self.stop(name, signal.SIGQUIT if name in ("primary", "standby") else signal.SIGTERM)

        if self.order:
            with ThreadPoolExecutor(len(self.order)) as pool:
                list(pool.map(stop, list(reversed(self.order))))

    def alive(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None


def wait_port(port: int, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    import socket

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


# --- HTTP -------------------------------------------------------------------------------------------------


class Client:
    """One HTTP client (keep-alive, cookies, an optional bearer token), used by one thread at a time."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token = port, token
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None, form: bool = False,
                raw: bytes | None = None, content_type: str = "") -> tuple[int, bytes]:
        h = {"Host": "127.0.0.1", **(headers or {})}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = raw
        if body is not None:
            if form:
                import urllib.parse

                data = urllib.parse.urlencode(body).encode()
                h["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
        elif content_type:
            h["Content-Type"] = content_type
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            try:
                self.conn.request(method, path, body=data, headers=h)
                response = self.conn.getresponse()
                content = response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method not in ("GET", "HEAD"):
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if value and "max-age=0" not in header.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
            return response.status, content
        raise AssertionError("unreachable")

    def login(self, username: str, password: str) -> bool:
        status, page = self.request("GET", "/accounts/login")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            return False
        status, _page = self.request("POST", "/accounts/login", {
            "csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password,
        }, form=True, headers={"Referer": f"http://127.0.0.1:{self.port}/accounts/login"})
        return status == 302

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- the cluster ------------------------------------------------------------------------------------------


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs = Procs(tmp)
        self.bindir = pg_bindir()
        self.pg_user = "postgres" if os.geteuid() == 0 else None
        self.primary_port = PORT["primary"]
        self.seed: dict = {}
        self.data_key = ""
        self.secret = secrets.token_urlsafe(50)
        self.numbering = "district-last"  # the case numbering the app servers run with

    # PostgreSQL

    def pg(self, name: str) -> Path:
        return self.tmp / name

    def pg_run(self, *args: str, check_ok: bool = True) -> subprocess.CompletedProcess:
        kwargs = {"user": self.pg_user, "group": self.pg_user, "extra_groups": []} if self.pg_user else {}
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,  # noqa: S603
                              check=check_ok, cwd="/tmp", **kwargs)

    def psql(self, port: int, sql: str, db: str = "linli") -> str:
        result = subprocess.run([str(self.bindir / "psql"), "-h", HOST, "-p", str(port), "-U", "postgres", "-d", db,  # noqa: S603
                                 "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"psql {port}: {result.stderr.strip()}")
        return result.stdout.strip()

    def start_pg(self, name: str, port: int) -> None:
        proc = self.procs.start(name, [str(self.bindir / "postgres"), "-D", str(self.pg(name))], user=self.pg_user)
        wait_port(port, 60, proc)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if subprocess.run([str(self.bindir / "pg_isready"), "-h", HOST, "-p", str(port)],  # noqa: S603
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready")

    def init_databases(self) -> None:
        sock = self.tmp / "sock"
        sock.mkdir()
        for d in (sock, self.tmp):
            d.chmod(0o777)
        primary = self.pg("primary")
        self.pg_run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(f"""
listen_addresses = '{HOST}'
port = {PORT['primary']}
unix_socket_directories = '{sock}'
wal_level = replica
max_wal_senders = 6
max_replication_slots = 6
hot_standby = on
hot_standby_feedback = on
synchronous_commit = on
timezone = 'UTC'
shared_buffers = 64MB
max_connections = 150
log_min_messages = warning
""")
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {HOST}/32 trust\nhost replication all {HOST}/32 trust\n")
        self.start_pg("primary", PORT["primary"])
        self.psql(PORT["primary"], "CREATE DATABASE linli", db="postgres")
        standby = self.pg("standby")
        self.pg_run("pg_basebackup", "-h", HOST, "-p", str(PORT["primary"]), "-U", "postgres", "-D", str(standby),
                    "-X", "stream", "-R", "--checkpoint=fast")
        with open(standby / "postgresql.auto.conf", "a") as conf:
            conf.write(f"""
port = {PORT['standby']}
primary_conninfo = 'host={HOST} port={PORT['primary']} user=postgres application_name=standby1'
recovery_min_apply_delay = '{APPLY_DELAY_MS}ms'
synchronous_standby_names = ''
""")
        self.start_pg("standby", PORT["standby"])
        # Synchronous commit from now on: a commit is acknowledged once the standby has it on disk.
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write("synchronous_standby_names = 'standby1'\n")
        self.psql(PORT["primary"], "SELECT pg_reload_conf()")
        for _ in range(100):
            if self.psql(PORT["primary"], "SELECT sync_state FROM pg_stat_replication") == "sync":
                break
            time.sleep(0.2)
        check("standby streams synchronously", self.psql(PORT["primary"],
              "SELECT sync_state FROM pg_stat_replication") == "sync")

    # PgBouncer

    def bouncer_config(self, primary_port: int, standby_port: int) -> None:
        (self.tmp / "userlist.txt").write_text('"postgres" ""\n')
        (self.tmp / "pgbouncer.ini").write_text(f"""[databases]
linli = host={HOST} port={primary_port} dbname=linli
linli_ro = host={HOST} port={standby_port} dbname=linli

[pgbouncer]
listen_addr = {HOST}
listen_port = {PORT['bouncer']}
unix_socket_dir =
auth_type = trust
auth_file = {self.tmp / 'userlist.txt'}
admin_users = postgres
pool_mode = transaction
max_client_conn = 500
default_pool_size = 40
server_lifetime = 300
server_login_retry = 1
ignore_startup_parameters = extra_float_digits,options
logfile = {self.tmp / 'logs' / 'pgbouncer-own.log'}
""")
        for f in ("pgbouncer.ini", "userlist.txt"):
            (self.tmp / f).chmod(0o644)

    def start_bouncer(self) -> None:
        self.bouncer_config(PORT["primary"], PORT["standby"])
        proc = self.procs.start("pgbouncer", [which("pgbouncer") or "pgbouncer", str(self.tmp / "pgbouncer.ini")],
                                user=self.pg_user)
        wait_port(PORT["bouncer"], 30, proc)

    def bouncer_reload(self) -> None:
        self.psql(PORT["bouncer"], "RELOAD", db="pgbouncer")

    # Redis, nginx

    def start_redis(self) -> None:
        d = self.tmp / "redis"
        d.mkdir(exist_ok=True)
        proc = self.procs.start("redis", [which("redis-server") or "redis-server", "--port", str(PORT["redis"]),
                                          "--bind", HOST, "--appendonly", "yes", "--appendfsync", "everysec",
                                          "--dir", str(d), "--save", "", "--daemonize", "no"])
        wait_port(PORT["redis"], 30, proc)

    def start_nginx(self) -> None:
        d = self.tmp / "nginx"
        d.mkdir(exist_ok=True)
        d.chmod(0o777)
        servers = "\n".join(f"    server {HOST}:{PORT[a]} max_fails=1 fail_timeout=3s;" for a in APPS)
        (d / "nginx.conf").write_text(f"""worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {self.tmp}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  client_max_body_size 20m;
  upstream linli {{
{servers}
    keepalive 32;
  }}
  server {{
    listen {HOST}:{PORT['nginx']};
    location / {{
      proxy_pass http://linli;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # A server that dies mid-request: a GET goes to the next one. A POST is not retried by the proxy
      # (it may have been done); the client sends it again with the same Idempotency-Key.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }}
  }}
}}
""")
        proc = self.procs.start("nginx", [which("nginx") or "nginx", "-p", str(d), "-c", str(d / "nginx.conf")])
        wait_port(PORT["nginx"], 30, proc)

    # Linli

    def env(self, *, direct: bool = False, **extra: str) -> dict[str, str]:
        pooled = f"postgres://postgres@{HOST}:{PORT['bouncer']}/linli"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.tmp), "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"postgres://postgres@{HOST}:{self.primary_port}/linli" if direct else pooled,
            "DATABASE_DIRECT_URL": f"postgres://postgres@{HOST}:{self.primary_port}/linli",
            "DATABASE_REPLICA_URL": f"postgres://postgres@{HOST}:{PORT['bouncer']}/linli_ro",
            "REDIS_URL": f"redis://{HOST}:{PORT['redis']}/0",
            "LINLI_VAR_DIR": str(self.tmp / "var"), "LINLI_DATA_KEY": self.data_key,
            "LINLI_SECRET_KEY": self.secret, "LINLI_DEBUG": "0", "LINLI_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LINLI_TRUSTED_PROXIES": "1", "LINLI_LOG_LEVEL": "WARNING", "LINLI_BENCH": "1",
            **extra,
        }
        return env

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=self.env(direct=True), cwd=ROOT,  # noqa: S603
                              capture_output=True, text=True, timeout=timeout)

    def setup_start(self) -> None:
        """The data key, then the import's workbook written in the background (it needs no database)."""
        from importlib import import_module

        sys.path.insert(0, str(ROOT))
        self.data_key = import_module("linli.core.crypto").new_key_line()
        (self.tmp / "var").mkdir()
        self.procs.start("workbook", [PY, str(ROOT / "bench" / "cluster" / "seed.py"), "--workbook", str(IMPORT_ROWS),
                                      str(self.tmp / "import.xlsx")], env=self.env(direct=True))

    def migrate_start(self) -> subprocess.Popen:
        return self.procs.start("migrate", [PY, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0", "--skip-checks"],
                                env=self.env(direct=True))

    def seed_start(self) -> subprocess.Popen:
        """Seed the city (connected directly to the primary); ``seed_wait`` reads what it made."""
        return self.procs.start("seed", [PY, str(ROOT / "bench" / "cluster" / "seed.py"), str(IMPORT_ROWS),
                                         str(self.tmp / "seed.json")], env=self.env(direct=True))

    def wait_ok(self, name: str, timeout: float = 900) -> None:
        if self.procs.procs[name].wait(timeout) != 0:
            log = (self.tmp / "logs" / f"{name}.log").read_text(errors="replace")
            raise RuntimeError(f"{name} failed:\n{log[-3000:]}")

    def seed_wait(self) -> None:
        self.wait_ok("seed")
        self.wait_ok("workbook")
        self.seed = json.loads((self.tmp / "seed.json").read_text())

    def start_app(self, name: str) -> None:
        self.start_apps((name,))

    def start_apps(self, names: tuple[str, ...] = APPS, numbering: str = "") -> None:
        """Start the app servers side by side, then wait for each to listen. ``numbering``: the case numbering
        they use (LINLI_CASE_NUMBERS), when not the default."""
        env = self.env(**({"LINLI_CASE_NUMBERS": numbering} if numbering else {}))
        procs = {name: self.procs.start(name, [PY, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                               f"{HOST}:{PORT[name]}", "--workers", "2", "--threads", "4",
                                               "--worker-class", "gthread", "--timeout", "120",
                                               "--graceful-timeout", "5"], env=env)
                 for name in names}
        for name, proc in procs.items():
            wait_port(PORT[name], 90, proc)

    def warm(self, names: tuple[str, ...] = APPS) -> None:
        """Every worker process of every server has served intakes (imports, templates, connections)
        before anything is timed or killed: four clients at once per server, three intakes each."""
        token, grids = self.seed["centre"]["token"], self.seed["grids"]

        def one(i: int) -> None:
            client = Client(PORT[names[i % len(names)]], token)
            for n in range(3):
                file_case(client, grids[(i + n) % len(grids)], n)
            client.close()

        with ThreadPoolExecutor(4 * len(names)) as pool:
            list(pool.map(one, range(4 * len(names))))

    def start_workers(self) -> None:
        self.procs.start("worker_periodic", [PY, str(ROOT / "manage.py"), "run_huey"], env=self.env())
        self.procs.start("worker", [PY, str(ROOT / "manage.py"), "run_huey", "--no-periodic"], env=self.env())

    def restart_apps(self, numbering: str = "district-last") -> None:
        with ThreadPoolExecutor(len(APPS)) as pool:
            list(pool.map(self.procs.stop, APPS))
        self.numbering = numbering
        self.start_apps(numbering=numbering)
        self.warm()  # before anything is timed


# --- phases -----------------------------------------------------------------------------------------------


def intake_body(grid: dict, n: int, title: str = "路灯不亮") -> dict:
    return {"category": "MUNI.STREETLIGHT", "title": f"{title} {n}", "description": "门口路灯坏了", "channel": "proxy",
            "place_id": grid["id"], "reporter_phone": grid["phone"]}


def file_case(client: Client, grid: dict, n: int, key: str | None = None) -> tuple[int, dict]:
    status, body = client.request("POST", "/api/v1/cases", intake_body(grid, n),
                                  headers={"Idempotency-Key": key} if key else None)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {}


def act(client: Client, case_id: int, action: str, data: dict | None = None) -> int:
    status, body = client.request("POST", f"/api/v1/cases/{case_id}/{action}", data or {})
    if status != 200:  # said, so that a refusal seen once can be read (the check counts only 5xx)
        say(f"  {action} of case {case_id} answered {status}: {body[:300].decode(errors='replace')}")
    return status


def db_rows_read(cluster: Cluster, port: int) -> int:
    return int(cluster.psql(port, "SELECT pg_stat_clear_snapshot(); SELECT tup_returned + tup_fetched "
                                  "FROM pg_stat_database WHERE datname = 'linli'").splitlines()[-1])


def phase_day(cluster: Cluster) -> None:
    say("phase 1: a scripted day through HTTP")
    seed = cluster.seed
    statuses: Counter = Counter()

    def intakes(n: int) -> list[tuple[int, dict, int]]:  # one grid's three intakes, by the dispatch centre
        centre, grid = Client(PORT["nginx"], seed["centre"]["token"]), seed["grids"][n]
        filed = [(*file_case(centre, grid, n * 10 + k), n) for k in range(3)]
        centre.close()
        return filed

    def handle(case_id: int, grid: dict) -> list[int]:  # one case the whole way, step after step
        staff = Client(PORT["nginx"], grid["staff"]["token"])
        worker = Client(PORT["nginx"], grid["worker"]["token"])
        steps = [(staff, "accept", {}), (staff, "dispatch", {}), (worker, "sign", {}), (worker, "handle", {}),
                 (worker, "report", {"reply": "已修复"}), (staff, "verify", {})]
        return [act(c, case_id, a, d) for c, a, d in steps]

    # Four at a time, as a centre and the grids' staff work side by side (each case's steps stay in order).
    with ThreadPoolExecutor(4) as pool:
        filed = [f for fs in pool.map(intakes, range(len(seed["grids"]))) for f in fs]
        statuses.update(status // 100 for status, _case, _n in filed)
        day_cases = [(case["id"], seed["grids"][n]) for status, case, n in filed if status == 201]
        handled = list(pool.map(lambda c: handle(*c), day_cases[::2]))  # half of them go the whole way
    statuses.update(code // 100 for codes in handled for code in codes)
    closed = sum(all(code == 200 for code in codes) for codes in handled)
    figure("scripted day", f"{len(day_cases)} intakes, {closed} handled to verification (points to the reporters)")
    # The import (through the upload form: a session).
    staff_first = next(c for c in seed["communities"] if c["id"] == seed["import_community"])["staff"]
    browser = Client(PORT["nginx"])
    check("staff log in through nginx", browser.login(staff_first["username"], seed["password"]))
    small = cluster.tmp / "import-small.xlsx"
    _write_small_workbook(cluster.tmp / "import.xlsx", small, 200)
    job = upload_import(browser, small, seed["import_community"])
    statuses[2 if job else 5] += 1
    done = wait_import(cluster, job, 120) if job else "none"
    check("a 200-row import ends done", done == "done", f"status {done}")
    # Reports: KPI pages, exports, Open311, the board, as readers that wrote nothing.
    reader = Client(PORT["nginx"])
    check("the city supervisor logs in", reader.login(seed["city_supervisor"]["username"], seed["password"]))
    time.sleep(APPLY_DELAY_MS / 1000 + 1.0)
    before = {p: db_rows_read(cluster, PORT[p]) for p in ("primary", "standby")}
    report_paths = ["/cases/kpi/", "/cases/kpi/?by=district", "/cases/kpi/?by=month", "/cases/kpi/export.xlsx",
                    "/open311/v2/discovery.json", "/open311/v2/services.json", "/open311/v2/requests.json"]
    report_paths += [f"/cases/board/{c['id']}" for c in seed["communities"]]
    for _round in range(3):
        for path in report_paths:
            status, _body = reader.request("GET", path)
            statuses[status // 100] += 1
    staff_reader = Client(PORT["nginx"])
    staff_reader.login(staff_first["username"], seed["password"])
    for path in ("/registry/export.xlsx", "/points/ledger/export/points.xlsx"):
        status, _body = staff_reader.request("GET", path)
        statuses[status // 100] += 1
    time.sleep(1.5)
    after = {p: db_rows_read(cluster, PORT[p]) for p in ("primary", "standby")}
    primary_rows, standby_rows = after["primary"] - before["primary"], after["standby"] - before["standby"]
    share = standby_rows / max(1, primary_rows + standby_rows)
    figure("report rows read", f"standby {standby_rows:,}, primary {primary_rows:,} ({share:.0%} from the standby)")
    check("most report rows come from the standby", share > 0.5, f"{share:.0%}")
    check("no 5xx in the scripted day", statuses[5] == 0, f"responses by class {dict(sorted(statuses.items()))}")
    read_only = sum(_grep(cluster.tmp / "logs" / f"{a}.log", "read-only transaction") for a in APPS)
    check("no write reached the standby", read_only == 0, f"{read_only} read-only errors in the app logs")
    # Sessions survive a Redis restart (cached_db: read from Redis, written through to the database).
    cluster.procs.stop("redis")
    cluster.start_redis()
    status, _body = reader.request("GET", "/cases/kpi/")
    check("a session survives a Redis restart", status == 200, f"GET /cases/kpi/ after the restart: {status}")


def _grep(path: Path, needle: str) -> int:
    try:
        return path.read_text(errors="replace").count(needle)
    except FileNotFoundError:
        return 0


_LOG_LINE = re.compile(r"^(\d\d:\d\d:\d\d [A-Z]+ |\[\d{4}-)")  # our logging format, gunicorn's own lines


def server_errors(logs: Path) -> dict[str, list[str]]:
    """Every 500 the app servers and workers logged, by log file: the "Internal Server Error: …" entries that
    carry a traceback (Django logs a page's 500 once with it; the API logs it with it, then Django once more
    without)."""
    found: dict[str, list[str]] = {}
    for path in sorted(logs.glob("*.log")):
        kept: list[str] = []
        block: list[str] | None = None
        for line in [*path.read_text(errors="replace").splitlines(), "00:00:00 END"]:
            if block is not None and not _LOG_LINE.match(line):
                block.append(line)
                continue
            if block is not None and len(block) > 1 and block[1].startswith("Traceback"):
                kept.append("\n".join(block))
            block = [line] if "Internal Server Error:" in line else None
        if kept:
            found[path.name] = kept
    return found


def keep_logs(tmp: Path) -> None:
    """A failed run: the servers' logs are copied out of the temporary folder (it is deleted) and every 500's
    traceback is printed, so that a failure seen once can be diagnosed."""
    kept = Path(os.environ.get("LINLI_CLUSTER_LOGS") or tempfile.mkdtemp(prefix="linli-cluster-logs-"))
    shutil.copytree(tmp / "logs", kept, dirs_exist_ok=True)
    say(f"a check failed: the servers' logs are kept in {kept}")
    for name, blocks in server_errors(tmp / "logs").items():
        print(f"--- {name}: {len(blocks)} internal server error(s); the last {min(3, len(blocks))}:")
        for block in blocks[-3:]:
            print(block[-4000:])
    nginx = tmp / "logs" / "nginx-error.log"
    if nginx.exists():
        print("--- nginx-error.log, last lines:")
        print("\n".join(nginx.read_text(errors="replace").splitlines()[-20:]))


def _write_small_workbook(source: Path, target: Path, rows: int) -> None:
    """The first ``rows`` persons of the seed's workbook go to ``target``; ``source`` keeps the others (the big
    import of phase 5 must not meet persons the small import registered: it would be rejected for them)."""
    from openpyxl import Workbook, load_workbook

    src = load_workbook(source, read_only=True)
    small, rest = Workbook(), Workbook()
    small.active.title = rest.active.title = src.worksheets[0].title
    for i, row in enumerate(src.worksheets[0].iter_rows(values_only=True)):
        if i == 0:
            small.active.append(list(row))
        (small if 0 < i <= rows else rest).active.append(list(row))
    src.close()
    small.save(target)
    rest.save(source)


def upload_import(client: Client, path: Path, community: int) -> int | None:
    status, page = client.request("GET", "/registry/import/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        return None
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("csrfmiddlewaretoken", match.group(1).decode()), ("community", str(community)),
                        ("create_houses", "on")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                 f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                 + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    status, _body = client.request("POST", "/registry/import/", raw=b"".join(parts),
                                   content_type=f"multipart/form-data; boundary={boundary}",
                                   headers={"Referer": f"http://127.0.0.1:{client.port}/registry/import/"})
    if status != 302:
        return None
    return int(cluster_last_job())


_CLUSTER: Cluster | None = None


def cluster_last_job() -> str:
    assert _CLUSTER is not None
    return _CLUSTER.psql(_CLUSTER.primary_port, "SELECT max(id) FROM residents_importjob")


def wait_import(cluster: Cluster, job: int, timeout: float) -> str:
    end = time.monotonic() + timeout
    status = ""
    while time.monotonic() < end:
        status = cluster.psql(cluster.primary_port, f"SELECT status FROM residents_importjob WHERE id = {int(job)}")
        if status in ("done", "failed"):
            return status
        time.sleep(1)
    return status


def phase_read_your_writes(cluster: Cluster, trials: int = 20) -> None:
    say(f"phase 2: read-your-writes with the standby {APPLY_DELAY_MS} ms behind")
    grid = cluster.seed["grids"][0]
    writer = Client(PORT["nginx"], cluster.seed["centre"]["token"])
    writer_stale = control_stale = 0
    for n in range(trials):
        status, case = file_case(writer, grid, 9000 + n)
        if status != 201:
            continue
        number = case["number"]
        status, body = writer.request("GET", f"/open311/v2/requests.json?service_request_id={number}")
        if status != 200 or number.encode() not in body:
            writer_stale += 1
        seen = cluster.psql(PORT["standby"], f"SELECT count(*) FROM cases_case WHERE number = '{number}'")
        if seen == "0":
            control_stale += 1
    figure("read-your-writes", f"{trials} writes: writer stale {writer_stale}, control (standby read at once) "
                               f"stale {control_stale}")
    check("the writer never reads a stale state", writer_stale == 0, f"{writer_stale}/{trials}")
    check("a client reading the standby directly does", control_stale > 0, f"{control_stale}/{trials}")


class LockSampler(threading.Thread):
    """Samples the primary's backends every 20 ms: how many are in a transaction, and how many of those
    wait for a lock on the case-number row."""

    def __init__(self, cluster: Cluster):
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(f"host={HOST} port={cluster.primary_port} user=postgres dbname=linli",
                                    autocommit=True)
        self.stop_event = threading.Event()
        self.busy = self.waiting = 0

    def run(self) -> None:
        sql = ("SELECT count(*) FILTER (WHERE state IN ('active', 'idle in transaction')), "
               "count(*) FILTER (WHERE wait_event_type = 'Lock' AND query ILIKE '%%cases_casesequence%%') "
               "FROM pg_stat_activity WHERE datname = 'linli' AND pid <> pg_backend_pid() "
               "AND backend_type = 'client backend'")
        while not self.stop_event.is_set():
            busy, waiting = self.conn.execute(sql).fetchone()
            self.busy += busy
            self.waiting += waiting
            time.sleep(0.02)

    def finish(self) -> float:
        self.stop_event.set()
        self.join()
        self.conn.close()
        return self.waiting / self.busy if self.busy else 0.0


def intake_run(cluster: Cluster, servers: int, concurrency: int, seconds: float, tag: str) -> tuple[float, float]:
    """Intakes for ``seconds`` by ``concurrency`` clients over the first ``servers`` app servers (straight
    to gunicorn), spread over the four districts. Returns (intakes per second, lock-wait share)."""
    grids = cluster.seed["grids"]
    token = cluster.seed["centre"]["token"]
    done = Counter()
    sampler = LockSampler(cluster)
    sampler.start()
    end = time.monotonic() + seconds

    def client_loop(i: int) -> None:
        client = Client(PORT[APPS[i % servers]], token)
        n = 0
        while time.monotonic() < end:
            grid = grids[(i * 7 + n) % len(grids)]
            status, _case = file_case(client, grid, n, key=f"{tag}-{i}-{n}")
            done[status] += 1
            n += 1
        client.close()

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client_loop, range(concurrency)))
    elapsed = time.monotonic() - started
    share = sampler.finish()
    return done[201] / elapsed, share


def phase_intake_rate(cluster: Cluster) -> None:
    say("phase 3: intake rate and the case-number lock, before and after")
    seconds = float(os.environ.get("LINLI_CLUSTER_RATE_SECONDS", "4"))
    shares = {}
    for scheme in ("city-first", "district-last"):  # the second is the default: the servers end with it
        if cluster.numbering == scheme:
            cluster.warm()  # booted with it during the set-up (this phase runs first), not yet served
        else:
            cluster.restart_apps(scheme)
        rows = []
        waits = []
        for servers in (1, 2, 3):
            for concurrency in (1, 4, 8):
                rate, share = intake_run(cluster, servers, concurrency, seconds, f"rate-{scheme}-{servers}-{concurrency}")
                rows.append(f"{servers}s×c{concurrency} {rate:5.1f}/s wait {share:4.0%}")
                if concurrency > 1:
                    waits.append(share)
        shares[scheme] = statistics.mean(waits)
        label = "before (one city-wide row, drawn first)" if scheme == "city-first" else "after (per district, drawn last)"
        figure(f"intakes/s {label}", "; ".join(rows))
    cut = shares["city-first"] / max(shares["district-last"], 1e-6)
    figure("share of busy time waiting on the case-number lock (c4, c8)",
           f"before {shares['city-first']:.1%}, after {shares['district-last']:.1%} (cut {cut:.1f}x)")
    check("the case-number lock wait is cut at least 5x", cut >= 5, f"{cut:.1f}x")


def phase_kill_app(cluster: Cluster, total: int = 3000, concurrency: int = 8) -> None:
    say(f"phase 4: kill -9 an app server in the middle of {total} requests")
    seed = cluster.seed
    token = seed["centre"]["token"]
    tag = f"kill-{uuid.uuid4().hex[:6]}"
    gets = ["/open311/v2/requests.json", "/api/v1/cases?limit=20", "/open311/v2/services.json"]
    lock = threading.Lock()
    failed_gets = []
    keys_sent: set[str] = set()
    counter = iter(range(total))
    killed = threading.Event()

    def loop(i: int) -> None:
        client = Client(PORT["nginx"], token)
        for n in counter:
            if n == total // 3 and not killed.is_set():
                killed.set()
                cluster.procs.kill9("app2")
            if n % 3 == 0:
                key = f"{tag}-{n}"
                grid = seed["grids"][n % len(seed["grids"])]
                for _attempt in range(3):  # the client's own retry when the proxy gave up
                    with lock:
                        keys_sent.add(key)
                    try:
                        status, _case = file_case(client, grid, n, key=key)
                    except OSError:
                        status = 0
                        client.close()
                    if status == 201:
                        break
            else:
                path = gets[n % len(gets)]
                try:
                    status, _body = client.request("GET", path)
                except OSError:
                    status = 0
                if status != 200:
                    with lock:
                        failed_gets.append(status)
        client.close()

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(loop, range(concurrency)))
    stored = int(cluster.psql(cluster.primary_port,
                              f"SELECT count(*) FROM cases_case WHERE external_id LIKE 'key:%%:{tag}-%%'".replace("%%", "%")))
    figure("kill -9 app server", f"{total} requests at concurrency {concurrency}; failed GETs {len(failed_gets)}; "
                                 f"keys sent {len(keys_sent)}, cases stored {stored}")
    check("0 failed GETs after the proxy's retry", not failed_gets, str(Counter(failed_gets)))
    check("cases stored = distinct keys sent", stored == len(keys_sent), f"{stored} vs {len(keys_sent)}")
    with ThreadPoolExecutor(2) as pool:  # the two recomputations side by side, the server restarting meanwhile
        kpi_f, points_f = pool.submit(cluster.manage, "kpi_recompute"), pool.submit(cluster.manage, "points_reconcile")
        cluster.start_app("app2")
        kpi, points = kpi_f.result(), points_f.result()
    check("KPI recompute differences 0", kpi.returncode == 0, kpi.stdout.strip().splitlines()[-1] if kpi.stdout else kpi.stderr[-300:])
    check("points reconcile", points.returncode == 0, (points.stdout or points.stderr).strip().splitlines()[-1])


def phase_kill_worker(cluster: Cluster) -> None:
    say(f"phase 5: kill -9 the periodic worker in the middle of a {IMPORT_ROWS}-row import, with K cases overdue")
    seed = cluster.seed
    k = 5
    centre = Client(PORT["nginx"], seed["centre"]["token"])
    overdue = []
    for n in range(k):
        status, case = file_case(centre, seed["grids"][n], 7000 + n)
        if status == 201:
            overdue.append(case["id"])
    ids = ",".join(str(i) for i in overdue)
    # Their handling deadline passed an hour ago (set in the database: the clock cannot be moved).
    cluster.psql(cluster.primary_port, f"UPDATE cases_case SET handle_due = now() - interval '1 hour', "
                                       f"handle_warn_at = now() - interval '2 hours' WHERE id IN ({ids})")
    staff_first = next(c for c in seed["communities"] if c["id"] == seed["import_community"])["staff"]
    browser = Client(PORT["nginx"])
    browser.login(staff_first["username"], seed["password"])
    job = upload_import(browser, cluster.tmp / "import.xlsx", seed["import_community"])
    check("the big import is queued", job is not None)
    if job is None:
        return
    end = time.monotonic() + 60
    while time.monotonic() < end:
        status = cluster.psql(cluster.primary_port, f"SELECT status FROM residents_importjob WHERE id = {job}")
        if status not in ("pending", ""):
            break
        time.sleep(0.5)
    time.sleep(2)
    for name in ("worker_periodic", "worker"):
        cluster.procs.kill9(name)
    say(f"  killed both workers with the import {status}")
    cluster.start_workers()
    final = wait_import(cluster, job, 240)
    runs = cluster.psql(cluster.primary_port, "SELECT status || ' after ' || attempts || ' attempts' FROM core_taskrun "
                                              f"WHERE key = 'residents.import:{int(job)}'")
    say(f"  the import's run: {runs}")
    if final != "done":
        say("  the import's problems: " + cluster.psql(
            cluster.primary_port, f"SELECT problem_count || ' ' || message || ' ' || left(problems::text, 300) "
                                  f"FROM residents_importjob WHERE id = {int(job)}"))
    check("the import ends done after the workers were killed", final == "done", f"status {final}; run {runs}")
    # The escalation task runs every minute in the periodic worker: wait for the K marks, then run it once
    # more at once (as the next tick would), which must add none.
    query = f"SELECT count(*) FROM cases_escalationmark WHERE level = 'handle' AND case_id IN ({ids})"
    end = time.monotonic() + 150
    escalations = 0
    while time.monotonic() < end:
        escalations = int(cluster.psql(cluster.primary_port, query))
        if escalations >= k:
            break
        time.sleep(2)
    again = cluster.manage("shell", "--no-imports", "-c", "from linli.cases.tasks import cases_escalate_overdue as t; "
                                          "print(t.call_local())")
    escalations = int(cluster.psql(cluster.primary_port, query))
    check(f"exactly K={k} escalations", escalations == k and again.returncode == 0,
          f"{escalations} (a further run: {(again.stdout or again.stderr).strip()[-200:]})")


def phase_partitions(cluster: Cluster, rows: int = int(os.environ.get("LINLI_CLUSTER_PARTITION_ROWS", "250000")),
                     detached: int = 3) -> None:
    say("phase 6: partitions")
    code = f"""
import json, time
from datetime import UTC, datetime, timedelta
from django.db import connection
from django.utils import timezone
from linli.core.models import AuditEntry
from linli.core.partitions import month_add, month_of, month_start, partition_detach, partition_month_ensure, partitions_of
out = {{}}
for m in (202603, 202604):
    partition_month_ensure("core_auditentry", "at", m)
a = AuditEntry(at=datetime(2026, 3, 31, 16, 0, tzinfo=UTC), action="cluster.boundary", actor_name="t"); a.save(force_insert=True)
b = AuditEntry(at=datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC), action="cluster.boundary", actor_name="t"); b.save(force_insert=True)
with connection.cursor() as c:
    c.execute("SELECT id, tableoid::regclass::text FROM core_auditentry WHERE action = 'cluster.boundary'")
    out["boundary"] = dict(c.fetchall())
out["a"], out["b"] = a.pk, b.pk
old = month_of(timezone.now() - timedelta(days=500))
# One month archived the old way (deleting its rows), then {detached} equal months archived by detaching
# them, each as the archive does it (audit_archive.archive_months: one transaction, partition_detach); the
# median of those is the figure (one commit waits on the synchronous standby's fsync, which this shared
# disk sometimes takes 100 ms over).
months = [month_add(old, i) for i in range({detached} + 1)]
for m in months:
    partition_month_ensure("core_auditentry", "at", m)
    with connection.cursor() as c:
        c.execute("INSERT INTO core_auditentry (at, actor_name, action, target_type, target_id, target_repr, "
                  "user_agent, result, detail) SELECT %s + (g * interval '1 second'), 't', 'cluster.bulk', '', '', '', "
                  "'', 'ok', '{{}}'::jsonb FROM generate_series(1, {rows}) g", [month_start(m)])
with connection.cursor() as c:
    c.execute("ANALYZE core_auditentry")
    c.execute("EXPLAIN SELECT count(*) FROM core_auditentry WHERE at >= %s AND at < %s", [month_start(old), month_start(months[1])])
    plan = "\\n".join(r[0] for r in c.fetchall())
out["scanned"] = sorted({{p.name for p in partitions_of("core_auditentry") if p.name in plan}})
# The archive before partitions: batches of 5,000 rows, each read under lock and deleted in its own
# transaction (linli/core/management/commands/audit_archive.py, archive_batch, without its file).
from django.db import transaction
t = time.perf_counter()
out["deleted"] = 0
cutoff = month_start(months[1])
while True:
    with transaction.atomic():
        ids = list(AuditEntry.objects.filter(at__lt=cutoff, action="cluster.bulk").order_by("at", "id")
                   .select_for_update().values_list("id", flat=True)[:5000])
        if not ids:
            break
        out["deleted"] += AuditEntry.objects.filter(pk__in=ids).delete_archived(before=cutoff)
out["delete_s"] = time.perf_counter() - t
out["detach_each_s"] = []
for m in months[1:]:
    t = time.perf_counter()
    with transaction.atomic():
        partition_detach("core_auditentry", m)
    out["detach_each_s"].append(time.perf_counter() - t)
out["detach_s"] = sorted(out["detach_each_s"])[len(out["detach_each_s"]) // 2]
print(json.dumps(out))
"""
    result = cluster.manage("shell", "--no-imports", "-c", code)
    if result.returncode != 0:
        check("partitions phase ran", False, result.stderr[-1500:])
        return
    out = json.loads(result.stdout.strip().splitlines()[-1])
    boundary = out["boundary"]
    check("a row at 2026-04-01 00:00 +08:00 lands in April, one a second earlier in March",
          boundary.get(str(out["a"])) == "core_auditentry_p202604" and boundary.get(str(out["b"])) == "core_auditentry_p202603",
          json.dumps(boundary))
    check("a one-month query reads one partition", len(out["scanned"]) == 1, ", ".join(out["scanned"]))
    ratio = out["delete_s"] / max(out["detach_s"], 1e-6)
    figure("audit archive of a month", f"{rows:,} rows: deleted in batches of 5,000 (the archive before) "
                                       f"{out['delete_s'] * 1000:,.0f} ms, detach + drop "
                                       f"{out['detach_s'] * 1000:,.1f} ms, the median of {detached} months "
                                       f"({', '.join(f'{d * 1000:,.1f}' for d in out['detach_each_s'])} ms) "
                                       f"({ratio:,.0f}x)")
    check("archiving a month by detach is at least 50x faster than deleting its rows", ratio >= 50, f"{ratio:,.0f}x")


def phase_failover(cluster: Cluster, concurrency: int = 4, warm_acks: int = 12) -> None:
    say("phase 7: kill -9 the primary under write load, promote the standby, repoint PgBouncer")
    seed = cluster.seed
    token = seed["centre"]["token"]
    cluster.warm()  # cold servers would answer nothing before the kill: no write would be in flight
    logged_500 = sum(map(len, server_errors(cluster.tmp / "logs").values()))
    acked: list[str] = []
    answers: list[tuple[float, float, int]] = []  # (sent, answered, status) of every intake
    errors = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    killed_at = [0.0]
    first_write_after = [0.0]

    def writer(i: int) -> None:
        client = Client(PORT["nginx"], token)
        n = 0
        while not stop.is_set():
            grid = seed["grids"][(i + n) % len(seed["grids"])]
            sent_at = time.monotonic()
            try:
                status, case = file_case(client, grid, n, key=f"fo-{i}-{n}")
            except OSError:
                status, case = 0, {}
                client.close()
            n += 1
            with lock:
                answers.append((sent_at, time.monotonic(), status))
                if status == 201:
                    acked.append(case["number"])
                    # The first write sent after the kill (one in flight may have committed before it).
                    if killed_at[0] and sent_at > killed_at[0] and not first_write_after[0]:
                        first_write_after[0] = time.monotonic()
                else:
                    errors[status] += 1
            if status != 201:
                time.sleep(0.05)
        client.close()

    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(writer, i) for i in range(concurrency)]
        # Kill once the writers are acknowledged steadily, so that writes are in flight at the kill.
        end = time.monotonic() + 60
        while len(acked) < warm_acks and time.monotonic() < end:
            time.sleep(0.05)
        before = len(acked)
        killed_at[0] = time.monotonic()
        cluster.procs.kill9("primary")
        # The operator's (or Patroni's) steps: promote the standby, point PgBouncer at it.
        with (cluster.pg("standby") / "postgresql.auto.conf").open("a") as conf:
            conf.write("recovery_min_apply_delay = 0\n")
        cluster.pg_run("pg_ctl", "-D", str(cluster.pg("standby")), "promote", "-w")
        cluster.primary_port = PORT["standby"]
        cluster.bouncer_config(PORT["standby"], PORT["standby"])
        cluster.bouncer_reload()
        promoted_at = time.monotonic()
        end = time.monotonic() + 60
        while not first_write_after[0] and time.monotonic() < end:
            time.sleep(0.1)
        time.sleep(3)
        stop.set()
        for f in futures:
            f.result()
    lost = 0
    if acked:
        numbers = ",".join(f"'{n}'" for n in acked)
        found = int(cluster.psql(PORT["standby"], f"SELECT count(*) FROM cases_case WHERE number IN ({numbers})"))
        lost = len(acked) - found
    to_write = first_write_after[0] - killed_at[0] if first_write_after[0] else float("inf")
    # The intakes the failover touched: in flight at the kill, or sent before the first write after it.
    recovered = first_write_after[0] or float("inf")
    touched = Counter(st for sent, answered, st in answers if answered > killed_at[0] and sent < recovered)
    figure("failover", f"{concurrency} writers; {before} intakes acknowledged before the kill, {len(acked)} in all; "
                       f"promote + repoint {promoted_at - killed_at[0]:.1f} s; first successful write "
                       f"{to_write:.1f} s after the kill; intakes in flight at the kill or sent before that write "
                       f"{sum(touched.values())} (answers {dict(sorted(touched.items()))}); errors in all {dict(errors)}")
    check("writes were in flight when the primary was killed", before > 0 and sum(touched.values()) > 0,
          f"{before} acknowledged before the kill, {sum(touched.values())} touched by the failover")
    check("writes succeed again after the failover", first_write_after[0] > 0, f"{to_write:.1f} s")
    check("0 acknowledged intakes lost (synchronous commit)", lost == 0, f"{lost} of {len(acked)}")
    logged_500 = sum(map(len, server_errors(cluster.tmp / "logs").values())) - logged_500
    check("the failover answers 503 (try again), never 500 or another error",
          set(errors) <= {503} and sum(touched.values()) > 0 and logged_500 == 0,
          f"answers to the intakes it touched {dict(sorted(touched.items()))}; all errors {dict(errors)}; "
          f"internal server errors logged {logged_500}")


# --- main -------------------------------------------------------------------------------------------------


def main() -> int:
    global _CLUSTER
    say(f"cluster-test: load average {load()} (2 shared cores: figures are relative to this load)")
    ensure_packages()
    keep = os.environ.get("LINLI_CLUSTER_KEEP") == "1"
    tmp = Path(tempfile.mkdtemp(prefix="linli-cluster-"))
    tmp.chmod(0o755)
    (tmp / "logs").mkdir()
    (tmp / "logs").chmod(0o777)
    cluster = Cluster(tmp)
    _CLUSTER = cluster

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        say(f"starting in {tmp}")
        cluster.setup_start()
        cluster.init_databases()
        cluster.start_bouncer()
        cluster.start_redis()
        # Side by side where nothing waits for it: the workbook from the start, the app servers booting
        # while migrating (they touch no table until a request comes), the workers while seeding.
        cluster.migrate_start()
        say("primary, standby, PgBouncer and Redis up; migrating while the app servers start")
        # The intake-rate phase runs first when chosen: its first half (the numbering before issue 18) uses the
        # servers booted here, which saves one restart of all three.
        phases = [phase_intake_rate, phase_day, phase_read_your_writes, phase_kill_app, phase_partitions,
                  phase_kill_worker, phase_failover]
        only = os.environ.get("LINLI_CLUSTER_PHASES")
        phases = [p for p in phases if not only or p.__name__.removeprefix("phase_") in only.split(",")]
        cluster.numbering = "city-first" if phase_intake_rate in phases else "district-last"
        cluster.start_apps(numbering=cluster.numbering)
        cluster.start_nginx()
        cluster.wait_ok("migrate")
        cluster.seed_start()
        say("migrated; seeding the city while the workers start")
        cluster.start_workers()
        cluster.seed_wait()
        say(f"seeded a city of {len(cluster.seed['districts'])} districts, {len(cluster.seed['grids'])} grids")
        for phase in phases:
            if time.monotonic() - STARTED > BUDGET and phase is not phase_failover:
                check(f"{phase.__name__} run within the time budget", False, "skipped: out of time")
                continue
            try:
                phase(cluster)
            except Exception as exc:  # one phase failing must not hide the others' counts
                traceback.print_exc()
                check(f"{phase.__name__} ran", False, repr(exc))
            if cluster.numbering != "district-last":  # the intake-rate phase stopped half-way
                cluster.restart_apps()
        hold = float(os.environ.get("LINLI_CLUSTER_HOLD", "0"))  # debugging: keep the cluster up a while
        if hold:
            (tmp / "cluster.json").write_text(json.dumps({"port": PORT, "seed": cluster.seed, "env": cluster.env()}))
            say(f"holding the cluster for {hold:.0f} s (delete {tmp / 'cluster.json'} to stop)")
            end = time.monotonic() + hold
            while time.monotonic() < end and (tmp / "cluster.json").exists():
                time.sleep(1)
    except Exception as exc:
        traceback.print_exc()
        check("cluster set up", False, repr(exc))
    finally:
        say("stopping every process started")
        cluster.procs.stop_all()
        left = [n for n in cluster.procs.order if cluster.procs.alive(n)]
        check("every process stopped", not left, ", ".join(left))
        say("stopped")
        if not all(ok for _n, ok, _d in RESULTS):
            with contextlib.suppress(OSError):
                keep_logs(tmp)
        if keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            say("removed the temporary folder")
    passed = sum(1 for _n, ok, _d in RESULTS if ok)
    failed = len(RESULTS) - passed
    print("\nfigures (load average at the end " + load() + "):")
    for name, value in FIGURES:
        print(f"  {name}: {value}")
    print(f"\ncluster-test: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
