"""Registry background work: large imports run here; media/imports/ is swept every hour (old error
reports, uploads past their limit, files no job refers to)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def residents_import_run(job_id: int) -> None:
    from linli.residents.actions import import_job_run

    import_job_run(job_id=job_id)


@db_periodic_task(crontab(minute="23"))
def residents_purge_import_files() -> None:
    from linli.residents.actions import import_jobs_purge

    import_jobs_purge()
