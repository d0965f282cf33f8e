"""``linli rotate-key``: re-encrypt every encrypted field and recompute every lookup hash under the
current key (the first of the ring), in every installed model.

Rotation: put a new key first (``linli create-data-key --rotate``, or in ``LINLI_DATA_KEY``), run this
command, then the old key may be removed from the ring. Rows are read and written in batches, each in
its own transaction with the rows locked, so that a concurrent edit is never overwritten with an older
value. Running it again changes nothing (idempotent); it reports what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.fields import EncryptedTextField, LookupHashField


@dataclass
class ModelReport:
    label: str
    rows: int = 0
    changed_rows: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    failures: list[str] = field(default_factory=list)


def key_models() -> list[tuple[type[models.Model], list[EncryptedTextField], list[LookupHashField]]]:
    """Every concrete model with encrypted fields or lookup hashes of its own."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        own = model._meta.local_concrete_fields
        encrypted = [f for f in own if isinstance(f, EncryptedTextField)]
        hashes = [f for f in own if isinstance(f, LookupHashField)]
        if encrypted or hashes:
            found.append((model, encrypted, hashes))
    return found


def _rotate_batch(model, encrypted, hashes, after, batch_size: int, report: ModelReport):
    """Rotate one batch of rows with pk > ``after``; returns the last pk seen (None when done)."""
    current = crypto.key_ring().current
    raw = {f.attname: f"_raw_{f.attname}" for f in encrypted}
    plain_sources = sorted({h.source for h in hashes} - {f.name for f in encrypted} - {f.attname for f in encrypted})
    qs = model._base_manager.order_by("pk").select_for_update()
    if after is not None:
        qs = qs.filter(pk__gt=after)
    qs = qs.annotate(**{alias: Cast(name, models.TextField()) for name, alias in raw.items()})
    rows = list(qs.values("pk", *raw.values(), *[h.attname for h in hashes], *plain_sources)[:batch_size])
    changed = []
    for row in rows:
        report.rows += 1
        plaintext: dict[str, str | None] = {}
        stale = 0
        try:
            for f in encrypted:
                token = row[raw[f.attname]]
                if not token:
                    plaintext[f.name] = token  # "" or None, kept as it is
                    continue
                plaintext[f.name] = crypto.decrypt(token)
                stale += crypto.key_id_of(token) != current.key_id
        except crypto.DecryptionError as exc:
            report.failures.append(f"{report.label} pk={row['pk']}: {exc}")
            continue
        rehash = {}
        for h in hashes:
            source = plaintext[h.source] if h.source in plaintext else row[h.source]
            expected = h.hash_of(source)
            if row[h.attname] != expected:
                rehash[h.attname] = expected
        if stale or rehash:
            obj = model(pk=row["pk"])
            for f in encrypted:
                setattr(obj, f.attname, plaintext[f.name])
            for h in hashes:
                setattr(obj, h.attname, rehash.get(h.attname, row[h.attname]))
            changed.append(obj)
            report.changed_rows += 1
            report.reencrypted += stale
            report.rehashed += len(rehash)
    if changed:
        fields = [f.name for f in encrypted] + [h.name for h in hashes]
        model._base_manager.bulk_update(changed, fields, batch_size=batch_size)
    return rows[-1]["pk"] if len(rows) == batch_size else None


def rotate_all(*, batch_size: int = 500) -> list[ModelReport]:
    reports = []
    for model, encrypted, hashes in key_models():
        report = ModelReport(model._meta.label_lower)
        after = None
        while True:
            with transaction.atomic():
                after = _rotate_batch(model, encrypted, hashes, after, batch_size, report)
            if after is None:
                break
        reports.append(report)
    return reports


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field and recompute every lookup hash under the current data key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch_size: int = 500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        key_id = crypto.key_ring().current.key_id
        reports = rotate_all(batch_size=batch_size)
        for r in reports:
            self.stdout.write(
                f"{r.label}: {r.rows} rows, {r.changed_rows} changed "
                f"({r.reencrypted} values re-encrypted, {r.rehashed} hashes recomputed)"
                + (f", {len(r.failures)} failed" if r.failures else "")
            )
        totals = {
            "rows": sum(r.rows for r in reports),
            "changed_rows": sum(r.changed_rows for r in reports),
            "reencrypted": sum(r.reencrypted for r in reports),
            "rehashed": sum(r.rehashed for r in reports),
            "failed": sum(len(r.failures) for r in reports),
        }
        audit_record(
            action="core.key_rotate",
            actor_name="console",
            target_type="core.datakey",
            target_id=key_id,
            detail=totals,
        )
        failures = [f for r in reports for f in r.failures]
        if failures:
            raise CommandError(
                f"{len(failures)} rows could not be decrypted (is a key missing from the ring?):\n"
                + "\n".join(failures[:20])
            )
        self.stdout.write(
            f"Done: every encrypted value and lookup hash is under key {key_id} "
            f"({totals['reencrypted']} values re-encrypted, {totals['rehashed']} hashes recomputed). "
            "Older keys may now be removed from the ring."
        )
