"""三单制 service orders and 微心愿 wishes (PRODUCT.md §3).

Both are stateful entities: their states and transition tables are in ``workflow.py``, every write goes
through ``actions/orders.py`` / ``actions/wishes.py``, and each change leaves an ``OrderEvent`` /
``WishEvent`` row and an audit entry. They began inside the party app and kept its tables, index names
and photo folders (``party/orders/``, ``party/wishes/``), so moving them moved no data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import EventRow
from linli.orders.access import OrderQuerySet, WishQuerySet
from linli.orders.workflow import (
    AdopterKind,
    OrderCategory,
    OrderClosedReason,
    OrderStatus,
    Satisfaction,
    WishStatus,
)

__all__ = ["OrderEvent", "ServiceOrder", "Wish", "WishEvent"]

_PATH_OPS = ["varchar_pattern_ops"]


def _order_photo_path(instance: models.Model, filename: str) -> str:
    return f"party/orders/{filename}"


def _wish_photo_path(instance: models.Model, filename: str) -> str:
    return f"party/wishes/{filename}"


class ServiceOrder(models.Model):
    """居民点单 → 支部下单 → 党员接单 → 群众评单."""

    category = models.CharField(_("service"), max_length=16, choices=OrderCategory.choices)
    description = models.TextField(_("description"))
    wanted_at = models.DateTimeField(_("wanted at"), null=True, blank=True)
    address = models.CharField(_("address or building"), max_length=200)
    photo = models.ImageField(_("photo"), upload_to=_order_photo_path, blank=True, default="")
    # Who asked: the resident's login (when they ordered themselves), their registry person, and the
    # staff member who entered it for them.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requester"),
    )
    requester_person = models.ForeignKey(
        "residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requester_name = models.CharField(_("requester"), max_length=64, blank=True, default="")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    # The branch that dispatches it (the branch over the place; the community committee when none).
    org = models.ForeignKey(
        "party.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("party branch"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED, editable=False
    )
    # The member it was dispatched to (waiting for their answer) or who took it.
    member = models.ForeignKey(
        "party.PartyMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("party member"),
    )
    placed_at = models.DateTimeField(_("ordered at"))
    dispatch_due = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    take_due = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True, default="")
    done_photo = models.ImageField(
        _("photo of the work"), upload_to=_order_photo_path, blank=True, default=""
    )
    hours = models.DecimalField(_("hours spent"), max_digits=5, decimal_places=1, null=True, blank=True)
    satisfaction = models.CharField(
        _("rating"), max_length=16, choices=Satisfaction.choices, blank=True, default=""
    )
    rating_comment = models.TextField(_("comment"), blank=True, default="")
    rated_at = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(_("flagged to the branch"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=16, choices=OrderClosedReason.choices, blank=True, default="")
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        db_table = "party_serviceorder"  # the table it had in the party app
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path"], name="party_order_path", opclasses=_PATH_OPS),
            models.Index(fields=["status", "id"], name="party_order_status"),
            models.Index(fields=["org", "status"], name="party_order_org_status"),
            models.Index(fields=["requester", "id"], name="party_order_requester"),
            models.Index(fields=["done_at"], name="party_order_unrated", condition=models.Q(status="done")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"


class OrderEvent(EventRow):
    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16)
    at = models.DateTimeField(_("time"))

    class Meta:
        db_table = "party_orderevent"  # the table it had in the party app
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="party_orderevent_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class Wish(models.Model):
    """微心愿: posted → published on the wall → adopted → fulfilled → confirmed."""

    title = models.CharField(_("wish"), max_length=80)
    description = models.TextField(_("description"), blank=True, default="")
    photo = models.ImageField(_("photo"), upload_to=_wish_photo_path, blank=True, default="")
    poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    poster_person = models.ForeignKey(
        "residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    poster_name = models.CharField(_("posted by"), max_length=64, blank=True, default="")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    # The community whose wall shows it.
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=WishStatus.choices, default=WishStatus.POSTED, editable=False
    )
    reject_reason = models.TextField(blank=True, default="")
    adopter_kind = models.CharField(max_length=16, choices=AdopterKind.choices, blank=True, default="")
    adopter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopter_person = models.ForeignKey(
        "residents.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopter_partner = models.ForeignKey(
        "party.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopter_name = models.CharField(_("adopted by"), max_length=120, blank=True, default="")
    posted_at = models.DateTimeField(_("posted at"))
    published_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfil_note = models.TextField(blank=True, default="")
    fulfil_photo = models.ImageField(upload_to=_wish_photo_path, blank=True, default="")
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        db_table = "party_wish"  # the table it had in the party app
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path"], name="party_wish_path", opclasses=_PATH_OPS),
            models.Index(fields=["community", "status", "id"], name="party_wish_wall"),
            models.Index(fields=["poster", "id"], name="party_wish_poster"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_repr(self) -> str:
        """The audit log's name for it: ``#id``, not its title (no free text that may name a person)."""
        return f"#{self.pk}"


class WishEvent(EventRow):
    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16)
    at = models.DateTimeField(_("time"))

    class Meta:
        db_table = "party_wishevent"  # the table it had in the party app
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["wish", "at"], name="party_wishevent_wish_at")]

    def __str__(self) -> str:
        return f"{self.wish_id} {self.kind}"
