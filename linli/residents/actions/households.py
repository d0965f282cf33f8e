"""Households and their members (relationship to the head, GB/T 4761)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.codes import RELATIONSHIP
from linli.core.errors import Invalid, Refused
from linli.places.kinds import PlaceKind
from linli.residents.actions._common import (
    _code,
    _require_change,
    _require_path,
    _require_person,
    _require_place,
    _today,
)
from linli.residents.models import (
    HEAD_RELATIONSHIP,
    Household,
    HouseholdMember,
    HouseholdStatus,
    Person,
    PersonStatus,
)
from linli.residents.text import clean_text

if TYPE_CHECKING:
    from linli.places.models import Place


def _leave_household(person: Person, on: datetime.date) -> int:
    """End the person's current membership; a household left without members is dissolved, one left
    without its head keeps its members and waits for a new head."""
    member = HouseholdMember.objects.select_for_update().filter(person=person, end_date__isnull=True).first()
    if member is None:
        return 0
    member.end_date = on
    member.save(update_fields=["end_date"])
    household = Household.objects.select_for_update().get(pk=member.household_id)
    remaining = HouseholdMember.objects.filter(household=household, end_date__isnull=True).exists()
    if member.relationship == HEAD_RELATIONSHIP:
        household.head = None
    if not remaining:
        household.status = HouseholdStatus.DISSOLVED
        household.dissolved_on = on
    household.save(update_fields=["head", "status", "dissolved_on"])
    return 1


# --- households ----------------------------------------------------------------------------------------


def _current_membership(person: Person) -> HouseholdMember | None:
    return HouseholdMember.objects.filter(person=person, end_date__isnull=True).first()


@transaction.atomic
def household_create(
    *, head: Person, actor, house: Place | None = None, number: str = "", on: datetime.date | None = None
) -> Household:
    _require_change(actor)
    _require_person(actor, head)
    if house is not None:
        _require_place(actor, house)
        if house.kind != PlaceKind.HOUSE:
            raise Invalid(_("Choose a house."), fields={"house": [_("Choose a house.")]})
    if head.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can head a household."), code="not_active")
    if _current_membership(head) is not None:
        raise Refused(_("This person already belongs to a household."), code="in_household")
    household = Household.objects.create(
        number=clean_text(number, 32), head=head, house=house, place_path=house.path if house else head.place_path
    )
    HouseholdMember.objects.create(household=household, person=head, relationship=HEAD_RELATIONSHIP,
                                   start_date=on)
    audit_record(action="residents.household_create", actor=actor, target=household, detail={"head": head.pk})
    return household


@transaction.atomic
def household_add_member(
    *, household: Household, person: Person, relationship: str, actor, on: datetime.date | None = None
) -> HouseholdMember:
    _require_change(actor)
    _require_path(actor, household.place_path)
    _require_person(actor, person)
    household = Household.objects.select_for_update().get(pk=household.pk)
    code = _code(RELATIONSHIP, relationship, "relationship")
    if not code:
        raise Invalid(_("Choose the relationship to the head."), fields={"relationship": [_("Required.")]})
    if household.status != HouseholdStatus.ACTIVE:
        raise Refused(_("This household is dissolved."), code="dissolved")
    if person.status != PersonStatus.ACTIVE:
        raise Refused(_("Only a person living here can join a household."), code="not_active")
    if _current_membership(person) is not None:
        raise Refused(_("This person already belongs to a household."), code="in_household")
    if code == HEAD_RELATIONSHIP:
        if household.head_id is not None:
            raise Refused(_("This household already has a head."), code="has_head")
        household.head = person
        household.save(update_fields=["head"])
    member = HouseholdMember.objects.create(household=household, person=person, relationship=code, start_date=on)
    audit_record(action="residents.household_add_member", actor=actor, target=household,
                 detail={"person": person.pk, "relationship": code})
    return member


@transaction.atomic
def household_end_member(*, member: HouseholdMember, actor, on: datetime.date | None = None) -> HouseholdMember:
    """A member leaves the household (the person stays in the registry)."""
    _require_change(actor)
    _require_path(actor, member.household.place_path)
    if member.end_date is not None:
        raise Refused(_("This membership has already ended."), code="ended")
    _leave_household(member.person, _today(on))
    member.refresh_from_db()
    audit_record(action="residents.household_end_member", actor=actor, target=member.household,
                 detail={"person": member.person_id})
    return member


