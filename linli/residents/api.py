"""Registry API (/api/v1/residents/...): persons (search, masked, scoped), a person (404 out of scope),
households, tags, and the audited unmask endpoint."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.errors import NotFound, PermissionDenied
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


PersonPageOut = page_of(PersonOut)


class PersonSearchIn(Schema):
    q: str = ""
    tag: str = ""
    place: int | None = None
    status: str = PersonStatus.ACTIVE
    compound_kind: str = Field("", description="rented, relocation, commercial, old, work_unit (三区)")
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
                                                  "status": filters.status, "compound_kind": filters.compound_kind})
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


@router.get("/households", response=page_of(HouseholdOut), summary="Households (scoped; oldest first)")
def household_list(request, q: str = "", after: int | None = None, size: int = selectors.PAGE_SIZE):
    _require_view(request)
    if not after:
        actions.number_search(actor=request.auth, q=q, where="api")

    def items(households: list[Any]) -> list[dict[str, Any]]:
        chains = selectors.place_chain([h.house for h in households if h.house_id])
        return [{"id": h.pk, "number": h.number, "head_id": h.head_id, "house_id": h.house_id,
                 "address": selectors.address_of(chains.get(h.house_id or 0, [])), "status": h.status}
                for h in households]

    return paged(selectors.household_list(request.auth, q), items, after=after, size=size, ascending=True, batch=True)


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
    compound: str
    compound_kind: str
    contact_name: str
    contact_phone: str  # masked
    credit_code: str
    active: bool
    serves: list[str]


OrganisationPageOut = page_of(OrganisationOut)


class OrganisationSearchIn(Schema):
    q: str = ""
    kind: str = Field("", description="shop, company, school, unit, owners_committee, property_company, other")
    compound: int | None = Field(None, description="A compound: organisations in it, or serving it now")
    compound_kind: str = Field("", description="rented, relocation, commercial, old, work_unit (三区)")
    status: str = Field("", description="\"\" open, \"closed\", \"all\"")
    after: int | None = None
    size: int = 50


class OrganisationCreateIn(Schema):
    name: str
    kind: str = "shop"
    place_id: int = Field(description="A house, building or compound")
    contact_name: str = ""
    contact_phone: str = ""
    credit_code: str = ""
    notes: str = ""
    serves: list[int] = Field(default_factory=list, description="Compounds a committee or property company serves")
    serves_from: datetime.date | None = None


class OrganisationUpdateIn(Schema):
    name: str | None = None
    kind: str | None = None
    place_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    credit_code: str | None = None
    notes: str | None = None


class CompoundServiceIn(Schema):
    compound_id: int
    start: datetime.date | None = None


class CompoundServiceEndIn(Schema):
    on: datetime.date | None = None


class CompoundServiceOut(Schema):
    id: int
    organisation_id: int
    compound_id: int
    compound: str
    kind: str
    start_date: datetime.date | None
    end_date: datetime.date | None


def _org_out(user, org) -> dict:
    from dataclasses import asdict

    from linli.residents.selectors_orgs import organisation_rows

    row = asdict(organisation_rows(user, [org])[0])
    return {**{k: row[k] for k in ("id", "name", "kind", "address", "compound", "compound_kind", "contact_name",
                                   "contact_phone", "credit_code", "active", "serves")}, "place_id": org.place_id}


def _service_out(service) -> dict:
    return {"id": service.pk, "organisation_id": service.organisation_id, "compound_id": service.compound_id,
            "compound": service.compound.name, "kind": service.kind, "start_date": service.start_date,
            "end_date": service.end_date}


def _place_for(user, place_id: int):
    from linli.places.selectors import places_visible_to

    place = places_visible_to(user).filter(pk=place_id).first()
    if place is None:
        raise NotFound("not found")
    return place


@router.get("/organisations", response=OrganisationPageOut,
            summary="Shops, companies, schools, units, owners' committees, property companies (scoped, masked)")
def organisation_list(request, filters: Query[OrganisationSearchIn]):
    from dataclasses import asdict

    from linli.residents.selectors_orgs import OrganisationFilters, organisation_rows, organisation_search

    _require_view(request)
    f = OrganisationFilters.from_params(filters.dict())

    def items(orgs: list[Any]) -> list[dict[str, Any]]:
        return [{**asdict(r), "place_id": o.place_id} for r, o in zip(organisation_rows(request.auth, orgs), orgs,
                                                                      strict=True)]

    return paged(organisation_search(request.auth, f).select_related("place"), items, after=filters.after,
                 size=filters.size, batch=True)


@router.post("/organisations", response={201: OrganisationOut}, summary="Register an organisation")
def organisation_create(request, payload: OrganisationCreateIn):
    user = request.auth
    _require_view(request)
    place = _place_for(user, payload.place_id)
    serves = [_place_for(user, pk) for pk in payload.serves]
    org = actions.organisation_create(
        name=payload.name, kind=payload.kind, place=place, actor=user, contact_name=payload.contact_name,
        contact_phone=payload.contact_phone, credit_code=payload.credit_code, notes=payload.notes,
        serves=serves or None, serves_from=payload.serves_from,
    )
    return Status(201, _org_out(user, org))


@router.get("/organisations/{organisation_id}", response=OrganisationOut, summary="One organisation (masked)")
def organisation_detail(request, organisation_id: int):
    from linli.residents.access import access_organisation

    _require_view(request)
    return _org_out(request.auth, access_organisation(request.auth, organisation_id))


@router.patch("/organisations/{organisation_id}", response=OrganisationOut, summary="Correct an organisation")
def organisation_update(request, organisation_id: int, payload: OrganisationUpdateIn):
    from linli.residents.access import access_organisation

    user = request.auth
    _require_view(request)
    org = access_organisation(user, organisation_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None and k != "place_id"}
    if payload.place_id is not None:
        changes["place"] = _place_for(user, payload.place_id)
    org = actions.organisation_update(organisation=org, actor=user, **changes)
    return _org_out(user, org)


@router.get("/organisations/{organisation_id}/services", response=page_of(CompoundServiceOut),
            summary="The compounds it serves or served (newest first)")
def organisation_services(request, organisation_id: int, after: int | None = None, size: int = PAGE_SIZE):
    from linli.residents.access import access_organisation

    _require_view(request)
    organisation = access_organisation(request.auth, organisation_id)
    return paged(organisation.services.select_related("compound"), _service_out, after=after, size=size)


@router.post("/organisations/{organisation_id}/services", response={201: CompoundServiceOut},
             summary="It serves a compound from a date (the one serving now stops that day)")
def organisation_serve(request, organisation_id: int, payload: CompoundServiceIn):
    from linli.residents.access import access_organisation

    user = request.auth
    _require_view(request)
    org = access_organisation(user, organisation_id)
    service = actions.organisation_serve(organisation=org, compound=_place_for(user, payload.compound_id), actor=user,
                                         start=payload.start)
    return Status(201, _service_out(service))


@router.post("/organisations/{organisation_id}/services/{compound_service_id}/end", response=CompoundServiceOut,
             summary="It stops serving the compound")
def organisation_serve_end(request, organisation_id: int, compound_service_id: int, payload: CompoundServiceEndIn):
    from linli.residents.access import access_organisation
    from linli.residents.models import CompoundService

    user = request.auth
    _require_view(request)
    org = access_organisation(user, organisation_id)
    service = CompoundService.objects.visible_to(user).filter(pk=compound_service_id, organisation=org).first()
    if service is None:
        raise NotFound("not found")
    return _service_out(actions.organisation_serve_end(service=service, actor=user, on=payload.on))
