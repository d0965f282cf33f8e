"""How a page names a person who did something (a timeline's actor): their name, masked (张*) for a
viewer who sees people masked, never their login name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from linli.core.masking import mask_name


def person_label(user: Any, *, masked: bool) -> str:
    """The user's name (``display_name``), masked when ``masked``; "a staff member" when no name is on
    file (the login name is an account's, not a person's)."""
    name = (getattr(user, "display_name", "") or "").strip()
    if not name:
        return _("a staff member")
    return mask_name(name) if masked else name


def name_actors(events: Iterable[Any], *, masked: bool) -> list[Any]:
    """Each event of a timeline (rows with ``actor``/``actor_id`` and ``actor_name``) gets ``who``: the
    person's label, "system" for the system, "" for an anonymous visitor. Select ``actor`` with the rows."""
    out = list(events)
    for e in out:
        if getattr(e, "actor_id", None):
            e.who = person_label(e.actor, masked=masked)
        elif getattr(e, "actor_name", "") == "system":
            e.who = _("system")
        else:
            e.who = ""
    return out
