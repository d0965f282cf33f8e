"""Smart monitoring (智慧社区): devices, their readings, alarm rules as data, alarms and their timeline,
and the facilities of the 15-minute life circles that the one map shows beside them.

- ``Device``: a sensor (gas, water, electricity, smoke, temperature, door) or a camera's status, placed on a
  compound or a building, with its own token (only its hash is stored; revocable).
- ``Reading``: append-only and time-indexed (``(device, at)`` and ``at``); raw rows are rolled up into
  ``ReadingRollup`` (one row per device and hour) and pruned after ``LINLI_IOT_RAW_DAYS``.
- ``AlarmRule``: threshold held for a duration, rate of change, offline for N minutes; a silence window;
  for a kind of device (optionally under a place) or for one device.
- ``Alarm``: raised once while its condition holds (a partial unique constraint: one open alarm per device
  and rule), acknowledged, cleared; it opens a case through the cases' intake.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.models import EventRow
from linli.iot.access import AlarmQuerySet, AlarmRuleQuerySet, DeviceQuerySet, FacilityQuerySet
from linli.iot.workflow import AlarmStatus


class DeviceKind(models.TextChoices):
    GAS = "gas", _("Gas detector")
    WATER = "water", _("Water meter")
    ELECTRICITY = "electricity", _("Electricity meter")
    SMOKE = "smoke", _("Smoke detector")
    TEMPERATURE = "temperature", _("Temperature sensor")
    DOOR = "door", _("Door sensor")
    CAMERA = "camera", _("Camera")


# The unit a kind reports in when a reading does not say.
DEFAULT_UNITS: dict[str, str] = {
    DeviceKind.GAS: "%LEL",
    DeviceKind.WATER: "MPa",
    DeviceKind.ELECTRICITY: "A",
    DeviceKind.SMOKE: "dB/m",
    DeviceKind.TEMPERATURE: "°C",
    DeviceKind.DOOR: "open",
    DeviceKind.CAMERA: "online",
}
# Kinds whose alarms are emergencies: an emergency notice goes out with the case.
EMERGENCY_KINDS = frozenset({DeviceKind.GAS, DeviceKind.SMOKE})


class Device(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    location = models.CharField(_("location"), max_length=100, blank=True, default="")  # 1幢2单元地下室
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True, default="")
    # The device's own token: only a SHA-256 of it is kept; the prefix names it in lists.
    token_prefix = models.CharField(max_length=12, blank=True, default="")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    token_revoked_at = models.DateTimeField(_("token revoked"), null=True, blank=True)
    maintenance_until = models.DateTimeField(_("in maintenance until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # The last reading, and the rule conditions holding since when ({rule id: ISO time}), kept under the
    # device's row lock by the ingest.
    last_value = models.FloatField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    pending = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["place_path"], name="iot_device_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "last_seen_at"], name="iot_device_kind_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Reading(models.Model):
    """One reading. Append-only (a trigger refuses UPDATE); rows older than the raw retention are deleted
    by the prune after their hours were rolled up."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField()
    value = models.FloatField()
    unit = models.CharField(max_length=16, blank=True, default="")
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["device", "at"], name="iot_reading_device_at"),
            models.Index(fields=["at"], name="iot_reading_at"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}@{self.at:%Y-%m-%d %H:%M:%S} {self.value}"


class ReadingRollup(models.Model):
    """One device's readings in one hour: count, min, max, sum (the mean is sum / n)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField()
    n = models.PositiveIntegerField()
    vmin = models.FloatField()
    vmax = models.FloatField()
    vsum = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "hour"], name="iot_rollup_device_hour")]

    def __str__(self) -> str:
        return f"{self.device_id}@{self.hour:%Y-%m-%d %H}h n={self.n}"


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold held for a duration")
    RATE = "rate", _("Rate of change")
    OFFLINE = "offline", _("Offline")


class Operator(models.TextChoices):
    ABOVE = "gt", pgettext_lazy("threshold", "above")
    BELOW = "lt", pgettext_lazy("threshold", "below")


class AlarmRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    # For every device of a kind (optionally only under ``place``), or for one device.
    device_kind = models.CharField(_("device kind"), max_length=16, choices=DeviceKind.choices, blank=True)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices, default=Operator.ABOVE)
    # Threshold: the value; rate: the change per minute.
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    duration_s = models.PositiveIntegerField(_("held for (seconds)"), default=0)
    offline_minutes = models.PositiveIntegerField(_("offline after (minutes)"), null=True, blank=True)
    # A daily window (local time) in which the rule raises nothing; from > to wraps midnight.
    silence_from = models.TimeField(_("silent from"), null=True, blank=True)
    silence_to = models.TimeField(_("silent until"), null=True, blank=True)
    emergency = models.BooleanField(_("emergency"), default=False)
    category_code = models.CharField(_("case category"), max_length=32, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlarmRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")
        ordering = ["device_kind", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class Alarm(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="alarms")
    rule = models.ForeignKey(AlarmRule, on_delete=models.PROTECT, related_name="alarms")
    status = models.CharField(_("status"), max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.RAISED)
    version = models.PositiveIntegerField(default=0)
    place_path = models.CharField(max_length=255, editable=False, default="")
    emergency = models.BooleanField(default=False)
    raised_at = models.DateTimeField(_("raised"))
    since = models.DateTimeField(_("condition since"))
    value = models.FloatField(_("last value"), null=True, blank=True)
    peak = models.FloatField(_("peak"), null=True, blank=True)
    readings = models.PositiveIntegerField(_("readings while raised"), default=0)
    last_reading_at = models.DateTimeField(null=True, blank=True)
    # The condition stopped holding (the alarm stays until a person clears it).
    recovered_at = models.DateTimeField(_("recovered"), null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlarmQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # Raised once while its condition holds: one open alarm per device and rule.
            models.UniqueConstraint(
                fields=["device", "rule"],
                condition=Q(status__in=[AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED]),
                name="iot_alarm_one_open",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path", "-raised_at"],
                name="iot_alarm_open_path",
                condition=Q(status__in=[AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED]),
            ),
            models.Index(fields=["raised_at"], name="iot_alarm_raised"),
        ]

    def __str__(self) -> str:
        return f"{self.device.code} {self.rule.name}"

    @property
    def is_open(self) -> bool:
        return self.status in (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED)


class AlarmEvent(EventRow):
    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.kind}"


class FacilityKind(models.TextChoices):
    CANTEEN = "canteen", _("Elders' canteen")
    CLINIC = "clinic", _("Clinic")
    SCHOOL = "school", _("School")
    ELDER_CENTRE = "elder_centre", _("Elder care centre")
    SPORTS = "sports", _("Sports ground")
    SERVICE_CENTRE = "service_centre", _("Service centre")


class Facility(models.Model):
    """A facility of the 15-minute life circle (canteen, clinic, school, ...): a point on the one map with
    rings of walking distance around it."""

    kind = models.CharField(_("kind"), max_length=16, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, editable=False, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    hours = models.CharField(_("opening hours"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["place_path"], name="iot_facility_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name
