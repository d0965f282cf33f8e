"""The dashboards app reads other apps only; the one thing it keeps is what it generated: the monthly
reports (Excel and PDF) of each street and community, one per place and month (regenerating replaces it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.dashboards.access import MonthlyReportQuerySet


class MonthlyReport(models.Model):
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    month = models.PositiveIntegerField(_("month"))  # yyyymm
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    xlsx = models.BinaryField(editable=False)
    pdf = models.BinaryField(editable=False)
    summary = models.JSONField(default=dict, blank=True, editable=False)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "place_path"]
        constraints = [models.UniqueConstraint(fields=["place", "month"], name="dashboards_report_place_month")]
        indexes = [models.Index(fields=["place_path", "-month"], name="dashboards_report_path")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.month}"
