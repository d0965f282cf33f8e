"""The nightly anonymisation of persons past the retention period (``LINLI_RETENTION_DAYS``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="53", hour="3"))
@lock_task("privacy-anonymise")
def privacy_persons_anonymise() -> None:
    """Anonymise who moved away or died more than LINLI_RETENTION_DAYS ago, then scrub the database
    file (linli.privacy.actions.persons_anonymise)."""
    from linli.privacy.actions import persons_anonymise

    persons_anonymise()
