"""Core models: the audit log, the working-day calendar, the worker heartbeat, the columns of a typed event
row. No domain here."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    OK = "ok", _("Succeeded")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an append-only row."""


# The audit log keeps every row at least this long; the database triggers (migration 0002) say the same.
AUDIT_MIN_RETENTION_DAYS = 180


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("The audit log is append-only.")

    def delete_archived(self, *, before) -> int:
        """Delete the rows of this queryset older than ``before`` (used by ``audit_archive`` only, after
        the rows were written to the archive). ``before`` must lie past the minimum retention."""
        if before > timezone.now() - timedelta(days=AUDIT_MIN_RETENTION_DAYS):
            raise AppendOnlyError(f"Audit rows are kept at least {AUDIT_MIN_RETENTION_DAYS} days.")
        deleted, _by_model = models.QuerySet.delete(self.filter(at__lt=before))
        return deleted


class AuditEntry(models.Model):
    """One row per security- or governance-relevant event. Append-only: the model refuses updates and
    deletes, and database triggers (migration 0002) refuse them too, except the archiving of rows older
    than the retention period."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        # DO_NOTHING: deleting a user must not rewrite the rows that name them (actor_name keeps the name).
        "accounts.User", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=AuditResult.choices, default=AuditResult.OK)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "-at"], name="core_audit_actor_at")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.result}"

    # What the anonymisation after the retention period may blank (core.append_only.redaction; the
    # database's triggers allow nothing else, migration 0009).
    redactable_fields = ("actor_name", "target_repr", "detail")

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday, or a weekend day worked (调休)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class WorkerHeartbeat(models.Model):
    """The worker writes its heartbeat here every minute; /healthz reads it."""

    name = models.CharField(max_length=32, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at}"


class TaskRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class TaskRun(models.Model):
    """One run of a durable task (linli.core.jobs.durable_task): the record that makes Huey's delivery
    at-least-once. A worker claims it (runner stamp, heartbeat); a run whose runner died is queued
    again by the reaper, up to its attempts, then failed."""

    task = models.CharField(max_length=150)
    key = models.CharField(max_length=200, blank=True, default="", db_index=True)
    args = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=TaskRunStatus.choices, default=TaskRunStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    runner = models.CharField(max_length=100, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "queued_at"], name="core_taskrun_status")]
        constraints = [
            # One active run per key: a job is never run twice at once, a periodic run never overlaps.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(key=""),
                name="core_taskrun_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.args} ({self.status})"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A large Excel export written by the worker (linli.core.export_jobs): whose it is, what it exports,
    the scope it was asked under, its progress and its file (under media/exports/, removed after a time)."""

    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200)
    file = models.CharField(max_length=200, blank=True, default="")
    runner = models.CharField(max_length=100, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "finished_at"], name="core_exportjob_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class RateHit(models.Model):
    """One counted attempt for a rate limit (linli.core.ratelimit): a full-number search, an SMS code.
    ``key`` is a keyed hash (a phone number or address never sits here in clear)."""

    bucket = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "key", "at"], name="core_ratehit_lookup")]

    def __str__(self) -> str:
        return f"{self.bucket}:{self.key[:8]} {self.at}"


class Redaction(models.Model):
    """A row that exists only inside the transaction of an anonymisation run (``core.append_only.redaction``:
    inserted, then deleted before the commit): while it exists, that transaction — no other sees the row —
    may blank the free-text columns of the append-only tables (the audit log, the points and hours
    ledgers, the money ledger), and nothing else of them."""

    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"redaction {self.pk}"


class EventRow(models.Model):
    """The columns of every typed event row (``CaseEvent``, ``ApplicationEvent``, ...) that the one runner
    writes (``core.workflow.event_write``): what happened, who did it (and their name then), when, the
    move from one state to another, a note and the action's data. A subclass adds the foreign key to its
    entity, its ``Meta`` (ordering, indexes) and may narrow a column (``kind = CharField(max_length=16)``)."""

    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
