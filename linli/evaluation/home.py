"""The staff's home page count: party members' commitments waiting for their approval before they are
shown on a building (shown only when some wait; CAP shown as "999+")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from linli.evaluation.models import Commitment
from linli.evaluation.workflow import PERM_MANAGE, CommitmentStatus

CAP = 999


def home_counts(user: Any) -> list[dict[str, Any]]:
    if PERM_MANAGE not in getattr(user, "perms", frozenset()):
        return []
    scope = getattr(user, "scope", None)
    if scope is None:
        return []
    qs = Commitment.objects.filter(scope.place_q("place_path"), status=CommitmentStatus.PENDING, active=True)
    n = len(qs.values_list("pk", flat=True)[: CAP + 1])
    if not n:
        return []
    return [{"label": _("Commitments to approve"), "count": n, "shown": f"{CAP}+" if n > CAP else str(n),
             "url": reverse("evaluation:commitments"), "level": "warning"}]
