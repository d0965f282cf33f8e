"""微心愿 wishes: ``wish_post`` and one ``wish_<action>`` per row of ``workflow.WISH_TRANSITIONS``.

``actor=None`` is the system (the demo, commands): no scope or role check.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import users_over
from linli.core.errors import Invalid, PermissionDenied
from linli.core.workflow import Apply, Outcome, Spec, run, spec_register
from linli.orders.actions._common import (
    asker,
    asker_name,
    clean_text,
    may_ask,
    opened,
    parse_hours,
    require_in_scope,
    reward,
    store_photo,
)
from linli.orders.workflow import (
    PERM_ADOPT,
    PERM_MANAGE_WISHES,
    PERM_POST,
    WISH_TRANSITIONS,
    AdopterKind,
    is_wish_staff,
)


def community_of(place: Any):
    from linli.places.selectors import community_of_place

    return community_of_place(place)


def _staff(wish: Any) -> list[int]:
    return users_over(wish.place_path, PERM_MANAGE_WISHES)


def _moved(wish: Any) -> str:
    return _("Wish “%(title)s”: %(status)s") % {"title": wish.title, "status": wish.get_status_display()}


def wish_post(
    *,
    actor: Any,
    title: str,
    description: str = "",
    photo: Any = None,
    person: Any = None,
    poster_name: str = "",
    place: Any = None,
):
    """A resident posts a wish (``wishes.post``); staff (``wishes.manage``) may post for a resident."""
    from linli.orders.models import Wish

    may_ask(actor, PERM_POST, PERM_MANAGE_WISHES, _("You may not post wishes."))
    errors: dict[str, list[str]] = {}
    title = clean_text(title, limit=80)
    if not title:
        errors["title"] = [_("This field is required.")]
    who = asker(actor, staff=PERM_MANAGE_WISHES, person=person, name=poster_name, place=place, errors=errors,
                invalid=_("Please check the wish."))
    where = who.place
    community = community_of(where) if where is not None else None
    if where is None or community is None:
        raise Invalid(
            _("Which community is the wish for? Choose the place."),
            fields={"place": [_("This field is required.")]},
        )
    require_in_scope(actor, who)
    photo_name = store_photo(photo, folder="party/wishes") if photo else ""
    now = timezone.now()
    with transaction.atomic():
        wish = Wish.objects.create(
            title=title,
            description=clean_text(description),
            photo=photo_name,
            poster=who.account,
            poster_person=who.person,
            poster_name=asker_name(who, poster_name, actor),
            posted_by=actor if getattr(actor, "is_authenticated", False) else None,
            place=where,
            place_path=where.path,
            community=community,
            posted_at=now,
        )
        opened(_spec(), wish, kind="post", actor=actor, at=now, who=who, detail={}, to=_staff(wish),
               text=_("A new wish to review: %(title)s") % {"title": wish.title})
    return wish


# --- the transitions --------------------------------------------------------------------------------------


def _apply_publish(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    wish.published_at = now
    out = Outcome()
    out.notify.append(("publish", [wish.poster_id], _moved(wish)))
    return out


def _apply_reject(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    wish.reject_reason = clean_text(data.get("reason"))
    out = Outcome(note=wish.reject_reason)
    out.notify.append(
        (
            "reject",
            [wish.poster_id],
            _("Your wish was not published: %(reason)s") % {"reason": wish.reject_reason},
        )
    )
    return out


def _apply_adopt(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.party.selectors import active_partner, login_member
    from linli.residents.selectors import person_for_user

    partner_id = getattr(data.get("partner"), "pk", data.get("partner"))
    if partner_id:
        if actor is not None and not is_wish_staff(wish, actor):
            raise PermissionDenied(_("Only community staff record an adoption by a partner unit."))
        partner = active_partner(partner_id, community_id=wish.community_id)
        if partner is None:
            raise Invalid(
                _("Choose a partner unit of this community."), fields={"partner": [_("Not found.")]}
            )
        wish.adopter_kind = AdopterKind.PARTNER
        wish.adopter_partner = partner
        wish.adopter_user = None
        wish.adopter_person = None
        wish.adopter_name = partner.name
    else:
        if actor is None or PERM_ADOPT not in getattr(actor, "perms", frozenset()):
            raise Invalid(
                _("Choose the partner unit that adopts the wish."),
                fields={"partner": [_("This field is required.")]},
            )
        member = login_member(actor)
        wish.adopter_kind = AdopterKind.MEMBER if member is not None else AdopterKind.VOLUNTEER
        wish.adopter_user = actor
        wish.adopter_person = member.person if member is not None else person_for_user(actor)
        wish.adopter_partner = None
        wish.adopter_name = (getattr(actor, "display_name", "") or actor.get_username())[:120]
    wish.adopted_at = now
    out = Outcome(data={"adopter_kind": wish.adopter_kind, "adopter": wish.adopter_name})
    out.notify.append(("adopt", [wish.poster_id], _moved(wish)))
    return out


def _apply_release(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome(
        note=clean_text(data.get("reason")),
        data={"adopter_kind": wish.adopter_kind, "adopter": wish.adopter_name},
    )
    out.notify.append(("release", [wish.poster_id, *_staff(wish)], _moved(wish)))
    wish.adopter_kind = ""
    wish.adopter_user = None
    wish.adopter_person = None
    wish.adopter_partner = None
    wish.adopter_name = ""
    wish.adopted_at = None
    return out


def _apply_fulfil(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    hours = parse_hours(data.get("hours"), required=False) or parse_hours("1")
    wish.fulfil_note = clean_text(data.get("note"))
    if data.get("photo"):
        wish.fulfil_photo = store_photo(data["photo"], folder="party/wishes")
    wish.hours = hours
    wish.fulfilled_at = now
    out = Outcome(note=wish.fulfil_note, data={"hours": str(hours)})
    out.notify.append(
        (
            "fulfil",
            [wish.poster_id],
            _("Your wish “%(title)s” was fulfilled; please confirm.") % {"title": wish.title},
        )
    )
    return out


def _apply_confirm(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    wish.confirmed_at = now
    out = Outcome(data={"by_staff": bool(actor is not None and wish.poster_id != actor.pk)})
    out.notify.append(("confirm", [wish.adopter_user_id], _moved(wish)))
    person_id = wish.adopter_person_id if wish.adopter_kind != AdopterKind.PARTNER else None

    def earn(done: Any) -> None:
        reward(
            person_id=person_id,
            hours=done.hours,
            source=f"party.wish:{done.pk}",
            kind="wish",
            actor=actor,
            now=now,
            note=done.title,
        )

    out.after.append(earn)
    return out


def _apply_withdraw(wish: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    return Outcome(note=clean_text(data.get("reason")))


APPLY: dict[str, Apply] = {
    "publish": _apply_publish,
    "reject": _apply_reject,
    "adopt": _apply_adopt,
    "release": _apply_release,
    "fulfil": _apply_fulfil,
    "confirm": _apply_confirm,
    "withdraw": _apply_withdraw,
}


@functools.cache
def _spec() -> Spec:
    from linli.orders.models import Wish, WishEvent

    return spec_register(Spec(
        model=Wish,
        event_model=WishEvent,
        event_fk="wish",
        table=WISH_TRANSITIONS,
        apply=APPLY,
        audit_prefix="party.wish",
        noun=_("wish"),
        related=("community",),
        url=lambda obj: reverse("orders:wish_detail", args=[obj.pk]),
    ))


def wish_transition(*, wish: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """The generic door (API, UI): run transition ``name`` on ``wish``."""
    return run(_spec(), obj=wish, name=name, actor=actor, data=data)


def wish_publish(*, wish: Any, actor: Any):
    return wish_transition(wish=wish, name="publish", actor=actor)


def wish_reject(*, wish: Any, actor: Any, reason: str):
    return wish_transition(wish=wish, name="reject", actor=actor, data={"reason": reason})


def wish_adopt(*, wish: Any, actor: Any, partner: Any = None):
    return wish_transition(wish=wish, name="adopt", actor=actor, data={"partner": partner})


def wish_release(*, wish: Any, actor: Any, reason: str):
    return wish_transition(wish=wish, name="release", actor=actor, data={"reason": reason})


def wish_fulfil(*, wish: Any, actor: Any, note: str, hours: Any = None, photo: Any = None):
    return wish_transition(
        wish=wish, name="fulfil", actor=actor, data={"note": note, "hours": hours, "photo": photo}
    )


def wish_confirm(*, wish: Any, actor: Any):
    return wish_transition(wish=wish, name="confirm", actor=actor)


def wish_withdraw(*, wish: Any, actor: Any, reason: str = ""):
    return wish_transition(wish=wish, name="withdraw", actor=actor, data={"reason": reason})


_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
