"""Correction requests (PIPL Art. 46) and their event rows. The asked-for value is personal data: it is
stored encrypted, like the registry's ID numbers and phones, and wiped when the person is anonymised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.fields import EncryptedTextField
from linli.core.models import EventRow
from linli.privacy.access import CorrectionQuerySet
from linli.privacy.workflow import CORRECTABLE_FIELDS, CorrectionStatus

PATH_OPS = ["varchar_pattern_ops"]


class CorrectionRequest(models.Model):
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person's place when asked (scope: the staff over it decide).
    place_path = models.CharField(max_length=255, editable=False)
    field = models.CharField(_("field"), max_length=32, choices=[(k, v) for k, v in CORRECTABLE_FIELDS.items()])
    value = EncryptedTextField(_("the right value"), blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.REQUESTED,
        editable=False,
    )
    reason = models.TextField(_("reason"), blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path", "-id"], name="privacy_corr_open_path", opclasses=[*PATH_OPS, ""],
                         condition=models.Q(status="requested")),
            models.Index(fields=["person", "status"], name="privacy_corr_person"),
            models.Index(fields=["requester", "-id"], name="privacy_corr_requester"),
        ]

    def __str__(self) -> str:
        return f"correction {self.pk} ({self.field})"


class CorrectionEvent(EventRow):
    request = models.ForeignKey(CorrectionRequest, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"
