"""Showing personal data unmasked: one door, always audited.

    phone = pii_reveal(actor=request.user, obj=person, field="phone", perm="registry.unmask")

The caller names the permission that allows it (the registry uses ``registry.unmask``). Every reveal
writes an audit row ``pii.unmask`` naming the object and the field, never the value; a refusal writes
a ``denied`` row and raises ``PermissionDenied``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import PermissionDenied
from linli.core.fields import EncryptedTextField
from linli.core.models import AuditResult


def pii_reveal(*, actor, obj: models.Model, field: str, perm: str, reason: str = "") -> str:
    """The plaintext of an encrypted field of ``obj``, for an actor holding ``perm``."""
    model_field = obj._meta.get_field(field)
    if not isinstance(model_field, EncryptedTextField):
        raise ValueError(f"{obj._meta.label}.{field} is not an encrypted field")
    detail = {"field": field, "perm": perm}
    if reason:
        detail["reason"] = reason[:200]
    if actor is None or perm not in getattr(actor, "perms", ()):
        audit_record(action="pii.unmask", actor=actor, target=obj, result=AuditResult.DENIED, detail=detail)
        raise PermissionDenied(_("You may not see this personal data unmasked."))
    audit_record(action="pii.unmask", actor=actor, target=obj, detail=detail)
    return getattr(obj, field) or ""
