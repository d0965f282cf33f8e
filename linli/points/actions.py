"""Every write to points: the ledger (award, correct, reverse), hours, rules, the shop and redemptions,
selections.

The ledger's one door is ``_entry_write``: inside one transaction it (1) returns the existing entry when
the source is already in the ledger, (2) inserts the entry (the unique ``source`` makes a racing twin
fail; it then returns the winner's entry), (3) moves the balance with a conditional UPDATE
(``balance + amount >= 0``): when no row matches, the balance would go negative and the whole
transaction is refused.
"""

from __future__ import annotations

import functools
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import user_get
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.workflow import Outcome, Spec, run, spec_register
from linli.points.access import can_manage_path
from linli.points.models import (
    Area,
    EntryKind,
    HoursEntry,
    HoursKind,
    ItemKind,
    PointsAccount,
    PointsEntry,
    PointsRule,
    Redemption,
    RedemptionEvent,
    Selection,
    SelectionCandidate,
    SelectionEvent,
    ShopItem,
)
from linli.points.workflow import (
    PERM_MANAGE,
    PERM_REDEEM,
    REDEMPTION_TRANSITIONS,
    SELECTION_TRANSITIONS,
    SelectionStatus,
)
from linli.residents.selectors import organisation_exists, person_by_phone_hash, person_get


def _actor_obj(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "system"
    return actor.get_username()[:150] if getattr(actor, "is_authenticated", False) else ""


def _person(person_id: int):

    person = person_get(person_id)
    if person is None:
        raise NotFound(_("Not found."))
    return person


def _entry_write(
    *,
    person: Any,
    amount: int,
    kind: str,
    source: str,
    actor: Any,
    rule: PointsRule | None = None,
    area: str = "",
    note: str = "",
    reverses: PointsEntry | None = None,
) -> tuple[PointsEntry, bool]:
    """The entry for ``source`` and whether it was written now. Refused when the balance would go
    below zero. Runs in (and must be called inside) a transaction."""
    if not source or len(source) > 120:
        raise Invalid(
            _("A points entry needs a source of at most 120 characters."), fields={"source": [_("Invalid.")]}
        )
    with transaction.atomic():
        existing = PointsEntry.objects.filter(source=source).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                entry = PointsEntry.objects.create(
                    person_id=person.pk,
                    amount=amount,
                    kind=kind,
                    rule=rule,
                    area=area,
                    source=source,
                    place_path=person.place_path,
                    reverses=reverses,
                    actor=_actor_obj(actor),
                    actor_name=_actor_name(actor),
                    note=note[:200],
                    at=timezone.now(),
                )
        except IntegrityError:
            # A racing twin wrote the same source (or reversed the same entry) first.
            winner = PointsEntry.objects.filter(source=source).first()
            if winner is not None:
                return winner, False
            raise Refused(_("This entry has already been reversed.")) from None
        if not _balance_move(person.pk, amount):
            raise Refused(_("Not enough points."))
    return entry, True


def _balance_move(person_id: int, amount: int) -> bool:
    """Move the balance by ``amount`` unless it would go below zero: one conditional UPDATE (the row
    lock serialises racing moves on PostgreSQL; IMMEDIATE transactions do on SQLite). The account is
    created on the first entry; a racing creation falls back to the UPDATE."""
    now = timezone.now()
    moved = PointsAccount.objects.filter(person_id=person_id, balance__gte=-amount).update(
        balance=F("balance") + amount, updated_at=now
    )
    if moved:
        return True
    if amount < 0:  # no account, or too little on it
        return False
    # A gain finds no account: open it. An account another transaction opened after the UPDATE above (two
    # verifications for one reporter at once) is an IntegrityError here, and the UPDATE then moves it: a
    # gain is never refused for want of points.
    try:
        with transaction.atomic():
            PointsAccount.objects.create(person_id=person_id, balance=amount)
        return True
    except IntegrityError:
        return bool(
            PointsAccount.objects.filter(person_id=person_id, balance__gte=-amount).update(
                balance=F("balance") + amount, updated_at=now
            )
        )


# --- the contract -----------------------------------------------------------------------------------


def points_award(
    *, person_id: int, rule_code: str, source: str, actor, amount: int | None = None, note: str = ""
) -> PointsEntry | None:
    """Award points under a rule, once per ``source``. ``amount`` overrides the rule's points.
    Call it inside the transaction of the action that earns it. A rule that staff switched off awards
    nothing (None): the service itself is still done, it just earns no points."""
    existing = PointsEntry.objects.filter(source=source).first()
    if existing is not None:
        return existing
    rule = PointsRule.objects.filter(code=rule_code).first()
    if rule is None:
        raise Invalid(_("Unknown points rule."), fields={"rule_code": [_("Unknown points rule.")]})
    if not rule.active:
        return None
    points = rule.points if amount is None else int(amount)
    if points < 0:
        raise Invalid(
            _("Points awarded cannot be negative."), fields={"amount": [_("Must be zero or more.")]}
        )
    person = _person(person_id)
    entry, _new = _entry_write(
        person=person,
        amount=points,
        kind=EntryKind.AWARD,
        source=source,
        actor=actor,
        rule=rule,
        area=rule.area,
        note=note,
    )
    return entry


def hours_record(
    *, person_id: int, hours: Decimal, source: str, kind: str, actor, occurred_on: date, note: str = ""
) -> HoursEntry:
    """Record service hours, once per ``source``."""
    existing = HoursEntry.objects.filter(source=source).first()
    if existing is not None:
        return existing
    if kind not in HoursKind.values:
        raise Invalid(_("Unknown kind of hours."), fields={"kind": [_("Unknown kind of hours.")]})
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise Invalid(
            _("Enter a number of hours."), fields={"hours": [_("Enter a number of hours.")]}
        ) from exc
    if value <= 0 or value >= Decimal("10000"):
        raise Invalid(_("Enter a number of hours."), fields={"hours": [_("Enter a number of hours.")]})
    person = _person(person_id)
    try:
        with transaction.atomic():
            return HoursEntry.objects.create(
                person_id=person.pk,
                hours=value,
                kind=kind,
                source=source,
                place_path=person.place_path,
                occurred_on=occurred_on,
                actor=_actor_obj(actor),
                actor_name=_actor_name(actor),
                note=note[:200],
            )
    except IntegrityError:
        winner = HoursEntry.objects.filter(source=source).first()
        if winner is None:
            raise
        return winner


# --- corrections --------------------------------------------------------------------------------------


def _require_manage(actor: Any, path: str) -> None:
    """Staff with ``points.manage`` over ``path``: out of scope is 404 (like missing), in scope without
    the permission 403."""
    if actor is None:
        return
    scope = getattr(actor, "scope", None)
    if scope is None or not scope.covers_path(path):
        raise NotFound(_("Not found."))
    if not can_manage_path(actor, path):
        raise PermissionDenied(_("You may not do this."))


def _require_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise Invalid(_("Give the reason."), fields={"note": [_("This field is required.")]})
    return note[:200]


def points_correct(*, person_id: int, amount: int, note: str, actor) -> PointsEntry:
    """A manual correction (+ or −) by staff with ``points.manage`` over the person's place."""
    person = _person(person_id)
    _require_manage(actor, person.place_path)
    note = _require_note(note)
    try:
        amount = int(amount)
    except (TypeError, ValueError) as exc:
        raise Invalid(_("Enter a whole number."), fields={"amount": [_("Enter a whole number.")]}) from exc
    if amount == 0 or abs(amount) > 100000:
        raise Invalid(
            _("Enter a whole number other than zero."), fields={"amount": [_("Enter a whole number.")]}
        )
    with transaction.atomic():
        entry, _new = _entry_write(
            person=person,
            amount=amount,
            kind=EntryKind.CORRECTION,
            actor=actor,
            note=note,
            source=f"points.correction:{secrets.token_hex(8)}",
        )
        audit_record(
            action="points.correct", actor=actor, target=entry, detail={"amount": amount, "note": note}
        )
    return entry


def points_reverse(*, entry_id: int, note: str, actor) -> PointsEntry:
    """Reverse an award or a correction (once). Redemptions are undone by refunding them."""
    note = _require_note(note)
    with transaction.atomic():
        entry = PointsEntry.objects.filter(pk=entry_id).select_related("person").first()
        if entry is None:
            raise NotFound(_("Not found."))
        _require_manage(actor, entry.place_path)
        if entry.kind not in (EntryKind.AWARD, EntryKind.CORRECTION):
            raise Refused(_("Only awards and corrections can be reversed."))
        if PointsEntry.objects.filter(reverses=entry).exists():
            raise Refused(_("This entry has already been reversed."))
        if entry.amount == 0:
            raise Refused(_("There is nothing to reverse."))
        reversal, _new = _entry_write(
            person=entry.person,
            amount=-entry.amount,
            kind=EntryKind.REVERSAL,
            actor=actor,
            note=note,
            source=f"points.entry:{entry.pk}:reverse",
            rule=entry.rule,
            area=entry.area,
            reverses=entry,
        )
        audit_record(action="points.reverse", actor=actor, target=entry, detail={"note": note})
    return reversal


def points_award_reporter(*, reporter: Any, phone_hash: str, source: str, actor: Any) -> PointsEntry | None:
    """Award ``case_verified`` to the registry person behind a case's reporter (by account, else by the
    reporter's phone hash). None when nobody matches or the rule is switched off."""
    from linli.residents.selectors import person_for_user

    rule = PointsRule.objects.filter(code="case_verified", active=True).first()
    if rule is None:
        return None
    person = person_for_user(reporter) if reporter is not None else None
    if person is None and phone_hash:
        person = person_by_phone_hash(phone_hash)
    if person is None:
        return None
    return points_award(person_id=person.pk, rule_code=rule.code, source=source, actor=actor)


# --- rules ------------------------------------------------------------------------------------------------


def rule_update(
    *, rule: PointsRule | int, actor, name: str, points: int, area: str, active: bool, description: str = ""
) -> PointsRule:
    if PERM_MANAGE not in getattr(actor, "perms", frozenset()):
        raise PermissionDenied(_("You may not do this."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    try:
        points = int(points)
        if points < 0 or points > 10000:
            raise ValueError
    except (TypeError, ValueError):
        errors["points"] = [_("Enter a whole number from 0 to 10000.")]
    if area not in Area.values:
        errors["area"] = [_("Unknown area.")]
    if errors:
        raise Invalid(_("Please correct the errors below."), fields=errors)
    with transaction.atomic():
        obj = PointsRule.objects.select_for_update().filter(pk=getattr(rule, "pk", rule)).first()
        if obj is None:
            raise NotFound(_("Not found."))
        before = {"name": obj.name, "points": obj.points, "area": obj.area, "active": obj.active}
        obj.name, obj.points, obj.area, obj.active = name[:64], points, area, bool(active)
        obj.description = (description or "").strip()[:200]
        obj.save()
        audit_record(action="points.rule_update", actor=actor, target=obj, detail={"before": before})
    return obj


# --- the shop ---------------------------------------------------------------------------------------------


def _item_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    out["name"] = str(data.get("name") or "").strip()[:64]
    if not out["name"]:
        errors["name"] = [_("This field is required.")]
    out["kind"] = data.get("kind") or ItemKind.GOODS
    if out["kind"] not in ItemKind.values:
        errors["kind"] = [_("Unknown kind.")]
    try:
        out["cost"] = int(data.get("cost"))  # type: ignore[arg-type]
        if out["cost"] < 1 or out["cost"] > 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["cost"] = [_("Enter a whole number of at least 1.")]
    stock = data.get("stock")
    if stock in (None, ""):
        out["stock"] = None
    else:
        try:
            out["stock"] = int(stock)
            if out["stock"] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["stock"] = [_("Enter a whole number of at least 0, or leave it empty for unlimited.")]
    out["description"] = str(data.get("description") or "").strip()[:200]
    out["provider_name"] = str(data.get("provider_name") or "").strip()[:100]
    out["provider_user_id"] = data.get("provider_user_id") or None
    out["provider_organisation_id"] = data.get("provider_organisation_id") or None
    if out["provider_user_id"] is not None and user_get(out["provider_user_id"]) is None:
        errors["provider_user_id"] = [_("Unknown account.")]
    if out["provider_organisation_id"] is not None and not organisation_exists(out["provider_organisation_id"]):
        errors["provider_organisation_id"] = [_("Unknown organisation.")]
    out["active"] = bool(data.get("active", True))
    if errors:
        raise Invalid(_("Please correct the errors below."), fields=errors)
    return out


def item_create(*, community, actor, **data: Any) -> ShopItem:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get

    place = place_get(community)
    if place is None or place.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Choose a community.")]})
    _require_manage(actor, place.path)
    clean = _item_clean(data)
    with transaction.atomic():
        item = ShopItem.objects.create(community=place, place_path=place.path, **clean)
        audit_record(action="points.item_create", actor=actor, target=item)
    return item


def item_update(*, item: ShopItem | int, actor, **data: Any) -> ShopItem:
    with transaction.atomic():
        obj = ShopItem.objects.select_for_update().filter(pk=getattr(item, "pk", item)).first()
        if obj is None:
            raise NotFound(_("Not found."))
        _require_manage(actor, obj.place_path)
        clean = _item_clean(data)
        for key, value in clean.items():
            setattr(obj, key, value)
        obj.save()
        audit_record(action="points.item_update", actor=actor, target=obj)
    return obj


def _new_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _redemption_event(r: Redemption, *, kind: str, actor: Any, from_status: str, note: str = "") -> None:
    RedemptionEvent.objects.create(
        redemption=r,
        kind=kind,
        from_status=from_status,
        to_status=r.status,
        actor=_actor_obj(actor),
        actor_name=_actor_name(actor),
        note=note[:200],
        at=timezone.now(),
    )


def redemption_create(*, item_id: int, actor) -> Redemption:
    """Exchange points for an item: one redemption, the points debited and the stock taken, atomically."""
    from linli.residents.selectors import person_for_user

    if PERM_REDEEM not in getattr(actor, "perms", frozenset()):
        raise PermissionDenied(_("You may not do this."))
    person = person_for_user(actor)
    if person is None:
        raise Refused(
            _("Your account is not linked to a resident in the registry; ask the community office.")
        )
    item = ShopItem.objects.filter(pk=item_id, active=True).first()
    if item is None or not (person.place_path or "").startswith(item.place_path):
        raise NotFound(_("Not found."))
    with transaction.atomic():
        if item.stock is not None:
            taken = ShopItem.objects.filter(pk=item.pk, stock__gt=0).update(stock=F("stock") - 1)
            if not taken:
                raise Refused(_("This item is out of stock."))
        r = None
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    r = Redemption.objects.create(
                        code=_new_code(),
                        item=item,
                        person_id=person.pk,
                        user=actor,
                        cost=item.cost,
                        place_path=person.place_path,
                    )
                break
            except IntegrityError:
                continue
        if r is None:
            raise Refused(_("Please try again."))
        _entry_write(
            person=person,
            amount=-item.cost,
            kind=EntryKind.REDEEM,
            actor=actor,
            source=f"points.redemption:{r.pk}:redeem",
            note=item.name,
        )
        _redemption_event(r, kind="issue", actor=actor, from_status="")
        audit_record(
            action="points.redeem", actor=actor, target=r, detail={"item": item.pk, "cost": item.cost}
        )
    return r


def _redemption_close(r: Redemption, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    r.closed_at = now
    return Outcome(note=str(data.get("note") or "")[:200])


def _redemption_refund(r: Redemption, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    """Refund or cancel: a reversing entry, and the stock back."""
    out = _redemption_close(r, actor, data, now)
    debit = PointsEntry.objects.filter(source=f"points.redemption:{r.pk}:redeem").first()
    _entry_write(
        person=r.person,
        amount=r.cost,
        kind=EntryKind.REFUND,
        actor=actor,
        note=out.note or r.item.name,
        source=f"points.redemption:{r.pk}:refund",
        reverses=debit,
    )
    if r.item.stock is not None:
        ShopItem.objects.filter(pk=r.item_id, stock__isnull=False).update(stock=F("stock") + 1)
    return out


@functools.cache
def _redemption_spec() -> Spec:
    return spec_register(
        Spec(
            model=Redemption,
            event_model=RedemptionEvent,
            event_fk="redemption",
            table=REDEMPTION_TRANSITIONS,
            apply={"fulfil": _redemption_close, "refund": _redemption_refund, "cancel": _redemption_refund},
            audit_prefix="points.redemption",
            noun=_("redemption"),
            related=("item", "person"),
            url=lambda r: reverse("points:redemption", args=[r.pk]),
        )
    )


def redemption_transition(*, redemption: Redemption | int, name: str, actor, note: str = "") -> Redemption:
    """Fulfil, refund or cancel a redemption (the table in ``workflow.py``, through the one runner).
    Refunding or cancelling writes a reversing entry and puts the stock back."""
    return run(_redemption_spec(), obj=redemption, name=name, actor=actor, data={"note": note})


def redemption_fulfil_by_code(*, code: str, actor) -> Redemption:
    code = (code or "").strip().upper().replace(" ", "")
    r = Redemption.objects.filter(code=code).only("id").first()
    if r is None:
        raise NotFound(_("No redemption has this code."))
    return redemption_transition(redemption=r.pk, name="fulfil", actor=actor)


# --- selections ---------------------------------------------------------------------------------------


def selection_create(
    *,
    community,
    year: int,
    half: str,
    actor,
    title: str = "",
    points_weight: Any = 1,
    hours_weight: Any = 1,
    size: int = 10,
) -> Selection:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get

    place = place_get(community)
    if place is None or place.kind != PlaceKind.COMMUNITY:
        raise Invalid(_("Choose a community."), fields={"community": [_("Choose a community.")]})
    _require_manage(actor, place.path)
    errors: dict[str, list[str]] = {}
    if half not in ("H1", "H2"):
        errors["half"] = [_("Choose a half year.")]
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("Enter a year.")]
    try:
        pw, hw = Decimal(str(points_weight)), Decimal(str(hours_weight))
        if pw < 0 or hw < 0 or pw > 1000 or hw > 1000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["points_weight"] = [_("Enter a weight from 0 to 1000.")]
        pw = hw = Decimal(1)
    try:
        size = int(size)
        if not 1 <= size <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["size"] = [_("Enter a whole number from 1 to 100.")]
    if errors:
        raise Invalid(_("Please correct the errors below."), fields=errors)
    if Selection.objects.filter(community=place, year=year, half=half).exists():
        raise Refused(_("There is already a selection for this half year."))
    title = (title or "").strip()[:100] or _("%(year)s %(half)s neighbourhood stars") % {
        "year": year,
        "half": _("first half") if half == "H1" else _("second half"),
    }
    with transaction.atomic():
        sel = Selection.objects.create(
            community=place,
            place_path=place.path,
            year=year,
            half=half,
            title=title,
            points_weight=pw,
            hours_weight=hw,
            size=size,
        )
        selection_shortlist(selection=sel, actor=actor)
        audit_record(action="points.selection_create", actor=actor, target=sel)
    return sel


def selection_shortlist(*, selection: Selection, actor) -> list[SelectionCandidate]:
    """(Re)compute the shortlist of a draft selection from points and hours over its half year."""
    from linli.points.selectors import selection_scores

    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=selection.pk)
        if selection.status != SelectionStatus.DRAFT:
            raise Refused(_("Only a draft selection can be recomputed."))
        SelectionCandidate.objects.filter(selection=selection).delete()
        rows = selection_scores(selection)
        objs = [
            SelectionCandidate(selection=selection, person_id=pid, points=p, hours=h, score=s, rank=i + 1)
            for i, (pid, p, h, s) in enumerate(rows[: selection.size])
        ]
        SelectionCandidate.objects.bulk_create(objs)
    return objs


def selection_candidate_set(
    *, selection: Selection, candidate_id: int, included: bool, rank: int, actor
) -> None:
    """Include or exclude a shortlisted person and set their rank (draft selections only)."""
    _require_manage(actor, selection.place_path)
    try:
        rank = int(rank)
        if not 0 <= rank <= 1000:
            raise ValueError
    except (TypeError, ValueError) as exc:
        raise Invalid(_("Enter a rank."), fields={"rank": [_("Enter a rank.")]}) from exc
    with transaction.atomic():
        sel = Selection.objects.select_for_update().get(pk=selection.pk)  # the status as stored, locked
        if sel.status != SelectionStatus.DRAFT:
            raise Refused(_("Only a draft selection can be changed."))
        moved = SelectionCandidate.objects.filter(pk=candidate_id, selection=sel).update(
            included=bool(included), rank=rank
        )
        if not moved:
            raise NotFound(_("Not found."))
        audit_record(
            action="points.selection_candidate",
            actor=actor,
            target=sel,
            detail={"candidate": candidate_id, "included": bool(included), "rank": rank},
        )


def _selection_step(sel: Selection, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    return Outcome()


def _selection_publish(sel: Selection, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    sel.published_at = now
    return Outcome()


@functools.cache
def _selection_spec() -> Spec:
    return spec_register(
        Spec(
            model=Selection,
            event_model=SelectionEvent,
            event_fk="selection",
            table=SELECTION_TRANSITIONS,
            apply={"confirm": _selection_step, "publish": _selection_publish, "reopen": _selection_step},
            audit_prefix="points.selection",
            noun=_("selection"),
            related=("community",),
        )
    )


def selection_transition(*, selection: Selection | int, name: str, actor) -> Selection:
    """Confirm, publish or reopen a selection (the table in ``workflow.py``, through the one runner)."""
    return run(_selection_spec(), obj=selection, name=name, actor=actor)


_redemption_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
_selection_spec()
