"""Open311 API keys: only a hash is stored; the key is shown once when issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Key(models.Model):
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, editable=False)  # the first characters, to recognise a key
    key_hash = models.CharField(max_length=64, unique=True, editable=False)  # sha256 hex of the key
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
