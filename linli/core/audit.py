"""Writing the audit log. Actions call ``audit_record`` explicitly (never through signals)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from linli.core import context
from linli.core.inserts import insert_many, insert_one, new_instance
from linli.core.masking import mask_text
from linli.core.models import AuditEntry, AuditResult


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def audit_entry(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_repr: str = "",
    result: str = AuditResult.OK,
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
    ctx: context.RequestContext | None = None,
) -> AuditEntry:
    """The audit row of one event, not yet saved (``audit_record`` saves it; a bulk writer inserts many with
    ``core.inserts.insert_many``)."""
    ctx = ctx or context.current()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        # A model may name its rows in the log otherwise than on pages (``audit_repr``): a person by the
        # masked name, so that the log, kept for years, does not hold names after anonymisation.
        target_repr = target_repr or str(getattr(target, "audit_repr", None) or target)
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor_name or actor.get_username()
    else:
        actor = None
    return new_instance(
        AuditEntry,
        at=timezone.now(),
        actor=actor,
        actor_name=actor_name[:150],
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        target_repr=mask_text(target_repr)[:200],
        ip=ctx.ip,
        user_agent=ctx.user_agent,
        result=result,
        detail={"channel": ctx.channel, **_scrub(detail or {})},
    )


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_repr: str = "",
    result: str = AuditResult.OK,
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one audit row. ID numbers and phones in text are masked before they are stored."""
    entry = audit_entry(action=action, actor=actor, target=target, target_type=target_type, target_id=target_id,
                   target_repr=target_repr, result=result, detail=detail, actor_name=actor_name)
    insert_one(entry)  # as save(force_insert=True), without the query compiler (an audit row per action)
    return entry


def audit_record_many(
    *, action: str, actor=None, actor_name: str = "", targets: Iterable[tuple[models.Model, dict[str, Any]]],
    batch_size: int = 1000,
) -> int:
    """One audit row per (target, detail), exactly as ``audit_record`` writes each, inserted in batches: for
    the bulk actions (many places created by one call). Returns how many rows were written."""
    ctx = context.current()
    entries = [audit_entry(action=action, actor=actor, actor_name=actor_name, target=target, detail=detail, ctx=ctx)
               for target, detail in targets]
    insert_many(entries, batch_size=batch_size)
    return len(entries)
