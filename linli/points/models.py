"""Points (积分) and service hours: the rules, one account per person, the append-only ledger, the
hours ledger, the points shop (积分超市) and the half-yearly selections (一年两评选).

Invariants (see docs/points.md):

- ``PointsEntry`` is append-only: the model and its queryset refuse updates and deletes, and database
  triggers (migration 0002) refuse them below the application. Corrections are new, reversing entries.
- Every entry has a unique ``source``: awarding the same source twice writes one entry.
- ``PointsAccount.balance`` is the sum of the person's entries; it moves in the same transaction as
  the entry, by a conditional UPDATE (``balance + amount >= 0``), and a CHECK constraint keeps it
  non-negative. ``points_reconcile`` recomputes it from the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import AppendOnlyError
from linli.points.access import (
    EntryQuerySet,
    HoursQuerySet,
    RedemptionQuerySet,
    SelectionQuerySet,
    ShopItemQuerySet,
)
from linli.points.workflow import RedemptionStatus, SelectionStatus

PATH_OPS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index (ignored on SQLite)


class Area(models.TextChoices):
    NONE = "", _("No area")
    DEMOCRACY = "democracy", _("Democratic building")  # 民主建设
    CIVILITY = "civility", _("Civility")  # 文明创建
    MUTUAL_AID = "mutual_aid", _("Neighbourly help")  # 邻里互助
    SAFETY = "safety", _("Safe production")  # 安全生产
    MEDIATION = "mediation", _("Dispute mediation")  # 调解纠纷


class PointsRule(models.Model):
    """One way of earning points. Shipped by migration 0003; staff with ``points.manage`` edit them."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    area = models.CharField(_("area"), max_length=16, choices=Area.choices, blank=True, default="")
    points = models.IntegerField(_("points"), default=1)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PointsAccount(models.Model):
    """A person's balance: the running sum of their entries, never below zero."""

    person = models.OneToOneField(
        "residents.Person", on_delete=models.PROTECT, related_name="points_account", verbose_name=_("person")
    )
    balance = models.IntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_account_balance_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.balance}"


class EntryKind(models.TextChoices):
    AWARD = "award", _("Award")
    CORRECTION = "correction", _("Correction")
    REVERSAL = "reversal", _("Reversal")
    REDEEM = "redeem", _("Redemption")
    REFUND = "refund", _("Refund")


# Entries that count as points earned (rankings, selections); redemptions and refunds do not.
EARNING_KINDS = (EntryKind.AWARD, EntryKind.CORRECTION, EntryKind.REVERSAL)


class PointsEntry(models.Model):
    """One line of the ledger. Append-only."""

    # Points stay where they were earned: a grid that moves takes its later entries with it, not its
    # history (the database refuses updates of a ledger row). Read by linli/places/paths.py.
    place_paths_kept = "append-only ledger: an entry keeps the place it was earned in"
    # What the anonymisation after the retention period may blank (core.append_only.redaction; the
    # database's triggers allow nothing else: migration 0006).
    redactable_fields = ("note", "actor_name")

    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="points_entries", verbose_name=_("person")
    )
    amount = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    rule = models.ForeignKey(
        PointsRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule")
    )
    area = models.CharField(_("area"), max_length=16, choices=Area.choices, blank=True, default="")
    # What earned or spent it, unique: "party.order:42", "points.redemption:7:redeem", ...
    source = models.CharField(_("source"), max_length=120, unique=True)
    # The person's place at the time of the entry (scope, grid and community rankings).
    place_path = models.CharField(max_length=255, blank=True, default="")
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True, default="")
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    at = models.DateTimeField(_("time"))

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path", "-id"], name="points_entry_path", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["person", "-id"], name="points_entry_person"),
            models.Index(fields=["at", "person"], name="points_entry_at"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.source} {self.amount:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The points ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The points ledger is append-only.")


class HoursKind(models.TextChoices):
    ORDER = "order", _("Service order")
    WISH = "wish", _("Wish")
    ACTIVITY = "activity", _("Activity")
    OTHER = "other", _("Other")


class HoursEntry(models.Model):
    """Service hours (志愿服务时长), one row per source. Append-only like the points ledger."""

    place_paths_kept = "append-only ledger: an entry keeps the place it was served in"
    redactable_fields = ("note", "actor_name")  # migration 0007

    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="hours_entries", verbose_name=_("person")
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=16, choices=HoursKind.choices)
    source = models.CharField(_("source"), max_length=120, unique=True)
    place_path = models.CharField(max_length=255, blank=True, default="")
    occurred_on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True, default="")
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path", "-id"], name="points_hours_path", opclasses=[*PATH_OPS, ""]),
            models.Index(fields=["person", "occurred_on"], name="points_hours_person"),
            models.Index(fields=["occurred_on", "person"], name="points_hours_on"),
        ]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="points_hours_gt_0")]

    def __str__(self) -> str:
        return f"{self.source} {self.hours}h"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The hours ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The hours ledger is append-only.")


# --- the points shop -----------------------------------------------------------------------------------


class ItemKind(models.TextChoices):
    SERVICE = "service", _("Service")
    GOODS = "goods", _("Goods")


class ShopItem(models.Model):
    """Something the points shop offers: a service (haircut, shoe or lock repair, housekeeping) or goods."""

    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default=ItemKind.GOODS)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    cost = models.PositiveIntegerField(_("points cost"))
    # None: unlimited (a service); otherwise what is left, never below zero.
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True)
    provider_name = models.CharField(_("provider"), max_length=100, blank=True, default="")
    provider_organisation = models.ForeignKey(
        "residents.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("provider organisation"),
    )
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("provider account"),
    )
    active = models.BooleanField(_("on offer"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShopItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop item")
        verbose_name_plural = _("shop items")
        ordering = ["cost", "id"]
        indexes = [models.Index(fields=["place_path"], name="points_item_path", opclasses=PATH_OPS)]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="points_item_stock_gte_0"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """A resident's exchange of points for an item: issued → fulfilled | refunded | cancelled."""

    code = models.CharField(_("code"), max_length=12, unique=True, editable=False)
    item = models.ForeignKey(
        ShopItem, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("item")
    )
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost = models.PositiveIntegerField(_("points"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.ISSUED,
        editable=False,
    )
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["place_path", "-id"], name="points_redemption_path", opclasses=[*PATH_OPS, ""]
            ),
            models.Index(fields=["person", "-id"], name="points_redemption_person"),
        ]

    def __str__(self) -> str:
        return self.code


class RedemptionEvent(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.redemption_id} {self.kind}"

    @property
    def label(self) -> str:
        labels = {
            "issue": _("Issued"),
            "fulfil": _("Hand over"),
            "refund": _("Refund"),
            "cancel": _("Cancel"),
        }
        return str(labels.get(self.kind, self.kind))


# --- selections (一年两评选) ------------------------------------------------------------------------------


class Half(models.TextChoices):
    H1 = "H1", _("First half")
    H2 = "H2", _("Second half")


class Selection(models.Model):
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.CharField(_("half"), max_length=2, choices=Half.choices)
    title = models.CharField(_("title"), max_length=100)
    points_weight = models.DecimalField(_("weight of points"), max_digits=5, decimal_places=2, default=1)
    hours_weight = models.DecimalField(_("weight of hours"), max_digits=5, decimal_places=2, default=1)
    size = models.PositiveSmallIntegerField(_("shortlist size"), default=10)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SelectionStatus.choices,
        default=SelectionStatus.DRAFT,
        editable=False,
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SelectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-year", "-half", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "half"], name="points_selection_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class SelectionEvent(models.Model):
    """One step of a selection (confirmed, published, reopened): who and when."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.selection_id} {self.kind}"


class SelectionCandidate(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+")
    points = models.IntegerField(default=0)
    hours = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    score = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    included = models.BooleanField(_("included"), default=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta:
        ordering = ["rank", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="points_candidate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}: {self.person_id}"
