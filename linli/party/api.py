"""Party API (/api/v1/party): the organisation tree, members and their roles, 双报到 registrations (with
one endpoint per transition: approve, reject, withdraw), joint meetings (联席会) and their problems,
partner units with agreements, resources and joint activities, the half-year reports.

Errors: 404 out of scope or missing, 403 not the actor's to do, 409 refused transition, 422 invalid.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.errors import Invalid, PermissionDenied
from linli.core.masking import mask_name
from linli.core.workflow_api import action_routes
from linli.party import actions, reports, selectors
from linli.party.access import (
    access_activity,
    access_meeting,
    access_member,
    access_org,
    access_partner,
    access_registration,
    access_role,
    can_manage_any,
    can_manage_path,
    can_view_party,
)
from linli.party.models import JointActivity, MemberRoleKind, Partner, PartyOrg, PartyOrgKind, ResourceKind
from linli.party.workflow import TRANSITIONS, RegistrationKind, available_actions, event_label

router = Router(tags=["party"])


def _viewer(user: Any) -> None:
    if not can_view_party(user):
        raise PermissionDenied(_("You may not see the party organisation."))


def _place(user: Any, place_id: int | None, *, field: str = "community_id") -> Any:
    """A place the user may see (their scope covers it, or it lies above their scope), or 422."""
    from linli.core.access import scope_of
    from linli.places.selectors import place_get

    if place_id is None:
        return None
    place = place_get(place_id)
    scope = scope_of(user)
    if place is None or not any(
        place.path.startswith(p) or p.startswith(place.path) for p in scope.place_paths
    ):
        raise Invalid(_("Unknown place."), fields={field: [_("Not found.")]})
    return place


def _visible_org(user: Any, pk: int | None, field: str) -> PartyOrg | None:
    if pk is None:
        return None
    org = PartyOrg.objects.visible_to(user).filter(pk=pk).first()
    if org is None:
        raise Invalid(_("Unknown organisation."), fields={field: [_("Not found.")]})
    return org


def _user(pk: int | None, field: str = "secretary_id") -> Any:
    from linli.accounts.selectors import user_get

    if pk is None:
        return None
    found = user_get(pk)
    if found is None:
        raise Invalid(_("Unknown account."), fields={field: [_("Not found.")]})
    return found


# --- organisations --------------------------------------------------------------------------------------------


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    place_id: int
    place: str
    secretary_id: int | None
    secretary: str
    active: bool
    members: int = 0


def org_out(org: PartyOrg, members: int = 0) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "parent_id": org.parent_id,
        "place_id": org.place_id,
        "place": org.place.name,
        "secretary_id": org.secretary_id,
        "secretary": str(org.secretary or ""),
        "active": org.active,
        "members": members,
    }


class OrgNodeOut(Schema):
    org: OrgOut
    members: int
    total: int
    children: list["OrgNodeOut"]


OrgNodeOut.model_rebuild()


def _node_out(node: selectors.OrgNode) -> dict[str, Any]:
    return {
        "org": org_out(node.org, node.members),
        "members": node.members,
        "total": node.total,
        "children": [_node_out(c) for c in node.children],
    }


class OrgCreateIn(Schema):
    kind: PartyOrgKind
    name: str = Field(..., max_length=120)
    place_id: int
    parent_id: int | None = None
    secretary_id: int | None = None


class OrgMoveIn(Schema):
    parent_id: int


class OrgSecretaryIn(Schema):
    secretary_id: int | None = None


@router.get("/orgs", response=page_of(OrgOut), summary="Party organisations I may see (oldest first)")
def org_list(request, community_id: int | None = None, kind: str = "", active: bool = True,
             after: int | None = None, size: int = PAGE_SIZE):
    _viewer(request.auth)
    community = _place(request.auth, community_id)
    qs = selectors.org_list(request.auth, community=community, kind=kind, active=active)
    return paged(qs, org_out, after=after, size=size, ascending=True)


@router.get(
    "/orgs/tree",
    response=list[OrgNodeOut],
    summary="The organisation tree of a community, with member counts",
)
def org_tree(request, community_id: int):
    _viewer(request.auth)
    community = _place(request.auth, community_id)
    return [_node_out(n) for n in selectors.org_tree(request.auth, community)]


@router.post(
    "/orgs",
    response={201: OrgOut},
    summary="Create an organisation (committee, branch, group, household post, unit)",
)
def org_create(request, payload: OrgCreateIn):
    place = _place_any(payload.place_id, field="place_id")
    org = actions.org_create(
        kind=payload.kind,
        name=payload.name,
        place=place,
        parent=_visible_org(request.auth, payload.parent_id, "parent_id"),
        secretary=_user(payload.secretary_id),
        actor=request.auth,
    )
    return Status(201, org_out(org))


@router.get("/orgs/{int:org_id}", response=OrgOut, summary="One organisation")
def org_detail(request, org_id: int):
    return org_out(access_org(request.auth, org_id))


@router.post("/orgs/{int:org_id}/move", response=OrgOut, summary="Hang the organisation under another parent")
def org_move(request, org_id: int, payload: OrgMoveIn):
    org = access_org(request.auth, org_id)
    parent = _visible_org(request.auth, payload.parent_id, "parent_id")
    assert parent is not None  # parent_id is required
    return org_out(actions.org_move(org=org, parent=parent, actor=request.auth))


@router.post("/orgs/{int:org_id}/close", response=OrgOut, summary="Close the organisation")
def org_close(request, org_id: int):
    org = access_org(request.auth, org_id)
    return org_out(actions.org_close(org=org, actor=request.auth))


@router.post(
    "/orgs/{int:org_id}/secretary", response=OrgOut, summary="Set the secretary's account (dispatches orders)"
)
def org_secretary(request, org_id: int, payload: OrgSecretaryIn):
    org = access_org(request.auth, org_id)
    return org_out(
        actions.org_set_secretary(org=org, secretary=_user(payload.secretary_id), actor=request.auth)
    )


# --- members ---------------------------------------------------------------------------------------------------


class RoleOut(Schema):
    id: int
    member_id: int
    role: str
    role_label: str
    place_id: int
    place: str
    since: datetime.date
    until: datetime.date | None


def role_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "member_id": r.member_id,
        "role": r.role,
        "role_label": str(r.get_role_display()),
        "place_id": r.place_id,
        "place": r.place.name,
        "since": r.since,
        "until": r.until,
    }


class MemberOut(Schema):
    id: int
    name: str = Field(..., description="masked")
    phone: str = Field(..., description="masked")
    kind: str
    kind_label: str
    org: str
    employer: str
    grid: str
    active: bool
    joined_on: datetime.date | None
    roles: list[str]


class MemberDetailOut(MemberOut):
    org_id: int | None
    employer_id: int | None
    grid_id: int | None
    left_on: datetime.date | None
    role_history: list[RoleOut]


class MemberCreateIn(Schema):
    person_id: int
    org_id: int | None = None
    kind: str = "local"
    grid_id: int | None = None
    employer_id: int | None = None
    joined_on: datetime.date | None = None


class MemberUpdateIn(Schema):
    org_id: int | None = None
    grid_id: int | None = None
    employer_id: int | None = None


class MemberLeaveIn(Schema):
    left_on: datetime.date | None = None


class RoleAssignIn(Schema):
    role: MemberRoleKind
    place_id: int
    since: datetime.date | None = None


class RoleEndIn(Schema):
    until: datetime.date | None = None


def _member_detail(member: Any) -> dict[str, Any]:
    from linli.party.models import MemberRole

    row = selectors.member_rows([member])[0].__dict__
    history = MemberRole.objects.filter(member=member).select_related("place").order_by("-since", "-id")
    return {
        **row,
        "org_id": member.org_id,
        "employer_id": member.employer_id,
        "grid_id": member.grid_id,
        "left_on": member.left_on,
        "role_history": [role_out(r) for r in history],
    }


@router.get("/members", response=page_of(MemberOut), summary="Party members I may see (personal data masked)")
def member_list(
    request,
    community_id: int | None = None,
    org_id: int | None = None,
    kind: str = "",
    active: bool = True,
    q: str = "",
    after: int | None = None,
    size: int = PAGE_SIZE,
):
    _viewer(request.auth)
    community = _place(request.auth, community_id)
    org = _visible_org(request.auth, org_id, "org_id")
    qs = selectors.member_list(request.auth, community=community, org=org, kind=kind, active=active, q=q)
    page = paged(qs, lambda member: member, after=after, size=size)
    return {**page, "items": [r.__dict__ for r in selectors.member_rows(page["items"])]}


@router.post("/members", response={201: MemberDetailOut}, summary="Add a party member (a registry person)")
def member_create(request, payload: MemberCreateIn):
    from linli.residents.selectors import person_get

    person = person_get(payload.person_id)
    if person is None or not can_manage_any(request.auth):
        raise Invalid(_("Unknown person."), fields={"person_id": [_("Not found.")]})
    member = actions.member_create(
        person=person,
        org=_visible_org(request.auth, payload.org_id, "org_id"),
        kind=payload.kind,
        grid=payload.grid_id,
        employer=_unit(payload.employer_id),
        joined_on=payload.joined_on,
        actor=request.auth,
    )
    return Status(201, _member_detail(member))


def _unit(pk: int | None) -> PartyOrg | None:
    if pk is None:
        return None
    org = PartyOrg.objects.filter(pk=pk, kind=PartyOrgKind.UNIT).first()
    if org is None:
        raise Invalid(_("Unknown organisation."), fields={"employer_id": [_("Not found.")]})
    return org


@router.get("/members/{int:member_id}", response=MemberDetailOut, summary="One member with their roles")
def member_detail(request, member_id: int):
    return _member_detail(access_member(request.auth, member_id))


@router.patch(
    "/members/{int:member_id}",
    response=MemberDetailOut,
    summary="Move a member (organisation, grid, employer)",
)
def member_update(request, member_id: int, payload: MemberUpdateIn):
    member = access_member(request.auth, member_id)
    done = actions.member_update(
        member=member,
        org=_visible_org(request.auth, payload.org_id, "org_id"),
        grid=payload.grid_id,
        employer=_unit(payload.employer_id),
        actor=request.auth,
    )
    return _member_detail(done)


@router.post("/members/{int:member_id}/leave", response=MemberDetailOut, summary="The member leaves")
def member_leave(request, member_id: int, payload: MemberLeaveIn):
    member = access_member(request.auth, member_id)
    return _member_detail(actions.member_leave(member=member, left_on=payload.left_on, actor=request.auth))


@router.post(
    "/members/{int:member_id}/roles", response={201: RoleOut}, summary="Give a role: 两长三员 or a post"
)
def member_role_assign(request, member_id: int, payload: RoleAssignIn):
    member = access_member(request.auth, member_id)
    held = actions.role_assign(
        member=member,
        role=payload.role,
        place=_place_any(payload.place_id),
        since=payload.since,
        actor=request.auth,
    )
    return Status(201, role_out(held))


def _place_any(pk: int, *, field: str = "place_id") -> Any:
    """The place by id, or 422 on ``field`` (the action checks the actor's scope over it)."""
    from linli.places.selectors import place_get

    place = place_get(pk)
    if place is None:
        raise Invalid(_("Unknown place."), fields={field: [_("Not found.")]})
    return place


@router.post("/roles/{int:role_id}/end", response=RoleOut, summary="End a role")
def role_end(request, role_id: int, payload: RoleEndIn):
    held = access_role(request.auth, role_id)
    return role_out(actions.role_end(role=held, until=payload.until, actor=request.auth))


# --- registrations ---------------------------------------------------------------------------------------------


class RegistrationActionOut(Schema):
    name: str
    label: str
    required: list[str]


class RegistrationEventOut(Schema):
    kind: str
    label: str
    at: datetime.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class RegistrationOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    community_id: int
    community: str
    unit_name: str
    contact_name: str
    person: str = Field(..., description="masked")
    grid: str
    reason: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    member_id: int | None
    partner_id: int | None
    actions: list[RegistrationActionOut]
    events: list[RegistrationEventOut]


def registration_out(reg: Any, user: Any, *, events: bool = True) -> dict[str, Any]:
    rows = []
    if events:
        rows = [
            {
                "kind": e.kind,
                "label": str(event_label(e.kind)),
                "at": e.at,
                "actor": str(e.actor or ""),
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in reg.events.select_related("actor")
        ]
    return {
        "id": reg.pk,
        "kind": reg.kind,
        "kind_label": str(reg.get_kind_display()),
        "status": reg.status,
        "status_label": str(reg.get_status_display()),
        "community_id": reg.community_id,
        "community": reg.community.name,
        "unit_name": reg.unit_name,
        "contact_name": reg.contact_name,
        "person": mask_name(reg.person.name) if reg.person else "",
        "grid": reg.grid.name if reg.grid else "",
        "reason": reg.reason,
        "created_at": reg.created_at,
        "decided_at": reg.decided_at,
        "member_id": reg.member_id,
        "partner_id": reg.partner_id,
        "actions": [
            {"name": t.name, "label": str(t.label), "required": list(t.required)}
            for t in available_actions(reg, user)
        ],
        "events": rows,
    }


class RegistrationCreateIn(Schema):
    kind: RegistrationKind
    community_id: int
    unit_name: str = Field(
        "", max_length=120, description="the unit (unit) or the member's employer (member)"
    )
    contact_name: str = Field("", max_length=64)
    person_id: int | None = Field(None, description="staff only: the registry person; else the caller's own")
    employer_id: int | None = None
    note: str = Field("", max_length=2000)


@router.get(
    "/registrations",
    response=page_of(RegistrationOut),
    summary="Registrations I may see (mine, or my community's)",
)
def registration_list(request, status: str = "", kind: str = "", after: int | None = None, size: int = PAGE_SIZE):
    qs = selectors.registration_list(request.auth, status=status, kind=kind)
    return paged(qs, lambda r: registration_out(r, request.auth, events=False), after=after, size=size)


@router.post(
    "/registrations",
    response={201: RegistrationOut},
    summary="Register (双报到): a unit, or a serving member",
)
def registration_create(request, payload: RegistrationCreateIn):
    from linli.residents.selectors import person_get

    community = _place_any(payload.community_id, field="community_id")
    person = None
    if payload.person_id is not None:
        if not can_manage_path(request.auth, community.path):
            raise PermissionDenied(_("Only community staff register somebody else."))
        person = person_get(payload.person_id)
        if person is None:
            raise Invalid(_("Unknown person."), fields={"person_id": [_("Not found.")]})
    reg = actions.registration_submit(
        kind=payload.kind,
        community=community,
        unit_name=payload.unit_name,
        contact_name=payload.contact_name,
        person=person,
        employer=_unit(payload.employer_id),
        note=payload.note,
        actor=request.auth,
    )
    return Status(201, registration_out(reg, request.auth))


@router.get(
    "/registrations/{int:registration_id}",
    response=RegistrationOut,
    summary="One registration with its events",
)
def registration_detail(request, registration_id: int):
    return registration_out(access_registration(request.auth, registration_id), request.auth)


class ApproveIn(Schema):
    grid_id: int | None = Field(None, description="member registrations: the grid to place the member in")


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class WithdrawIn(Schema):
    pass


_INPUTS: dict[str, type[Schema]] = {"approve": ApproveIn, "reject": RejectIn, "withdraw": WithdrawIn}


def _registration_data(name: str, payload: Schema) -> dict[str, Any]:
    data = payload.dict()
    if "grid_id" in data:
        data["grid"] = data.pop("grid_id")
    return data


action_routes(
    router, TRANSITIONS, name="registration", path="/registrations/{int:registration_id}",
    access=access_registration, response=RegistrationOut, schemas=_INPUTS, data=_registration_data,
    act=lambda actor, r, name, data: actions.registration_transition(registration=r.pk, name=name, actor=actor, data=data),
    out=lambda r, user: registration_out(access_registration(user, r.pk), user),
)


# --- partners, agreements, resources, activities ---------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    name: str
    community_id: int
    community: str
    big_committee: bool
    rotation_order: int
    contact_name: str
    org_id: int | None
    active: bool


def partner_out(p: Partner) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "community_id": p.community_id,
        "community": p.community.name,
        "big_committee": p.big_committee,
        "rotation_order": p.rotation_order,
        "contact_name": p.contact_name,
        "org_id": p.org_id,
        "active": p.active,
    }


class AgreementOut(Schema):
    id: int
    title: str
    signed_on: datetime.date
    valid_until: datetime.date | None
    content: str


class ResourceOut(Schema):
    id: int
    kind: str
    name: str
    description: str


class PartnerDetailOut(PartnerOut):
    agreements: list[AgreementOut]
    resources: list[ResourceOut]


def _partner_detail(p: Partner) -> dict[str, Any]:
    return {
        **partner_out(p),
        "agreements": [
            {
                "id": a.pk,
                "title": a.title,
                "signed_on": a.signed_on,
                "valid_until": a.valid_until,
                "content": a.content,
            }
            for a in p.agreements.all()
        ],
        "resources": [
            {"id": r.pk, "kind": r.kind, "name": r.name, "description": r.description}
            for r in p.resources.all()
        ],
    }


class PartnerCreateIn(Schema):
    community_id: int
    name: str = Field(..., max_length=120)
    big_committee: bool = False
    rotation_order: int = Field(0, ge=0)
    contact_name: str = Field("", max_length=64)
    org_id: int | None = None


class PartnerUpdateIn(Schema):
    big_committee: bool | None = None
    rotation_order: int | None = Field(None, ge=0)
    contact_name: str | None = Field(None, max_length=64)
    active: bool | None = None


class AgreementIn(Schema):
    title: str = Field(..., max_length=120)
    signed_on: datetime.date
    valid_until: datetime.date | None = None
    content: str = Field("", max_length=10000)


class ResourceIn(Schema):
    kind: ResourceKind
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=2000)


@router.get(
    "/partners",
    response=page_of(PartnerOut),
    summary="Partner units (共建单位; big_committee: 大党委 member units), oldest first",
)
def partner_list(request, community_id: int | None = None, big_committee: bool | None = None,
                 after: int | None = None, size: int = PAGE_SIZE):
    _viewer(request.auth)
    community = _place(request.auth, community_id)
    qs = selectors.partner_list(request.auth, community=community, big_committee=big_committee)
    return paged(qs, partner_out, after=after, size=size, ascending=True)


@router.post("/partners", response={201: PartnerOut}, summary="Add a partner unit")
def partner_create(request, payload: PartnerCreateIn):
    community = _place_any(payload.community_id, field="community_id")
    p = actions.partner_create(
        community=community,
        name=payload.name,
        big_committee=payload.big_committee,
        rotation_order=payload.rotation_order,
        contact_name=payload.contact_name,
        org=_unit(payload.org_id),
        actor=request.auth,
    )
    return Status(201, partner_out(p))


@router.get(
    "/partners/{int:partner_id}",
    response=PartnerDetailOut,
    summary="One partner with agreements and resources",
)
def partner_detail(request, partner_id: int):
    return _partner_detail(access_partner(request.auth, partner_id))


@router.patch(
    "/partners/{int:partner_id}",
    response=PartnerDetailOut,
    summary="Change a partner (rotation, 大党委, active)",
)
def partner_update(request, partner_id: int, payload: PartnerUpdateIn):
    p = access_partner(request.auth, partner_id)
    p = actions.partner_update(
        partner=p,
        big_committee=payload.big_committee,
        rotation_order=payload.rotation_order,
        contact_name=payload.contact_name,
        actor=request.auth,
    )
    if payload.active is not None and payload.active != p.active:
        p = actions.partner_set_active(partner=p, active=payload.active, actor=request.auth)
    return _partner_detail(access_partner(request.auth, p.pk))


@router.post(
    "/partners/{int:partner_id}/agreements", response={201: AgreementOut}, summary="Record a 共建协议"
)
def partner_agreement_create(request, partner_id: int, payload: AgreementIn):
    p = access_partner(request.auth, partner_id)
    a = actions.agreement_create(
        partner=p,
        title=payload.title,
        signed_on=payload.signed_on,
        valid_until=payload.valid_until,
        content=payload.content,
        actor=request.auth,
    )
    return Status(
        201,
        {
            "id": a.pk,
            "title": a.title,
            "signed_on": a.signed_on,
            "valid_until": a.valid_until,
            "content": a.content,
        },
    )


@router.post(
    "/partners/{int:partner_id}/resources", response={201: ResourceOut}, summary="Record a shared resource"
)
def partner_resource_create(request, partner_id: int, payload: ResourceIn):
    p = access_partner(request.auth, partner_id)
    r = actions.resource_create(
        partner=p, kind=payload.kind, name=payload.name, description=payload.description, actor=request.auth
    )
    return Status(201, {"id": r.pk, "kind": r.kind, "name": r.name, "description": r.description})


class JointActivityOut(Schema):
    id: int
    community_id: int
    held_on: datetime.date
    title: str
    partners: list[str]
    participants: int
    note: str


def activity_out(a: JointActivity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "community_id": a.community_id,
        "held_on": a.held_on,
        "title": a.title,
        "partners": [p.name for p in a.partners.all()],
        "participants": a.participants,
        "note": a.note,
    }


class JointActivityIn(Schema):
    community_id: int
    held_on: datetime.date
    title: str = Field(..., max_length=120)
    partner_ids: list[int] = Field(default_factory=list)
    participants: int = Field(0, ge=0)
    note: str = Field("", max_length=4000)


def _partners(user: Any, ids: list[int], field: str) -> list[Partner]:
    found = list(Partner.objects.visible_to(user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise Invalid(_("Unknown partner unit."), fields={field: [_("Not found.")]})
    return found


@router.get("/activities", response=page_of(JointActivityOut), summary="Joint activities with partner units")
def activity_list(request, community_id: int | None = None, after: int | None = None, size: int = PAGE_SIZE):
    _viewer(request.auth)
    qs = JointActivity.objects.visible_to(request.auth).prefetch_related("partners")
    community = _place(request.auth, community_id)
    if community is not None:
        qs = qs.filter(community=community)
    return paged(qs, activity_out, after=after, size=size)


@router.post("/activities", response={201: JointActivityOut}, summary="Record a joint activity")
def activity_create(request, payload: JointActivityIn):
    community = _place_any(payload.community_id, field="community_id")
    a = actions.activity_create(
        community=community,
        held_on=payload.held_on,
        title=payload.title,
        partners=_partners(request.auth, payload.partner_ids, "partner_ids"),
        participants=payload.participants,
        note=payload.note,
        actor=request.auth,
    )
    return Status(201, activity_out(a))


@router.get("/activities/{int:activity_id}", response=JointActivityOut, summary="One joint activity")
def activity_detail(request, activity_id: int):
    return activity_out(access_activity(request.auth, activity_id))


# --- joint meetings -------------------------------------------------------------------------------------------


class ProblemOut(Schema):
    id: int
    case_id: int
    number: str
    title: str
    status: str
    status_label: str
    owner: str
    handle_due: datetime.datetime | None
    partner: str


class MeetingOut(Schema):
    id: int
    community_id: int
    held_on: datetime.date
    title: str
    chair_id: int | None
    chair: str
    present: int
    problem_count: int


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendees: list[PartnerOut]
    problems: list[ProblemOut]


def meeting_out(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "community_id": m.community_id,
        "held_on": m.held_on,
        "title": m.title,
        "chair_id": m.chair_id,
        "chair": m.chair.name if m.chair else "",
        "present": getattr(m, "present", 0),
        "problem_count": getattr(m, "problem_count", 0),
    }


def problem_out(p: Any) -> dict[str, Any]:
    c = p.case
    return {
        "id": p.pk,
        "case_id": c.pk,
        "number": c.number,
        "title": c.title,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "owner": str(c.owner_user or c.owner_department or ""),
        "handle_due": c.handle_due,
        "partner": p.partner.name if p.partner else "",
    }


def _meeting_detail(m: Any) -> dict[str, Any]:
    attendees = list(m.attendees.select_related("community"))
    problems = selectors.meeting_problems(m)
    return {
        **meeting_out(m),
        "present": len(attendees),
        "problem_count": len(problems),
        "minutes": m.minutes,
        "attendees": [partner_out(p) for p in attendees],
        "problems": [problem_out(p) for p in problems],
    }


class MeetingCreateIn(Schema):
    community_id: int
    held_on: datetime.date
    title: str = Field(..., max_length=120)
    attendee_ids: list[int] = Field(default_factory=list)
    minutes: str = Field("", max_length=20000)


class MeetingUpdateIn(Schema):
    minutes: str | None = Field(None, max_length=20000)
    attendee_ids: list[int] | None = None


class ProblemIn(Schema):
    title: str = Field(..., max_length=100)
    category: int | str = Field(..., description="the case category's id or code")
    description: str = Field("", max_length=4000)
    place_id: int | None = None
    partner_id: int | None = None


class RotationOut(Schema):
    current: PartnerOut | None
    next: PartnerOut | None
    schedule: list[dict[str, Any]]


@router.get("/meetings", response=page_of(MeetingOut), summary="Joint meetings (联席会)")
def meeting_list(request, community_id: int | None = None, after: int | None = None, size: int = PAGE_SIZE):
    _viewer(request.auth)
    community = _place(request.auth, community_id)
    return paged(selectors.meeting_list(request.auth, community=community), meeting_out, after=after, size=size)


@router.get(
    "/meetings/rotation", response=RotationOut, summary="This month's and next month's chair (按月轮值)"
)
def meeting_rotation(request, community_id: int):
    from django.utils import timezone

    _viewer(request.auth)
    community = _place(request.auth, community_id)
    r = selectors.rotation_of(community, timezone.localdate())
    return {
        "current": partner_out(r.current) if r.current else None,
        "next": partner_out(r.next) if r.next else None,
        "schedule": [{"month": d.strftime("%Y-%m"), "chair": p.name if p else ""} for d, p in r.schedule],
    }


@router.post(
    "/meetings", response={201: MeetingDetailOut}, summary="Record a joint meeting (its chair is the month's)"
)
def meeting_create(request, payload: MeetingCreateIn):
    community = _place_any(payload.community_id, field="community_id")
    m = actions.meeting_create(
        community=community,
        held_on=payload.held_on,
        title=payload.title,
        minutes=payload.minutes,
        attendees=_partners(request.auth, payload.attendee_ids, "attendee_ids"),
        actor=request.auth,
    )
    return Status(201, _meeting_detail(m))


@router.get(
    "/meetings/{int:meeting_id}",
    response=MeetingDetailOut,
    summary="One meeting: attendance, minutes, problems",
)
def meeting_detail(request, meeting_id: int):
    return _meeting_detail(access_meeting(request.auth, meeting_id))


@router.patch(
    "/meetings/{int:meeting_id}", response=MeetingDetailOut, summary="Change the minutes or attendance"
)
def meeting_update(request, meeting_id: int, payload: MeetingUpdateIn):
    m = access_meeting(request.auth, meeting_id)
    attendees = (
        _partners(request.auth, payload.attendee_ids, "attendee_ids")
        if payload.attendee_ids is not None
        else None
    )
    m = actions.meeting_update(meeting=m, minutes=payload.minutes, attendees=attendees, actor=request.auth)
    return _meeting_detail(access_meeting(request.auth, m.pk))


@router.post(
    "/meetings/{int:meeting_id}/problems", response={201: ProblemOut}, summary="File a problem as a case"
)
def meeting_problem_create(request, meeting_id: int, payload: ProblemIn):
    m = access_meeting(request.auth, meeting_id)
    partner = _partners(request.auth, [payload.partner_id], "partner_id")[0] if payload.partner_id else None
    problem = actions.meeting_problem_file(
        meeting=m,
        title=payload.title,
        category=payload.category,
        description=payload.description,
        place=_place_any(payload.place_id) if payload.place_id else None,
        partner=partner,
        actor=request.auth,
    )
    problem = (
        type(problem)
        .objects.select_related("case__owner_user", "case__owner_department", "partner")
        .get(pk=problem.pk)
    )
    return Status(201, problem_out(problem))


# --- reports ---------------------------------------------------------------------------------------------------


class ReportMemberOut(Schema):
    member_id: int
    name: str = Field(..., description="masked")
    grid: str
    hours: Decimal
    points: int
    evaluation: str = Field("", description="the community's half-year grade and comment, when confirmed")


class ReportUnitOut(Schema):
    employer_id: int
    employer: str
    members: int
    serving: int
    hours: Decimal
    points: int
    lines: list[ReportMemberOut]


class ReportOut(Schema):
    year: int
    half: int
    since: datetime.date
    until: datetime.date
    units: list[ReportUnitOut]


class ServiceReportIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    half: int = Field(..., ge=1, le=2)
    employer_id: int | None = None
    format: str = Field("json", description="json | xlsx | pdf")


@router.get(
    "/reports/service", response=ReportOut, summary="Half-year report to employer units (json, xlsx or pdf)"
)
def report_service(request, params: Query[ServiceReportIn]):
    _viewer(request.auth)
    report = reports.service_report(
        request.auth, year=params.year, half=params.half, employer_id=params.employer_id
    )
    if params.format in ("xlsx", "pdf"):
        return report_file(report, params.format, request.auth)
    return {
        "year": report.year,
        "half": report.half,
        "since": report.since,
        "until": report.until,
        "units": [{**u.__dict__, "lines": [ln.__dict__ for ln in u.lines]} for u in report.units],
    }


def report_file(report: reports.Report, fmt: str, user: Any) -> HttpResponse:
    from linli.core.audit import audit_record
    from linli.core.excel import XLSX, download

    name = f"party-service-{report.year}-H{report.half}.{fmt}"
    if fmt == "xlsx":
        body, ctype = reports.report_xlsx(report), XLSX
    else:
        body, ctype = reports.report_pdf(report), "application/pdf"
    audit_record(
        action="party.report_export",
        detail={"year": report.year, "half": report.half, "format": fmt, "units": len(report.units)},
    )
    return download(body, name, content_type=ctype)
