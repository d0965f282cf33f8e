"""Helpers the hall's actions share: text, places, who is told."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import Invalid
from linli.core.text import required_text as required_text
from linli.core.text import trimmed_text

clean_text = trimmed_text  # the app's name for the shared piece


def place_by_id(value: Any, *, field: str = "place"):
    from linli.places.selectors import place_get

    if value is None or value == "":
        raise Invalid(_("Some required fields are missing."), fields={field: [_("This field is required.")]})
    place = place_get(value)
    if place is None:
        raise Invalid(_("Unknown place."), fields={field: [_("Not found.")]})
    return place


def community_of(place: Any):
    """The community at or above ``place`` (None above the communities)."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids

    if place is None:
        return None
    if place.kind == PlaceKind.COMMUNITY:
        return place
    ids = [int(p) for p in place.path.strip("/").split("/") if p]
    return places_by_ids(ids, kinds=[PlaceKind.COMMUNITY]).first()


def home_place(actor: Any):
    """Where a resident belongs: their registry person's place, else their role's first place."""
    from linli.places.selectors import place_at_path
    from linli.residents.selectors import person_for_user

    person = person_for_user(actor)
    if person is not None and person.place_id is not None:
        return person.place, person
    paths = getattr(getattr(actor, "scope", None), "place_paths", ())
    return (place_at_path(paths[0]) if paths else None), person


def notify(
    *, ref: str, kind: str, user_ids: Iterable[int | None], text: str, exclude: int | None = None, url: str = ""
) -> None:
    """Tell these users through the one outbox (``linli.notifications``): notice rows written in the
    caller's transaction, delivered by the worker after the commit."""
    from linli.notifications.actions import notice_queue

    notice_queue(user_ids=user_ids, kind=kind, ref=ref, text=text, url=url, exclude=exclude)
