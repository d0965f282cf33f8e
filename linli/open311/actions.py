"""Issuing and revoking Open311 API keys (staff with ``cases.dispatch``, or the console)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.open311.models import Open311Key

PERM_KEYS = "cases.dispatch"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check(actor: Any) -> None:
    if actor is not None and PERM_KEYS not in getattr(actor, "perms", ()):
        raise PermissionDenied(_("You may not manage Open311 keys."))


def open311_key_issue(*, name: str, actor: Any) -> tuple[Open311Key, str]:
    """A new key named ``name``: returns the row and the key (shown once; only its hash is kept)."""
    _check(actor)
    name = (name or "").strip()[:100]
    if not name:
        raise Invalid(_("Give the key a name."), fields={"name": [_("This field is required.")]})
    key = "o311_" + secrets.token_urlsafe(24)
    row = Open311Key.objects.create(
        name=name, prefix=key[:9], key_hash=key_hash(key),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(action="open311.key_issue", actor=actor, actor_name="" if actor else "system", target=row,
                 detail={"name": name, "prefix": row.prefix})
    return row, key


def open311_key_revoke(*, key_id: int, actor: Any) -> Open311Key:
    _check(actor)
    row = Open311Key.objects.filter(pk=key_id).first()
    if row is None:
        raise NotFound(_("Not found."))
    Open311Key.objects.filter(pk=row.pk).update(revoked=True)
    row.revoked = True
    audit_record(action="open311.key_revoke", actor=actor, actor_name="" if actor else "system", target=row,
                 detail={"name": row.name, "prefix": row.prefix})
    return row


def open311_key_check(key: str) -> Open311Key | None:
    """The live key row for ``key``, or None (missing, unknown or revoked)."""
    if not key:
        return None
    row = Open311Key.objects.filter(key_hash=key_hash(key), revoked=False).first()
    if row is not None:
        Open311Key.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row
