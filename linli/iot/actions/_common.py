"""Small helpers shared by the iot actions."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import NotFound, PermissionDenied
from linli.core.text import clean_text as clean_text


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def perms(actor: Any) -> frozenset[str]:
    return getattr(actor, "perms", frozenset())


def require(actor: Any, perm: str, path: str = "") -> None:
    """The system (None) passes; a person needs ``perm`` and, for a place, a scope covering it (else 404)."""
    if actor is None:
        return
    if perm not in perms(actor):
        raise PermissionDenied(_("You may not do this."))
    if path:
        scope = getattr(actor, "scope", None)
        if scope is None or not scope.covers_path(path):
            raise NotFound(_("Not found."))


