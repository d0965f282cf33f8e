"""``linli audit_archive [--out PATH] [--days N]``: move audit rows past the retention period to a file.

Rows older than ``LINLI_AUDIT_RETENTION_DAYS`` (at least 180; ``--days`` may only ask for more) are
written as JSON lines to a gzip file under ``var/archive/`` (or ``--out``: a directory, or a file
name ending in ``.gz``) and then deleted. Each batch is one transaction: the batch is appended to the
file as a complete gzip member and synced to disk before its rows are deleted, so a crash loses no
row (at worst a batch appears in an archive and again in the next one). Younger rows are never
touched; the database triggers refuse to delete them anyway.

On PostgreSQL the audit log is partitioned by month (linli/core/partitions.py): every month that lies
wholly before the cutoff is written to the file (synced) and then detached and dropped in one step,
instead of deleting its rows one by one; a month only partly past the cutoff waits for the next run.
Rows in the default partition (months that had no partition) are archived row by row as on SQLite.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from linli.core.audit import audit_record
from linli.core.batches import keyset_batches
from linli.core.models import AUDIT_MIN_RETENTION_DAYS, AuditEntry
from linli.core.partitions import month_add, month_start, months_before, partition_detach

FIELDS = ("id", "at", "actor_id", "actor_name", "action", "target_type", "target_id", "target_repr", "ip",
          "user_agent", "result", "detail")


def retention_days() -> int:
    return max(AUDIT_MIN_RETENTION_DAYS, int(getattr(settings, "LINLI_AUDIT_RETENTION_DAYS", 0) or 0))


def archive_path(out: str | None, cutoff_label: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"audit-before-{cutoff_label}-{stamp}.jsonl.gz"
    if out is None:
        return Path(settings.VAR_DIR) / "archive" / name
    path = Path(out)
    return path if path.name.endswith(".gz") else path / name


def _write(path: Path, rows: list[dict]) -> None:
    text = "".join(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n" for row in rows)
    with path.open("ab") as fh:
        fh.write(gzip.compress(text.encode("utf-8")))
        fh.flush()
        os.fsync(fh.fileno())


def archive_months(path: Path, cutoff, batch_size: int) -> int:
    """PostgreSQL: write each month partition wholly before ``cutoff`` to ``path``, then detach and drop
    it. Returns the rows archived."""
    table = AuditEntry._meta.db_table
    total = 0
    for month in months_before(table, cutoff):
        month_rows = AuditEntry.objects.filter(at__gte=month_start(month), at__lt=month_start(month_add(month, 1))).values(*FIELDS)
        for rows in keyset_batches(month_rows, batch_size):
            _write(path, rows)
            total += len(rows)
        with transaction.atomic():
            partition_detach(table, month)
    return total


def archive_batch(path: Path, cutoff, batch_size: int) -> int:
    """Write and delete one batch of the oldest rows; returns how many."""
    with transaction.atomic():
        rows = list(
            AuditEntry.objects.filter(at__lt=cutoff).order_by("at", "id").select_for_update().values(*FIELDS)[:batch_size]
        )
        if not rows:
            return 0
        _write(path, rows)
        deleted = AuditEntry.objects.filter(pk__in=[r["id"] for r in rows]).delete_archived(before=cutoff)
        if deleted != len(rows):
            raise CommandError(f"expected to delete {len(rows)} rows, deleted {deleted}; nothing of this batch was deleted")
        return deleted


class Command(BaseCommand):
    help = "Write audit rows older than the retention period to a gzip JSON-lines file, then delete them."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="directory or .jsonl.gz file (default var/archive/)")
        parser.add_argument("--days", type=int, help="archive rows older than this many days (>= the retention)")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, out=None, days=None, batch_size=5000, **options):
        keep = retention_days()
        if days is not None and days < keep:
            raise CommandError(f"--days must be at least {keep}: the audit log is kept that long.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        cutoff = timezone.now() - timedelta(days=days or keep)
        cutoff_label = timezone.localtime(cutoff).strftime("%Y%m%d")
        if not AuditEntry.objects.filter(at__lt=cutoff).exists():
            self.stdout.write(f"No audit rows older than {days or keep} days: nothing archived.")
            return
        path = archive_path(out, cutoff_label)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise CommandError(f"{path} exists already: choose another --out.") from None
        months = archive_months(path, cutoff, batch_size)
        total = months
        while count := archive_batch(path, cutoff, batch_size):
            total += count
        audit_record(
            action="core.audit_archive",
            actor_name="console",
            target_type="core.auditentry",
            detail={"rows": total, "by_partition": months, "before": cutoff.isoformat(), "file": path.name},
        )
        self.stdout.write(f"Archived {total} audit rows older than {days or keep} days to {path}"
                          + (f" ({months} by detaching whole months)." if months else "."))
