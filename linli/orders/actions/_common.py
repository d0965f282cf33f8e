"""Helpers the order and wish actions share: who asks, scope, hours, photos, the reward.

Every transition runs ``run``:

1. scope: the object must be visible to the actor (else 404, like a missing one);
2. lock: the row is re-read ``select_for_update`` inside the transaction (SQLite serialises writers with
   IMMEDIATE transactions) and the final write is a compare-and-set on ``status`` and ``version``;
3. the table: a state not among the sources is refused (409), an actor matching no ``who`` predicate is
   denied (403), a failing guard is refused (409), a missing required input is invalid (422);
4. the action's own ``apply``; then one event row, one audit row, and notices after commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Invalid
from linli.core.text import trimmed_text
from linli.core.uploads import photo_clean

clean_text = trimmed_text  # the app's name for the shared piece


def person_by_id(person: Any, errors: dict[str, list[str]]) -> Any:
    """A registry person given by id (staff entering for a resident), or None with an error noted."""
    from linli.residents.selectors import person_get

    if person is None:
        return None
    found = person_get(person)
    if found is None:
        errors["person"] = [_("Not found.")]
    return found


def asker(actor: Any, *, for_resident: bool, person: Any) -> tuple[Any, Any]:
    """Who asks, as (account, registry person): staff entering for a resident leave the account empty and
    name the person; a resident asks for themself (their login and the person behind it)."""
    if for_resident:
        return None, person
    from linli.residents.selectors import person_for_user

    account = actor if getattr(actor, "is_authenticated", False) else None
    return account, (person_for_user(actor) if account is not None else person)


def require_in_scope(actor: Any, place: Any, *, for_resident: bool) -> None:
    """Staff enter for residents of their own area only."""
    scope = getattr(actor, "scope", None)
    if for_resident and actor is not None and not (scope is not None and scope.covers_path(place.path)):
        raise Invalid(_("This place is outside your area."), fields={"place": [_("Not found.")]})


def parse_hours(value: Any, *, field_name: str = "hours", required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise Invalid(
                _("Some required fields are missing."), fields={field_name: [_("This field is required.")]}
            )
        return None
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(_("Enter the hours as a number."), fields={field_name: [_("Enter a number.")]}) from exc
    if hours <= 0 or hours > 24:
        raise Invalid(
            _("Hours must be more than 0 and at most 24."), fields={field_name: [_("Between 0.1 and 24.")]}
        )
    return hours


def store_photo(upload: Any, *, folder: str, field_name: str = "photo") -> str:
    """Check and re-encode an uploaded photo (linli.core.uploads: limits, no EXIF, scaled) and store it;
    returns its name."""
    photo = photo_clean(upload, field=field_name)
    name = f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(8)}.jpg"
    return default_storage.save(name, ContentFile(photo.data))


def reward(
    *,
    person_id: int | None,
    hours: Decimal | None,
    source: str,
    kind: str,
    actor: Any,
    now: datetime,
    note: str = "",
) -> dict[str, Any]:
    """Service hours and the ``service`` point for ``person_id`` (the points contract; idempotent on
    ``source``). Runs inside the caller's transaction."""
    if person_id is None:
        return {"rewarded": False}
    from linli.points import actions as points_actions

    occurred_on = timezone.localdate(now)
    if hours:
        points_actions.hours_record(
            person_id=person_id,
            hours=hours,
            source=source,
            kind=kind,
            actor=actor,
            occurred_on=occurred_on,
            note=note,
        )
    points_actions.points_award(
        person_id=person_id, rule_code="service", source=source, actor=actor, note=note
    )
    return {"rewarded": True}
