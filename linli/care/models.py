"""Care for the elderly living alone and families in difficulty (PRODUCT.md §7): visit rules as data, visit
plans per person derived from their tags, visit logs from the phone, the needs found (群众需求清单), and home
services (health checks, haircuts) with their visit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.access import (
    HomeServiceQuerySet,
    MealOrderQuerySet,
    NeedQuerySet,
    PlanQuerySet,
    VisitQuerySet,
)
from linli.care.workflow import (
    Found,
    HomeServiceKind,
    HomeServiceStatus,
    MealKind,
    MealOrderStatus,
    NeedKind,
    NeedStatus,
)
from linli.core.models import EventRow

PATH_OPS = ["varchar_pattern_ops"]


class VisitRule(models.Model):
    """Who is visited how often: everyone with ``tag_code`` every ``every_days``; the supervisor is told
    when a visit is ``escalate_after_days`` overdue (the visitor from the first day)."""

    tag_code = models.SlugField(_("tag"), max_length=48, unique=True)
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    escalate_after_days = models.PositiveSmallIntegerField(_("tell the supervisor after (days overdue)"), default=3)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.tag_code} / {self.every_days}d"


class VisitPlan(models.Model):
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(VisitRule, on_delete=models.PROTECT, related_name="plans")
    place_path = models.CharField(max_length=255, editable=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("visitor"))
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    next_due = models.DateField(_("next visit by"))
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    overdue_told_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["next_due", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "rule"], name="care_plan_person_rule")]
        indexes = [
            models.Index(fields=["assignee", "next_due"], name="care_plan_assignee_due",
                         condition=models.Q(active=True)),
            models.Index(fields=["place_path", "next_due"], name="care_plan_path_due", opclasses=[*PATH_OPS, ""],
                         condition=models.Q(active=True)),
        ]

    def __str__(self) -> str:
        return f"plan {self.person_id} / {self.rule_id}"

    @property
    def is_overdue(self) -> bool:
        return self.active and self.next_due < timezone.localdate()


class Visit(models.Model):
    """One visit (走访/敲门) logged from the phone."""

    plan = models.ForeignKey(VisitPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, editable=False)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    visitor_name = models.CharField(max_length=64)
    visited_at = models.DateTimeField(_("visited at"))
    found = models.CharField(_("found"), max_length=12, choices=Found.choices)
    note = models.TextField(_("what was found"), blank=True, default="")
    photo = models.CharField(max_length=200, blank=True, default="")
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    home_service = models.ForeignKey("care.HomeServiceRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="visits")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "-visited_at"], name="care_visit_path", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["person", "-visited_at"], name="care_visit_person"),
        ]

    def __str__(self) -> str:
        return f"visit {self.person_id} {self.visited_at:%Y-%m-%d}"


class Need(models.Model):
    """A need raised on a visit (群众需求清单), until it becomes a case or an order or is resolved."""

    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="needs")
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=NeedKind.choices)
    text = models.CharField(_("need"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    order_id = models.PositiveBigIntegerField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "status"], name="care_need_path", opclasses=[*PATH_OPS, ""]),
        ]

    def __str__(self) -> str:
        return self.text


class HomeServiceRequest(models.Model):
    """A health check or a haircut at home, requested by a resident (or by staff for them), scheduled with a
    provider, done with a visit log."""

    kind = models.CharField(_("service"), max_length=12, choices=HomeServiceKind.choices)
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    wanted_on = models.DateField(_("wanted on"))
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    provider = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("provider"))
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=HomeServiceStatus.choices,
                              default=HomeServiceStatus.REQUESTED)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HomeServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class HomeServiceEvent(EventRow):
    request = models.ForeignKey(HomeServiceRequest, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


# --- the elders' canteen (老年幸福食堂) --------------------------------------------------------------------------


class CanteenQuerySet(models.QuerySet):
    def visible_to(self, user):
        from linli.core.access import scope_of, scope_prefixes

        scope = scope_of(user)
        if scope.is_empty:
            return self.none()
        return self.filter(models.Q(place_path__in=scope_prefixes(user)) | scope.place_q("place_path"))


class Canteen(models.Model):
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=80)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    delivers = models.BooleanField(_("delivers meals (助老送餐)"), default=True)
    order_until = models.TimeField(_("orders taken until (on the day)"), default="17:00")
    active = models.BooleanField(default=True)

    objects = CanteenQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class PriceRule(models.Model):
    """Who pays what: residents of ``min_age`` or more (from the registry's date of birth, on the day of the
    meal) pay ``percent`` of the price. The lowest price of the rules that apply wins."""

    code = models.SlugField(max_length=32, unique=True)
    label = models.CharField(_("rule"), max_length=80)
    min_age = models.PositiveSmallIntegerField(_("from age"))
    percent = models.PositiveSmallIntegerField(_("percent of the price"))
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(percent__lte=100), name="care_price_percent")]

    def __str__(self) -> str:
        return self.label


class MenuItem(models.Model):
    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="menu")
    day = models.DateField(_("day"))
    meal = models.CharField(_("meal"), max_length=12, choices=MealKind.choices, default=MealKind.LUNCH)
    name = models.CharField(_("dish"), max_length=100)
    price = models.DecimalField(_("price"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["day", "meal", "id"]
        indexes = [models.Index(fields=["canteen", "day"], name="care_menu_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class MealOrder(models.Model):
    item = models.ForeignKey(MenuItem, on_delete=models.PROTECT, related_name="orders")
    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="orders")
    day = models.DateField()
    person = models.ForeignKey("residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(max_length=64)
    orderer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    place_path = models.CharField(max_length=255, blank=True, default="")
    quantity = models.PositiveSmallIntegerField(default=1)
    full_price = models.DecimalField(max_digits=8, decimal_places=2)
    price = models.DecimalField(_("price paid"), max_digits=8, decimal_places=2)
    rule = models.CharField(max_length=32, blank=True, default="")
    deliver = models.BooleanField(_("deliver to the door"), default=False)
    address = models.CharField(_("delivery address"), max_length=200, blank=True, default="")
    status = models.CharField(max_length=12, choices=MealOrderStatus.choices, default=MealOrderStatus.ORDERED)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MealOrderQuerySet.as_manager()

    class Meta:
        ordering = ["day", "id"]
        indexes = [
            models.Index(fields=["canteen", "day", "status"], name="care_meal_day"),
            models.Index(fields=["orderer", "-day"], name="care_meal_orderer"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.person_name}"
