"""A real worker killed with SIGKILL in the middle of an import: the killed write leaves nothing, the
next worker's start-up reaper sends the run again (at-least-once, linli.core.jobs.durable_task), the
new worker takes the job over and it ends done with exactly the workbook's rows (never "writing 52%"
forever, nothing written twice), and no workbook is left on disk.

The worker is ``manage.py run_huey`` in a child process on a database of its own (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL). The test waits until the worker is
writing rows, kills it, starts a new worker (whose start-up runs the reaper) and reads the outcome.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap

import pytest
from django.db import connection

from linli.core.tests.procs import MANAGE, PYTHON, clean_env, manage, pid_alive, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROWS = 20_000

SETUP = textwrap.dedent(
    """
    import datetime, io, json
    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile
    from linli.core.idnumber import make_id_number
    from linli.core.testing.personas import make_user
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.residents.actions import import_job_create
    from linli.residents.excel import DATA_SHEET, HEADERS
    from linli.residents.tasks import residents_import_run

    street = place_create(kind=PlaceKind.STREET, name="街道", code="330102001000")
    community = place_create(kind=PlaceKind.COMMUNITY, name="社区", code="330102001001", parent=street)
    user = make_user("importer", "community_staff", place=community)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True})
    ws = wb.add_worksheet(DATA_SHEET)
    ws.write_row(0, 0, list(HEADERS))
    col = {h: i for i, h in enumerate(HEADERS)}
    for n in range(ROWS):
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 400)
        ws.write_string(n + 1, col["姓名"], "测试" + str(n))
        ws.write_string(n + 1, col["身份证号"], make_id_number("330102", birth, (n % 400) * 2 + 1))
    wb.close()
    job = import_job_create(actor=user, community=community,
                            upload=SimpleUploadedFile("big.xlsx", buf.getvalue()))
    residents_import_run(job.pk)  # queued: this process is not the worker
    print("JOB=" + json.dumps({"id": job.pk, "file": job.file}))
    """
).replace("ROWS", str(ROWS))

READ = textwrap.dedent(
    """
    import json
    from linli.residents.models import ImportJob, Person
    job = ImportJob.objects.get(pk=JOB)
    from linli.core.models import TaskRun
    runs = list(TaskRun.objects.filter(key=f"residents.import:{JOB}").values_list("status", "attempts"))
    print("STATE=" + json.dumps({"status": job.status, "message": job.message, "file": job.file,
                                 "persons": Person.objects.count(),
                                 "distinct": Person.objects.values("id_number_hash").distinct().count(),
                                 "runs": runs}))
    """
)


@pytest.fixture
def child_env(tmp_path):
    """The child's environment: its own var directory, and on PostgreSQL a database of its own."""
    var = tmp_path / "var"
    var.mkdir()
    if connection.vendor != "postgresql":
        yield clean_env(var)
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_kill9"[:60]
    dsn = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    yield clean_env(var, DATABASE_URL=url)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _state(env, job_id: int) -> dict:
    result = manage("shell", "-c", READ.replace("JOB", str(job_id)), env=env)
    assert result.returncode == 0, result.stderr
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("STATE="))
    return json.loads(line[len("STATE="):])


def _worker(env, log_path):
    out = log_path.open("a")
    return subprocess.Popen([PYTHON, MANAGE, "run_huey"], env=env, stdout=out, stderr=subprocess.STDOUT), out  # noqa: S603


def test_worker_killed_mid_import_is_run_again_and_ends_done(child_env, tmp_path):
    env = {**child_env, "LINLI_JOB_STALE_SECONDS": "600"}  # only the dead runner may end it, not the clock
    assert manage("migrate", "--noinput", "-v0", env=env, timeout=900).returncode == 0
    setup = manage("shell", "-c", SETUP, env=env, timeout=900)
    assert setup.returncode == 0, setup.stderr
    job = json.loads(next(ln for ln in setup.stdout.splitlines() if ln.startswith("JOB="))[4:])
    imports = tmp_path / "var" / "media" / "imports"
    assert (imports / job["file"].split("/", 1)[1]).exists()

    log = tmp_path / "worker.log"
    worker, out = _worker(env, log)
    try:
        progress = imports / f"job-{job['id']}.progress"

        def writing():
            try:
                done, _total = progress.read_text().split()
            except (OSError, ValueError):
                return False
            return int(done) >= 1000

        assert wait_until(writing, timeout=600, interval=0.2), log.read_text()[-3000:]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert not pid_alive(worker.pid)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        out.close()

    killed = _state(env, job["id"])
    assert killed["status"] == "writing" and killed["persons"] == 0  # the write transaction was rolled back

    # A new worker starts: its start-up runs the reaper, which sees the old runner's process is gone and
    # sends the run again; the new worker takes the job over and imports the workbook from the start.
    worker, out = _worker(env, log)
    try:
        assert wait_until(lambda: _state(env, job["id"])["status"] in ("done", "failed", "rejected"),
                          timeout=900, interval=1.0), log.read_text()[-3000:]
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        out.close()
    final = _state(env, job["id"])
    assert final["status"] == "done", final
    assert final["persons"] == ROWS and final["distinct"] == ROWS  # every row once
    assert final["file"] == "" and final["runs"] == [["done", 2]]  # the run was sent again once
    assert not [p.name for p in imports.iterdir()], "a workbook or progress file was left behind"
