"""Who sees which correction request: the resident who asked (their own), and staff who may change the
registry over the person's place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object
from linli.privacy.workflow import PERM_DECIDE

if TYPE_CHECKING:
    from linli.privacy.models import CorrectionRequest


class CorrectionQuerySet(ScopedQuerySet):
    """Staff who may change the registry see the requests of the persons in their scope; a resident sees
    their own (``requester``)."""

    def scope_q(self, scope: Scope, user: Any) -> Q:
        perms: frozenset[str] = getattr(user, "perms", frozenset())
        q = Q(requester_id=user.pk)
        if PERM_DECIDE in perms and "registry.view" in perms:
            q |= scope.place_q("place_path")
        return q


def access_correction(user: Any, pk: Any) -> CorrectionRequest:
    """The request ``pk`` with its person if ``user`` may see it, or Http404."""
    from linli.privacy.models import CorrectionRequest

    return access_object(CorrectionRequest.objects.select_related("person"), user, pk)
