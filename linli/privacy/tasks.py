"""The nightly anonymisation of persons past the retention period (``LINLI_RETENTION_DAYS``)."""

from __future__ import annotations

from huey import crontab

from linli.core.jobs import durable_periodic_task


@durable_periodic_task(crontab(minute="53", hour="3"))
def privacy_persons_anonymise() -> None:
    """Anonymise who moved away or died more than LINLI_RETENTION_DAYS ago, then scrub the database
    file (linli.privacy.actions.persons_anonymise)."""
    from linli.privacy.actions import persons_anonymise

    persons_anonymise()
