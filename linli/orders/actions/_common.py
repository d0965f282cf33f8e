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
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied
from linli.core.text import trimmed_text
from linli.core.uploads import photo_clean
from linli.core.workflow import Spec, event_write
from linli.notifications.actions import notice_queue

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


def may_ask(actor: Any, own: str, staff: str, refused: str) -> None:
    """A resident asks with ``own``; staff ask for a resident with ``staff``; the system (None) may."""
    perms = getattr(actor, "perms", frozenset()) if actor is not None else frozenset({own, staff})
    if own not in perms and staff not in perms:
        raise PermissionDenied(refused)


@dataclass
class Asker:
    for_resident: bool
    account: Any  # the login that asks; None when staff enter for a resident
    person: Any  # the registry person who asks, if known
    place: Any  # where: given, else the person's home, else the first place of the actor's area


def asker(actor: Any, *, staff: str, person: Any, name: str, place: Any, errors: dict[str, list[str]],
          invalid: str) -> Asker:
    """Who asks and where. Staff (``staff``) naming a person, a name or a place enter for a resident: no
    account, the person named. A resident asks for themself: their login and the person behind it. The
    errors gathered so far (and an unknown person) are raised as one ``invalid``."""
    from linli.places.selectors import place_at_path, place_get
    from linli.residents.selectors import person_for_user

    perms = getattr(actor, "perms", frozenset()) if actor is not None else frozenset({staff})
    for_resident = bool(staff in perms and (person is not None or name or place is not None))
    person = person_by_id(person, errors)
    if errors:
        raise Invalid(invalid, fields=errors)
    account = None
    if not for_resident:
        account = actor if getattr(actor, "is_authenticated", False) else None
        person = person_for_user(actor) if account is not None else person
    if place is not None:
        where = place_get(place)
    elif person is not None and person.place_id is not None:
        where = person.place
    else:
        paths = getattr(getattr(actor, "scope", None), "place_paths", ())
        where = place_at_path(paths[0]) if paths else None
    return Asker(for_resident, account, person, where)


def asker_name(who: Asker, given: str, actor: Any) -> str:
    """The name shown for who asks: as given, else the registry's, else the login's."""
    account = who.account
    return (
        clean_text(given, limit=64)
        or (who.person.name if who.person is not None else "")
        or (account.get_full_name() if account is not None and hasattr(account, "get_full_name") else "")
        or (getattr(actor, "display_name", "") if account is not None else "")
    )[:64]


def opened(spec: Spec, obj: Any, *, kind: str, actor: Any, at: datetime, who: Asker, detail: dict[str, Any],
           to: list[Any], text: str) -> None:
    """The first step of an order or a wish, in the caller's transaction: its event row, its audit row
    (``<audit_prefix>_<kind>``) and the notice to those who act next."""
    event_write(spec, obj, kind=kind, actor=actor, at=at, to_status=obj.status,
                data={"for_resident": who.for_resident})
    audit_record(
        action=f"{spec.audit_prefix}_{kind}",
        actor=actor,
        actor_name="" if actor is not None else "system",
        target=obj,
        detail={**detail, "for_resident": who.for_resident},
    )
    notice_queue(
        url=spec.url(obj) if spec.url else "",
        ref=f"{spec.audit_prefix}:{obj.pk}",
        kind=kind,
        user_ids=to,
        text=text,
        exclude=getattr(actor, "pk", None),
    )


def require_in_scope(actor: Any, who: Asker) -> None:
    """Staff enter for residents of their own area only."""
    scope = getattr(actor, "scope", None)
    if who.for_resident and actor is not None and not (scope is not None and scope.covers_path(who.place.path)):
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
