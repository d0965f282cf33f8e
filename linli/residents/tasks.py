"""Registry background work: large imports run here, at least once (a worker killed mid-import: the
run is sent again and the import starts over, its rolled-back write never half done); media/imports/ is
swept every hour (old error reports, uploads past their limit, files no job refers to)."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task, durable_task


def import_run_key(job_id: int) -> str:
    return f"residents.import:{job_id}"


@durable_task(key=import_run_key)
def residents_import_run(job_id: int) -> None:
    from linli.residents.actions import import_job_run

    import_job_run(job_id=job_id)


@durable_periodic_task(crontab(minute="23"))
def residents_purge_import_files() -> None:
    from linli.residents.actions import import_jobs_purge

    import_jobs_purge()
