"""Who sees which notice: its own person only (nobody reads another's inbox, whatever their role)."""

from __future__ import annotations

from typing import Any

from django.db import models


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> NoticeQuerySet:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk)
