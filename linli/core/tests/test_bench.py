"""bench/: the benchmarks keep working (a very short run), and their baseline URL exists only for them."""

import json
import subprocess

import pytest
from django.conf import settings

from linli.core.tests.procs import PYTHON


def test_bench_baseline_url_is_absent_outside_benchmarks(client, db):
    assert settings.LINLI_BENCH is False
    assert client.get("/bench/bare").status_code == 404


@pytest.mark.slow
def test_http_rps_benchmark_measures_every_endpoint(tmp_path):
    out = tmp_path / "http_rps.json"
    result = subprocess.run(  # noqa: S603
        [PYTHON, "bench/http_rps.py", "--rounds", "1", "--seconds", "0.3", "--concurrency", "2", "--workers", "1",
         "--threads", "2", "--json", str(out)],
        # Most of the run is the fresh database's migrate (about 55 s on a quiet machine): under the full suite's
        # load it passed 180 s (the full run of 7 December at load 9). The run itself is a second.
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["path"]: row for row in json.loads(out.read_text())["results"]}
    assert set(rows) == {"/bench/bare", "/healthz", "/api/v1/me"}
    assert rows["/bench/bare"]["ratio_to_bare"] == 1.0
    for row in rows.values():
        assert row["requests"] > 0 and row["rps"] > 0
    assert "ratio to bare" in result.stdout
