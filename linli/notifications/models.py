"""The outbox: one ``Notice`` per recipient (the in-app inbox row, or a phone-only recipient's SMS) and
one ``Delivery`` per outside channel (SMS, WeChat, e-mail) that a worker claims and sends after commit.

A notice row is written inside the action's transaction (``notice_queue``), so a change that rolls back
tells nobody and a change that commits is never forgotten: the rows wait until a worker delivers them.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.fields import EncryptedTextField
from linli.notifications.access import NoticeQuerySet


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")


class Notice(models.Model):
    """A message to one person: an account (shown in their inbox) or a phone number without an account
    (a resident who reported by phone; delivered by SMS only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    kind = models.CharField(_("kind"), max_length=32)
    ref = models.CharField(_("about"), max_length=64)  # "<app>.<entity>:<id>", e.g. "cases.case:12"
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Written with the notice when its person's outside channels are still to be looked up: the worker
    # does that after the commit (the action's transaction only writes).
    fanout_pending = models.BooleanField(default=False, editable=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="notif_notice_user"),
            models.Index(
                fields=["user"],
                condition=Q(read_at__isnull=True, user__isnull=False),
                name="notif_notice_unread",
            ),
            models.Index(fields=["ref"], name="notif_notice_ref"),
            models.Index(fields=["id"], condition=Q(fanout_pending=True), name="notif_notice_fanout"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(user=None) | ~Q(phone=""), name="notif_notice_has_recipient"),
        ]

    def __str__(self) -> str:
        return f"notice {self.pk} {self.kind} {self.ref}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One notice through one outside channel. A worker claims it (``sending`` until ``claimed_until``);
    a worker that dies mid-send leaves the claim to expire and the next worker sends it again with the
    same dedupe key, which the gateway uses to drop the repeat."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notice", "channel"], name="notif_delivery_once")]
        indexes = [
            models.Index(
                fields=["next_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notif_delivery_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.notice_id} {self.status}"

    @property
    def dedupe_key(self) -> str:
        """Stable for this notice and channel across every attempt (a gateway drops repeats by it)."""
        return f"linli-{self.notice_id}-{self.channel}"


def _default_digest_at() -> time:
    return time(8, 0)


class NoticePreference(models.Model):
    """How a person wants to be told: the outside channels besides the inbox, and for staff whether the
    stream is replaced by one daily digest (new, due soon, overdue, summoned) at a time they choose."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channels = models.JSONField(_("channels"), default=list, blank=True)
    digest = models.BooleanField(_("daily digest instead of single notices"), default=True)
    digest_at = models.TimeField(_("digest time"), default=_default_digest_at)
    digest_last = models.DateField(null=True, blank=True, editable=False)
    wechat_openid = models.CharField(_("WeChat OpenID"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
