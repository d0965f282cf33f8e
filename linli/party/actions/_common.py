"""Helpers the party actions share."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.text import required_text as required_text
from linli.core.text import trimmed_text
from linli.party.access import can_manage_path

clean_text = trimmed_text  # the app's name for the shared piece


def require_manage(actor: Any, path: str) -> None:
    """``actor=None`` is the system (demo, commands)."""
    if actor is not None and not can_manage_path(actor, path):
        raise PermissionDenied(_("You may not change the party organisation here."))


def place_of(value: Any, *, field: str = "place"):
    from linli.places.selectors import place_get

    if value is None or value == "":
        raise Invalid(_("Some required fields are missing."), fields={field: [_("This field is required.")]})
    place = place_get(getattr(value, "pk", value))
    if place is None:
        raise Invalid(_("Unknown place."), fields={field: [_("Not found.")]})
    return place


def community_of(place) -> Any:
    """The community above (or at) ``place``."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids

    if place.kind == PlaceKind.COMMUNITY:
        return place
    ids = [int(p) for p in place.path.strip("/").split("/") if p]
    found = places_by_ids(ids, kinds=[PlaceKind.COMMUNITY]).first()
    if found is None:
        raise Invalid(_("The place is not in a community."), fields={"place": [_("Not in a community.")]})
    return found


def not_found() -> NotFound:
    return NotFound(_("Not found."))
