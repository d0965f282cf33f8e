#!/usr/bin/env python3
"""HTTP requests per second: /healthz and an authenticated API call, against a bare Django view.

    .venv/bin/python bench/http_rps.py [--rounds 3] [--seconds 3] [--concurrency 4] [--workers 2] [--threads 4]

What it does, all on loopback and in a temporary directory (nothing of the checkout is touched):
1. a fresh SQLite database (migrate), one user and one bearer token;
2. gunicorn (gthread workers) in production mode, with LINLI_BENCH=1 so that the baseline URL
   /bench/bare exists: a view that returns "ok", behind the same middleware as every page;
3. a load generator in this script: CONCURRENCY processes, each with one keep-alive connection
   (http.client), sending GET requests back to back for SECONDS;
4. ROUNDS interleaved rounds (bare, healthz, api, then the next round in a rotated order), so that a
   change in the machine's load hits every endpoint alike.

Prints, per endpoint, requests per second (all rounds together), the median latency, and the ratio
to the bare view measured in the same run. Absolute figures depend on the machine; the ratios are
what to compare between runs. Any non-200 answer fails the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

MAKE_USER = """
import django
django.setup()
from linli.accounts.actions import token_issue, user_create
user = user_create(username="bench", password="Load-test-2026", display_name="bench", actor=None)
token, raw = token_issue(user=user, actor=user, name="bench")
print(raw)
"""


@dataclass
class Endpoint:
    name: str
    path: str
    headers: dict[str, str]


@dataclass
class Sample:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: list[str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(args: tuple[int, str, dict[str, str], float]) -> Sample:
    """One client: a keep-alive connection, GET after GET for ``seconds``."""
    port, path, headers, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    errors: list[str] = []
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        t0 = time.perf_counter()
        if t0 >= deadline:
            break
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc.__class__.__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        count += 1
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    conn.close()
    return Sample(count, elapsed, latencies[::10] or latencies, errors[:5])


def measure(pool, port: int, endpoint: Endpoint, seconds: float, concurrency: int) -> Sample:
    parts = pool.map(hammer, [(port, endpoint.path, endpoint.headers, seconds)] * concurrency)
    return Sample(
        requests=sum(p.requests for p in parts),
        # The clients run side by side: the wall time is the longest of them.
        seconds=max(p.seconds for p in parts),
        latencies_ms=[lat for p in parts for lat in p.latencies_ms],
        errors=[e for p in parts for e in p.errors],
    )


def setup(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"set-up failed: {' '.join(args)[:60]}\n{result.stderr}")
    return result.stdout


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer on {path} within {timeout} s")


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    sys.path.insert(0, str(ROOT))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LINLI_ENV": "production",
        "LINLI_SSL_REDIRECT": "0",
        "LINLI_SECRET_KEY": secrets.token_urlsafe(50),
        "LINLI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LINLI_VAR_DIR": str(tmp),
        "LINLI_STATIC_ROOT": str(tmp / "static"),
        "LINLI_BENCH": "1",
        "LINLI_LOG_LEVEL": "WARNING",
    }
    from linli.core.crypto import new_key_line

    env["LINLI_DATA_KEY"] = new_key_line()
    server = None
    try:
        setup(["manage.py", "migrate", "--noinput", "-v0"], env)
        token = setup(["-c", MAKE_USER], env).strip().splitlines()[-1]
        port = free_port()
        server_log = (tmp / "gunicorn.log").open("w")
        server = subprocess.Popen(  # noqa: S603
            [
                PYTHON, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
                "--keep-alive", "30", "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )
        wait_for(port, "/bench/bare")
        endpoints = [
            Endpoint("bare view", "/bench/bare", {}),
            Endpoint("/healthz", "/healthz", {}),
            Endpoint("GET /api/v1/me (bearer)", "/api/v1/me", {"Authorization": f"Bearer {token}"}),
        ]
        totals = {e.name: Sample(0, 0.0, [], []) for e in endpoints}
        per_round: list[dict[str, float]] = []  # requests/s of each endpoint in each round
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.concurrency) as pool:
            for endpoint in endpoints:  # warm-up: imports, connections, caches
                measure(pool, port, endpoint, min(1.0, args.seconds), args.concurrency)
            for round_no in range(args.rounds):
                shift = round_no % len(endpoints)
                per_round.append({})
                for endpoint in endpoints[shift:] + endpoints[:shift]:
                    sample = measure(pool, port, endpoint, args.seconds, args.concurrency)
                    per_round[-1][endpoint.name] = sample.requests / sample.seconds
                    total = totals[endpoint.name]
                    total.requests += sample.requests
                    total.seconds += sample.seconds
                    total.latencies_ms += sample.latencies_ms
                    total.errors += sample.errors
        errors = [e for t in totals.values() for e in t.errors]
        if errors:
            raise SystemExit("non-200 answers: " + "; ".join(errors[:5]) + f"\nserver log: {tmp / 'gunicorn.log'}")
        bare_rps = totals["bare view"].requests / totals["bare view"].seconds
        results = []
        for endpoint in endpoints:
            total = totals[endpoint.name]
            rps = total.requests / total.seconds
            round_ratios = [r[endpoint.name] / r["bare view"] for r in per_round]
            results.append({
                "endpoint": endpoint.name,
                "path": endpoint.path,
                "requests": total.requests,
                "rps": round(rps, 1),
                "p50_ms": round(statistics.median(total.latencies_ms), 2),
                "ratio_to_bare": round(rps / bare_rps, 3),
                "round_ratios": [round(r, 3) for r in round_ratios],
            })
        return {
            "benchmark": "http_rps",
            "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads, SQLite (WAL), production settings",
            "load": f"{args.concurrency} keep-alive clients, {args.rounds} interleaved rounds of {args.seconds} s",
            "cpus": os.cpu_count(),
            "results": results,
        }
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def report(result: dict) -> str:
    lines = [
        f"http_rps: {result['server']}",
        f"          {result['load']}, {result['cpus']} CPUs",
        "",
        f"{'endpoint':<28} {'requests/s':>11} {'p50 ms':>8} {'ratio to bare':>14}  ratio per round",
    ]
    for row in result["results"]:
        rounds = " ".join(f"{r:.3f}" for r in row["round_ratios"])
        lines.append(
            f"{row['endpoint']:<28} {row['rps']:>11.1f} {row['p50_ms']:>8.2f} {row['ratio_to_bare']:>14.3f}  {rounds}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="per endpoint and round")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--json", help="also write the result to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = parser.parse_args(argv)
    result = run(args)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
