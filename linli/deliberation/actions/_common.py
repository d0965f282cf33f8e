"""What the deliberation actions share: text, places, who a login is in the registry, the pages notices link to.

Notices go through the one outbox (``linli.notifications.actions.notice_queue``): the runner's own for
transitions (the specs give ``url``), ``notice_queue`` in the action's transaction for the rest."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import Invalid, PermissionDenied
from linli.core.text import required_text as required_text
from linli.core.text import trimmed_text
from linli.deliberation.access import can_manage_path

clean_text = trimmed_text  # the app's name for the shared piece


def authenticated(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def place_of(value: Any, *, field: str = "place"):
    from linli.places.selectors import place_get

    place = place_get(value)
    if place is None:
        raise Invalid(_("Choose the place."), fields={field: [_("Not found.")]})
    return place


def community_of(place: Any):
    """The community a place lies in (itself when it is one)."""
    from linli.places.selectors import community_of_place

    found = community_of_place(place)
    if found is None:
        raise Invalid(_("Choose a place within a community."), fields={"place": [_("Not in a community.")]})
    return found


def require_manage(actor: Any, path: str) -> None:
    """Community staff over the place (``actor=None``: the system)."""
    if actor is not None and not can_manage_path(actor, path):
        raise PermissionDenied(_("Only community staff may do this here."))


def voter_of(actor: Any) -> tuple[Any, str]:
    """The registry person behind a login and their voter key: ``h<household>`` (one per household), or
    ``p<person>`` for a person in no household. Raises when the login is nobody in the registry."""
    from linli.residents.selectors import household_id_of, person_for_user

    person = person_for_user(actor) if authenticated(actor) else None
    if person is None:
        raise Invalid(
            _("Your account is not linked to a resident of the registry: ask your community to check your phone number.")
        )
    household = household_id_of(person)
    return person, (f"h{household}" if household is not None else f"p{person.pk}")


def page_url(name: str, pk: int) -> str:
    """The page a deliberation notice links to (``deliberation:<name>``)."""
    from django.urls import reverse

    return reverse(f"deliberation:{name}", args=[pk])
