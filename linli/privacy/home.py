"""The staff's home page count: correction requests waiting in their scope (CAP shown as "999+")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.privacy.models import CorrectionRequest
from linli.privacy.workflow import PERM_DECIDE, CorrectionStatus

CAP = 999


def home_counts(user: Any) -> list[dict[str, Any]]:
    perms: frozenset[str] = getattr(user, "perms", frozenset())
    if PERM_DECIDE not in perms or "registry.view" not in perms:
        return []
    qs = (CorrectionRequest.objects.visible_to(user).filter(status=CorrectionStatus.REQUESTED)
          .exclude(requester_id=user.pk))
    n = len(qs.values_list("pk", flat=True)[: CAP + 1])
    return [{"label": _("Correction requests"), "count": n, "shown": f"{CAP}+" if n > CAP else str(n),
             "url": reverse("privacy:corrections"), "level": "warning"}]
