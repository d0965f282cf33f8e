"""KPI rollups: counters per (report month, place, category, department, compound kind), kept by the actions.

One row per combination actually seen; every counted ``CaseEvent`` adds to exactly one row (see
``linli.cases.kpi``). Any dimension (grid, community, street, department, category, the whole) and
any period of months is a ``SUM … GROUP BY`` over this small table. ``linli kpi-recompute``
rebuilds the same numbers from the event log and reports any difference.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.access import Scope, ScopedQuerySet

PATH_OPS = ["varchar_pattern_ops"]


class KpiRollupQuerySet(ScopedQuerySet):
    """Staff who see cases (``cases.view``) see the rollups of the places under their scope."""

    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        if "cases.view" not in getattr(user, "perms", ()):
            return Q(pk__in=[])
        return scope.place_q("place_path")

# Counters (integers) and sums (seconds) of a rollup row. docs/kpis.md defines each.
KPI_COUNTERS: tuple[str, ...] = (
    "reported",
    "refused",
    "merged",
    "accepted",
    "dispatched",
    "returned",
    "signed",
    "signed_ontime",
    "reported_back",
    "reported_back_ontime",
    "reworked",
    "verified",
    "extended",
    "rated",
    "satisfied",
    "solved",
    "closed",
    "closed_ontime",
    "reopened",
    "sign_seconds",
    "close_seconds",
)


class KpiRollup(models.Model):
    # The month the cases were reported in, as yyyymm (202603): a case counts in its report month.
    month = models.PositiveIntegerField(_("month"))
    # The path of the case's grid (or community, or street when nothing finer is known): scope.
    place_path = models.CharField(max_length=255, blank=True, default="")
    street_id = models.PositiveBigIntegerField(default=0)
    community_id = models.PositiveBigIntegerField(default=0)
    grid_id = models.PositiveBigIntegerField(default=0)
    category_id = models.PositiveBigIntegerField(default=0)
    # The owning department when the event happened (0: none).
    department_id = models.PositiveBigIntegerField(default=0)
    # The kind of the case's compound (三区: rented, relocation, ...; "" outside any compound).
    compound_kind = models.CharField(max_length=16, blank=True, default="", db_default="")

    reported = models.BigIntegerField(default=0)
    refused = models.BigIntegerField(default=0)
    merged = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    dispatched = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    signed = models.BigIntegerField(default=0)
    signed_ontime = models.BigIntegerField(default=0)
    reported_back = models.BigIntegerField(default=0)
    reported_back_ontime = models.BigIntegerField(default=0)
    reworked = models.BigIntegerField(default=0)
    verified = models.BigIntegerField(default=0)
    extended = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    solved = models.BigIntegerField(default=0)
    closed = models.BigIntegerField(default=0)
    closed_ontime = models.BigIntegerField(default=0)
    reopened = models.BigIntegerField(default=0)
    sign_seconds = models.BigIntegerField(default=0)
    close_seconds = models.BigIntegerField(default=0)

    objects = KpiRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI rollup")
        verbose_name_plural = _("KPI rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "place_path", "category_id", "department_id", "compound_kind"],
                name="cases_kpi_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["place_path", "month"], name="cases_kpi_path_month", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["month"], name="cases_kpi_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.place_path} c{self.category_id} d{self.department_id}"


class CaseStateCountQuerySet(KpiRollupQuerySet):
    pass


class CaseStateCount(models.Model):
    """The open cases counted, kept by the actions in the transaction of every event
    (``linli.cases.open_counts``); ``linli kpi-recompute`` compares them with the cases and rebuilds them.
    Two families of rows in one table (a case's changes are one statement):

    - ``clock=""``: per (grid path, state, handle-due month): what the big screens read;
    - ``clock="handle"`` / ``"sign"``: the cases whose handle (sign) deadline is watched, keyed like the KPI
      rollups (report month, grid path, category, department, compound kind) and by the deadline's hour
      (``due_hour``, hours since 1970 UTC; 0: an hour long past, folded): what the KPI page's overdue and
      awaiting-signature figures read."""

    clock = models.CharField(max_length=8, blank=True, default="", db_default="")
    # The case's path cut at its grid (else community, else street), like ``KpiRollup.place_path``.
    place_path = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, blank=True, default="")
    # yyyymm of the handle deadline (local time) for the states whose deadline is watched; 0 otherwise.
    due_month = models.PositiveIntegerField(default=0)
    # The KPI rollup's key (``clock`` rows; 0 / "" in the screens' rows).
    month = models.PositiveIntegerField(default=0, db_default=0)
    category_id = models.PositiveBigIntegerField(default=0, db_default=0)
    department_id = models.PositiveBigIntegerField(default=0, db_default=0)
    compound_kind = models.CharField(max_length=16, blank=True, default="", db_default="")
    due_hour = models.BigIntegerField(default=0, db_default=0)
    community_id = models.PositiveBigIntegerField(default=0, db_default=0)
    grid_id = models.PositiveBigIntegerField(default=0, db_default=0)
    n = models.BigIntegerField(default=0)

    objects = CaseStateCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("open cases count")
        verbose_name_plural = _("open cases counts")
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "place_path", "status", "due_month", "month", "category_id", "department_id",
                        "compound_kind", "due_hour"],
                name="cases_state_count_key2",
            ),
        ]
        indexes = [
            models.Index(fields=["clock", "place_path", "status"], name="cases_state_count_clock_path",
                         opclasses=["", *PATH_OPS, ""]),
        ]

    def __str__(self) -> str:
        return f"{self.clock or 'state'} {self.place_path} {self.status} {self.due_month or self.due_hour}: {self.n}"


class KpiCounters(models.Model):
    """The counters of ``KPI_COUNTERS`` as columns (the area rollups and their deltas)."""

    reported = models.BigIntegerField(default=0)
    refused = models.BigIntegerField(default=0)
    merged = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    dispatched = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    signed = models.BigIntegerField(default=0)
    signed_ontime = models.BigIntegerField(default=0)
    reported_back = models.BigIntegerField(default=0)
    reported_back_ontime = models.BigIntegerField(default=0)
    reworked = models.BigIntegerField(default=0)
    verified = models.BigIntegerField(default=0)
    extended = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    solved = models.BigIntegerField(default=0)
    closed = models.BigIntegerField(default=0)
    closed_ontime = models.BigIntegerField(default=0)
    reopened = models.BigIntegerField(default=0)
    sign_seconds = models.BigIntegerField(default=0)
    close_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class KpiAreaRollupQuerySet(KpiRollupQuerySet):
    scope_path_field = "area_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        if "cases.view" not in getattr(user, "perms", ()):
            return Q(pk__in=[])
        return scope.place_q("area_path")


class KpiAreaRollup(KpiCounters):
    """The grid-level rollups summed per street (``level="street"``) and per district: what a city-wide
    page reads (linli/cases/kpi_areas.py). Kept by folding ``KpiAreaDelta`` rows every minute."""

    level = models.CharField(max_length=8)
    # The street's or the district's path: scope.
    area_path = models.CharField(max_length=255)
    street_id = models.PositiveBigIntegerField(default=0)
    district_id = models.PositiveBigIntegerField(default=0)
    month = models.PositiveIntegerField()
    category_id = models.PositiveBigIntegerField(default=0)
    department_id = models.PositiveBigIntegerField(default=0)
    compound_kind = models.CharField(max_length=16, blank=True, default="")

    objects = KpiAreaRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI area rollup")
        verbose_name_plural = _("KPI area rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area_path", "month", "category_id", "department_id", "compound_kind"],
                name="cases_kpi_area_key",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "area_path", "month"], name="cases_kpi_area_path_month",
                         opclasses=["", *PATH_OPS, ""]),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.area_path} {self.month}"


class KpiAreaDelta(KpiCounters):
    """What one counted event adds at street and district level, waiting to be folded (an insert on the
    live path instead of an update of a hot row)."""

    month = models.PositiveIntegerField()
    street_id = models.PositiveBigIntegerField(default=0)
    district_id = models.PositiveBigIntegerField(default=0)
    street_path = models.CharField(max_length=255, blank=True, default="")
    district_path = models.CharField(max_length=255, blank=True, default="")
    category_id = models.PositiveBigIntegerField(default=0)
    department_id = models.PositiveBigIntegerField(default=0)
    compound_kind = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"delta {self.pk} {self.month}"
