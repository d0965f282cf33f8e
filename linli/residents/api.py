"""Registry API (/api/v1/residents/...): persons (search, masked, scoped), a person (404 out of scope),
households, tags, and the audited unmask endpoint."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Query, Router, Schema

from linli.core.errors import PermissionDenied
from linli.core.pii import pii_reveal
from linli.residents import actions, selectors
from linli.residents.access import access_household, access_person, can_view_registry, reveal_perm
from linli.residents.models import PersonStatus

router = Router(tags=["registry"])


def _require_view(request) -> None:
    if not can_view_registry(request.auth):
        raise PermissionDenied("You may not read the registry.")


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    age: int | None
    birth_date: datetime.date | None
    id_number: str  # masked
    phone: str  # masked
    ethnicity: str
    political_status: str
    address: str
    registered_address: str
    grid: str
    status: str
    tags: list[str]


class PersonPageOut(Schema):
    items: list[PersonOut]
    next_after: int | None


class PersonSearchIn(Schema):
    q: str = ""
    tag: str = ""
    place: int | None = None
    status: str = PersonStatus.ACTIVE
    after: int | None = None
    size: int = selectors.PAGE_SIZE


class MembershipOut(Schema):
    household_id: int
    relationship: str
    relationship_name: str
    start_date: datetime.date | None
    end_date: datetime.date | None


class OccupancyOut(Schema):
    house_id: int
    address: str
    kind: str
    start_date: datetime.date | None
    end_date: datetime.date | None


class PersonTagOut(Schema):
    tag: str
    name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    source: str


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut]
    occupancies: list[OccupancyOut]
    tag_history: list[PersonTagOut]


class RevealIn(Schema):
    field: str
    reason: str = ""


class PersonRevealOut(Schema):
    field: str
    value: str


class HouseholdMemberOut(Schema):
    person_id: int
    name: str
    relationship: str
    relationship_name: str
    id_number: str  # masked
    start_date: datetime.date | None
    end_date: datetime.date | None


class HouseholdOut(Schema):
    id: int
    number: str
    head_id: int | None
    house_id: int | None
    address: str
    status: str


class HouseholdDetailOut(HouseholdOut):
    members: list[HouseholdMemberOut]


class TagOut(Schema):
    code: str
    name: str
    sensitivity: str
    computed: bool
    community_id: int | None


@router.get("/persons", response=PersonPageOut, summary="Search persons (masked, scoped)")
def person_list(request, filters: Query[PersonSearchIn]):
    _require_view(request)
    if not filters.after:
        actions.number_search(actor=request.auth, q=filters.q, where="api")
    params = selectors.PersonFilters.from_params({"tag": filters.tag, "place": filters.place or "",
                                                  "status": filters.status})
    persons, next_after = selectors.person_page(request.auth, filters.q, params, after=filters.after,
                                                size=max(1, min(filters.size, 200)))
    return {"items": [r.__dict__ for r in selectors.person_rows(request.auth, persons)], "next_after": next_after}


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="One person (masked)")
def person_detail(request, person_id: int):
    _require_view(request)
    person = access_person(request.auth, person_id)
    d = selectors.person_detail(request.auth, person)
    return {
        **d.row.__dict__,
        "memberships": [
            {"household_id": m.household_id, "relationship": m.relationship,
             "relationship_name": selectors.relationship_name(m.relationship), "start_date": m.start_date,
             "end_date": m.end_date}
            for m in d.memberships
        ],
        "occupancies": [
            {"house_id": o.house_id, "address": d.occupancy_addresses.get(o.pk, ""), "kind": o.kind,
             "start_date": o.start_date, "end_date": o.end_date}
            for o in d.occupancies
        ],
        "tag_history": [
            {"tag": t.tag.code, "name": t.tag.name, "valid_from": t.valid_from, "valid_to": t.valid_to,
             "source": t.source}
            for t in d.tags
        ],
    }


@router.post("/persons/{person_id}/reveal", response=PersonRevealOut, summary="Show one field unmasked (audited)")
def person_reveal(request, person_id: int, payload: RevealIn):
    _require_view(request)
    if payload.field not in ("id_number", "phone"):
        raise Http404
    person = access_person(request.auth, person_id)
    value = pii_reveal(actor=request.auth, obj=person, field=payload.field,
                       perm=reveal_perm(request.auth, payload.field), reason=payload.reason)
    return {"field": payload.field, "value": value}


def _household_out(user, household) -> dict:
    d = selectors.household_detail(user, household)
    return {
        "id": household.pk, "number": household.number, "head_id": household.head_id,
        "house_id": household.house_id, "address": d.address, "status": household.status,
        "members": [
            {"person_id": r.id, "name": r.name, "relationship": m.relationship,
             "relationship_name": selectors.relationship_name(m.relationship), "id_number": r.id_number,
             "start_date": m.start_date, "end_date": m.end_date}
            for m, r in [*d.current, *d.former]
        ],
    }


@router.get("/households", response=list[HouseholdOut], summary="Households (scoped)")
def household_list(request, q: str = "", after: int | None = None, size: int = selectors.PAGE_SIZE):
    _require_view(request)
    if not after:
        actions.number_search(actor=request.auth, q=q, where="api")
    qs = selectors.household_list(request.auth, q)
    if after:
        qs = qs.filter(pk__gt=after)
    households = list(qs[: max(1, min(size, 200))])
    chains = selectors.place_chain([h.house for h in households if h.house_id])
    return [
        {"id": h.pk, "number": h.number, "head_id": h.head_id, "house_id": h.house_id,
         "address": selectors.address_of(chains.get(h.house_id or 0, [])), "status": h.status}
        for h in households
    ]


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="One household")
def household_detail(request, household_id: int):
    _require_view(request)
    return _household_out(request.auth, access_household(request.auth, household_id))


@router.get("/tags", response=list[TagOut], summary="Tags I may see")
def tag_list(request):
    _require_view(request)
    return list(selectors.visible_tags(request.auth))


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    place_id: int
    address: str
    contact_name: str
    contact_phone: str  # masked
    credit_code: str
    active: bool


@router.get("/organisations", response=list[OrganisationOut], summary="Shops, companies, schools, units (scoped)")
def organisation_list(request, kind: str = "", after: int | None = None, size: int = selectors.PAGE_SIZE):
    from linli.core.masking import mask_phone
    from linli.residents.models import Organisation

    _require_view(request)
    qs = Organisation.objects.visible_to(request.auth).select_related("place").order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    if after:
        qs = qs.filter(pk__gt=after)
    orgs = list(qs[: max(1, min(size, 200))])
    chains = selectors.place_chain([o.place for o in orgs])
    return [
        {"id": o.pk, "name": o.name, "kind": o.kind, "place_id": o.place_id,
         "address": selectors.address_of(chains.get(o.place_id, [])), "contact_name": o.contact_name,
         "contact_phone": mask_phone(o.contact_phone), "credit_code": o.credit_code, "active": o.active}
        for o in orgs
    ]
