"""Volunteers API (/api/v1/volunteers): volunteers, teams, activities (list, detail, create, one endpoint
per transition of the table), sign-ups (sign up, cancel, manual check-in/out, verify), check-in and
check-out by the activity's QR token, and my sign-ups. ``status`` is never an input.

Errors: 404 out of scope or missing (a wrong token too), 403 not the actor's to do, 409 refused
(full, not signed up, outside the time window, wrong state), 422 invalid.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from linli.core.api import PAGE_SIZE, page_of, paged
from linli.core.masking import mask_name
from linli.core.workflow_api import action_routes
from linli.volunteers import actions, selectors
from linli.volunteers.access import (
    access_activity,
    access_signup,
    access_team,
    access_volunteer,
    can_organise,
)
from linli.volunteers.models import Activity, Signup, Volunteer
from linli.volunteers.workflow import (
    PERM_MANAGE,
    SIGNUP_TRANSITIONS,
    TRANSITIONS,
    VOLUNTEER_TRANSITIONS,
    available_actions,
)

router = Router(tags=["volunteers"])


# --- output ------------------------------------------------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    person_id: int
    name: str
    kind: str
    community_id: int
    status: str
    skills: list[str]
    joined_on: datetime.date


class TeamOut(Schema):
    id: int
    name: str
    community_id: int
    leader_id: int | None
    description: str
    member_ids: list[int]


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    location: str
    community_id: int
    team_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    quota: int
    confirmed_count: int
    waitlist: bool
    area: str
    points: int | None
    organiser_id: int
    status: str
    actions: list[str] = Field(description="the transitions I may start now")
    checkin_token: str | None = Field(None, description="only for the organiser")


class SignupOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    name: str
    status: str
    signed_up_at: datetime.datetime
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None
    hours: Decimal | None
    verified_at: datetime.datetime | None


def volunteer_out(v: Volunteer, user: Any) -> dict[str, Any]:
    staff = PERM_MANAGE in getattr(user, "perms", ())
    return {
        "id": v.pk,
        "person_id": v.person_id,
        "name": v.person.name if staff else mask_name(v.person.name),
        "kind": v.kind,
        "community_id": v.community_id,
        "status": v.status,
        "skills": [s.code for s in v.skills.all()],
        "joined_on": v.joined_on,
    }


def activity_out(a: Activity, user: Any) -> dict[str, Any]:
    return {
        **{
            f: getattr(a, f)
            for f in (
                "id",
                "title",
                "description",
                "location",
                "community_id",
                "team_id",
                "starts_at",
                "ends_at",
                "quota",
                "confirmed_count",
                "waitlist",
                "area",
                "points",
                "organiser_id",
                "status",
            )
        },
        "actions": [t.name for t in available_actions(a, user)],
        "checkin_token": a.checkin_token if can_organise(user, a) else None,
    }


def signup_out(s: Signup, user: Any) -> dict[str, Any]:
    name = s.volunteer.person.name
    own = s.volunteer.user_id == getattr(user, "pk", None)
    return {
        **{
            f: getattr(s, f)
            for f in (
                "id",
                "activity_id",
                "volunteer_id",
                "status",
                "signed_up_at",
                "checked_in_at",
                "checked_out_at",
                "hours",
                "verified_at",
            )
        },
        "name": name if own or PERM_MANAGE in getattr(user, "perms", ()) else mask_name(name),
    }


# --- volunteers and teams --------------------------------------------------------------------------------------


class VolunteerRegisterIn(Schema):
    person_id: int | None = Field(None, description="staff: the registry person; omit to register yourself")
    kind: str = "resident"
    skills: list[str] = []
    note: str = ""


@router.get(
    "", response=page_of(VolunteerOut), summary="Volunteers I may see (filters: q, skill, kind, pool, team)"
)
def volunteer_list(
    request, q: str = "", skill: str = "", kind: str = "", pool: int | None = None, team: int | None = None,
    after: int | None = None, size: int = PAGE_SIZE,
):
    rows = selectors.volunteer_list(
        user=request.auth, q=q, skill=skill, kind=kind, pool_id=pool, team_id=team
    )
    return paged(rows, lambda v: volunteer_out(v, request.auth), after=after, size=size)


@router.post(
    "", response={201: VolunteerOut}, summary="Register as a volunteer (or, staff, register a person)"
)
def volunteer_register(request, payload: VolunteerRegisterIn):
    person = None
    if payload.person_id is not None:
        from linli.residents.access import access_person

        person = access_person(request.auth, payload.person_id)
    v = actions.volunteer_register(
        actor=request.auth, person=person, kind=payload.kind, skills=payload.skills, note=payload.note
    )
    return Status(201, volunteer_out(v, request.auth))


@router.get("/{int:volunteer_id}", response=VolunteerOut, summary="One volunteer")
def volunteer_detail(request, volunteer_id: int):
    return volunteer_out(access_volunteer(request.auth, volunteer_id), request.auth)


class VolunteerStatusIn(Schema):
    status: str = Field(description="active, paused or left")


@router.post(
    "/{int:volunteer_id}/status",
    response=VolunteerOut,
    summary="Pause, leave or come back (self or managers)",
)
def volunteer_set_status(request, volunteer_id: int, payload: VolunteerStatusIn):
    volunteer = access_volunteer(request.auth, volunteer_id)
    actions.volunteer_set_status(volunteer=volunteer, status=payload.status, actor=request.auth)
    return volunteer_out(access_volunteer(request.auth, volunteer_id), request.auth)


action_routes(  # pause, resume, leave (self or managers)
    router, VOLUNTEER_TRANSITIONS, name="volunteer", path="/{int:volunteer_id}", access=access_volunteer,
    response=VolunteerOut, act=lambda actor, v, name, data: actions.volunteer_transition(volunteer=v.pk, name=name, actor=actor, data=data),
    out=lambda v, user: volunteer_out(access_volunteer(user, v.pk), user),
)


@router.get("/teams", response=page_of(TeamOut), summary="Teams I may see (oldest first)")
def team_list(request, after: int | None = None, size: int = PAGE_SIZE):
    from linli.volunteers.models import Team

    qs = Team.objects.visible_to(request.auth).prefetch_related("memberships")
    return paged(qs, team_out, after=after, size=size, ascending=True)


def team_out(t) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "community_id": t.community_id,
        "leader_id": t.leader_id,
        "description": t.description,
        "member_ids": sorted(m.volunteer_id for m in t.memberships.all()),
    }


@router.get("/teams/{int:team_id}", response=TeamOut, summary="One team")
def team_detail(request, team_id: int):
    return team_out(access_team(request.auth, team_id))


# --- activities ---------------------------------------------------------------------------------------------------


class ActivityCreateIn(Schema):
    community_id: int
    team_id: int | None = None
    title: str
    description: str = ""
    location: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    quota: int
    waitlist: bool = True
    area: str
    points: int | None = Field(None, description="empty: the `activity` points rule")


@router.get(
    "/activities",
    response=page_of(ActivityOut),
    summary="Recruiting activities, or (mine=true) those I organise (newest first)",
)
def activity_list(request, mine: bool = False, after: int | None = None, size: int = PAGE_SIZE):
    rows = selectors.activity_list_organised(user=request.auth) if mine else selectors.activity_list_public()
    return paged(rows, lambda a: activity_out(a, request.auth), after=after, size=size)


@router.post("/activities", response={201: ActivityOut}, summary="Create a draft activity (organiser: me)")
def activity_create(request, payload: ActivityCreateIn):
    from linli.core.errors import Invalid
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to
    from linli.volunteers.models import Team

    data = payload.dict()
    community = (
        places_visible_to(request.auth)
        .filter(pk=data.pop("community_id"), kind=PlaceKind.COMMUNITY)
        .first()
    )
    team_id = data.pop("team_id")
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    if community is None and team is not None and team.leader and team.leader.user_id == request.auth.pk:
        community = team.community
    if community is None:
        raise Invalid(_("Not found."), fields={"community_id": [_("Not found.")]})
    a = actions.activity_create(actor=request.auth, community=community, team=team, **data)
    return Status(201, activity_out(a, request.auth))


@router.get("/activities/{int:volunteer_activity_id}", response=ActivityOut, summary="One activity")
def activity_detail(request, volunteer_activity_id: int):
    return activity_out(access_activity(request.auth, volunteer_activity_id), request.auth)


@router.get(
    "/activities/{int:volunteer_activity_id}/signups",
    response=page_of(SignupOut),
    summary="The attendance list (organiser; in the order of signing up)",
)
def activity_signups(request, volunteer_activity_id: int, after: int | None = None, size: int = PAGE_SIZE):
    from django.http import Http404

    activity = access_activity(request.auth, volunteer_activity_id)
    if not can_organise(request.auth, activity):
        raise Http404
    qs = activity.signups.select_related("volunteer__person")
    return paged(qs, lambda s: signup_out(s, request.auth), after=after, size=size, ascending=True)


@router.post(
    "/activities/{int:volunteer_activity_id}/signup",
    response={201: SignupOut},
    summary="Sign me up (a seat, or the waiting list)",
)
def signup_create(request, volunteer_activity_id: int):
    access_activity(request.auth, volunteer_activity_id)
    s = actions.signup_create(activity=volunteer_activity_id, actor=request.auth)
    s = Signup.objects.select_related("volunteer__person").get(pk=s.pk)
    return Status(201, signup_out(s, request.auth))


class CancelIn(Schema):
    reason: str


class VolunteerNoteIn(Schema):
    note: str = ""


action_routes(
    router, TRANSITIONS, name="activity", path="/activities/{int:volunteer_activity_id}", access=access_activity,
    response=ActivityOut, schemas={"cancel": CancelIn}, default=VolunteerNoteIn,
    act=lambda actor, a, name, data: actions.activity_transition(activity=a.pk, name=name, actor=actor, data=data),
    out=activity_out,
)


# --- sign-ups ------------------------------------------------------------------------------------------------------


class VerifyIn(Schema):
    hours: Decimal | None = Field(None, description="empty: computed from check-in and check-out")


class VolunteerTokenIn(Schema):
    token: str
    # Check-out only: confirm a check-out within a minute of the check-in (409 checkout_too_soon without).
    confirm: bool = False


def _fresh(pk: int, user: Any) -> dict[str, Any]:
    return signup_out(Signup.objects.select_related("volunteer__person").get(pk=pk), user)


@router.get("/signups/mine", response=page_of(SignupOut), summary="My sign-ups (newest first)")
def my_signups(request, after: int | None = None, size: int = PAGE_SIZE):
    qs = selectors.my_signups(actions.volunteer_of(request.auth)).filter(volunteer__person__isnull=False)
    qs = qs.select_related("volunteer__person")
    return paged(qs, lambda s: signup_out(s, request.auth), after=after, size=size)


action_routes(  # the first waiting moves up
    router, SIGNUP_TRANSITIONS, name="signup", path="/signups/{int:signup_id}", access=access_signup,
    response=SignupOut, act=lambda actor, s, name, data: actions.signup_cancel(signup=s.pk, actor=actor),
    out=lambda s, user: _fresh(s.pk, user),
)


@router.post(
    "/signups/{int:signup_id}/checkin", response=SignupOut, summary="Check a volunteer in by hand (organiser)"
)
def signup_checkin(request, signup_id: int):
    access_signup(request.auth, signup_id)
    return _fresh(actions.signup_checkin(signup=signup_id, actor=request.auth).pk, request.auth)


@router.post(
    "/signups/{int:signup_id}/checkout",
    response=SignupOut,
    summary="Check a volunteer out by hand (organiser)",
)
def signup_checkout(request, signup_id: int):
    access_signup(request.auth, signup_id)
    return _fresh(actions.signup_checkout(signup=signup_id, actor=request.auth).pk, request.auth)


@router.post(
    "/signups/{int:signup_id}/verify",
    response=SignupOut,
    summary="Verify one attendance's hours (organiser; never one's own)",
)
def signup_verify(request, signup_id: int, payload: VerifyIn):
    access_signup(request.auth, signup_id)
    return _fresh(
        actions.signup_verify(signup=signup_id, actor=request.auth, hours=payload.hours).pk, request.auth
    )


@router.post("/checkin", response=SignupOut, summary="Check in with the activity's QR token")
def checkin_by_token(request, payload: VolunteerTokenIn):
    return _fresh(actions.signup_checkin_by_token(token=payload.token, actor=request.auth).pk, request.auth)


@router.post("/checkout", response=SignupOut, summary="Check out with the activity's QR token")
def checkout_by_token(request, payload: VolunteerTokenIn):
    return _fresh(actions.signup_checkout_by_token(token=payload.token, actor=request.auth, confirm=payload.confirm).pk, request.auth)


# --- teams and talent pools: management (volunteer managers) ---------------------------------------------------


class TeamCreateIn(Schema):
    community_id: int
    name: str
    description: str = ""
    leader_id: int | None = Field(None, description="a volunteer id")


class MemberIn(Schema):
    volunteer_id: int
    leader: bool = Field(False, description="make them the team's leader")


class PoolCreateIn(Schema):
    community_id: int
    name: str
    description: str = ""


class PoolOut(Schema):
    id: int
    name: str
    community_id: int
    description: str
    member_ids: list[int]


class PoolMemberIn(Schema):
    volunteer_id: int
    speciality: str = ""


def _community(user: Any, pk: int):
    from linli.core.errors import Invalid
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to

    community = places_visible_to(user).filter(pk=pk, kind=PlaceKind.COMMUNITY).first()
    if community is None:
        raise Invalid(_("Not found."), fields={"community_id": [_("Not found.")]})
    return community


def _member_volunteer(user: Any, pk: int):
    from django.http import Http404

    from linli.core.errors import Invalid

    try:
        return access_volunteer(user, pk)
    except Http404 as exc:
        raise Invalid(_("Not found."), fields={"volunteer_id": [_("Not found.")]}) from exc


def pool_out(p) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "community_id": p.community_id,
        "description": p.description,
        "member_ids": sorted(m.volunteer_id for m in p.memberships.all()),
    }


@router.post("/teams", response={201: TeamOut}, summary="Create a team (volunteer managers)")
def team_create(request, payload: TeamCreateIn):
    leader = _member_volunteer(request.auth, payload.leader_id) if payload.leader_id else None
    team = actions.team_create(
        actor=request.auth,
        community=_community(request.auth, payload.community_id),
        name=payload.name,
        description=payload.description,
        leader=leader,
    )
    return Status(201, team_out(team))


@router.post(
    "/teams/{int:team_id}/members", response=TeamOut, summary="Add a member (or make them the leader)"
)
def team_member_add(request, team_id: int, payload: MemberIn):
    team = access_team(request.auth, team_id)
    volunteer = _member_volunteer(request.auth, payload.volunteer_id)
    if payload.leader:
        actions.team_set_leader(team=team, volunteer=volunteer, actor=request.auth)
    else:
        actions.team_member_add(team=team, volunteer=volunteer, actor=request.auth)
    return team_out(access_team(request.auth, team_id))


@router.post("/teams/{int:team_id}/members/remove", response=TeamOut, summary="Remove a member")
def team_member_remove(request, team_id: int, payload: MemberIn):
    team = access_team(request.auth, team_id)
    actions.team_member_remove(
        team=team, volunteer=_member_volunteer(request.auth, payload.volunteer_id), actor=request.auth
    )
    return team_out(access_team(request.auth, team_id))


@router.get("/pools", response=page_of(PoolOut), summary="Talent pools I may see (oldest first)")
def pool_list(request, after: int | None = None, size: int = PAGE_SIZE):
    from linli.volunteers.models import TalentPool

    pools = TalentPool.objects.visible_to(request.auth).prefetch_related("memberships")
    return paged(pools, pool_out, after=after, size=size, ascending=True)


@router.post("/pools", response={201: PoolOut}, summary="Create a talent pool (volunteer managers)")
def pool_create(request, payload: PoolCreateIn):
    pool = actions.pool_create(
        actor=request.auth,
        community=_community(request.auth, payload.community_id),
        name=payload.name,
        description=payload.description,
    )
    return Status(201, pool_out(pool))


@router.post("/pools/{int:pool_id}/members", response=PoolOut, summary="List a volunteer in the pool")
def pool_member_add(request, pool_id: int, payload: PoolMemberIn):
    from linli.volunteers.access import access_pool

    pool = access_pool(request.auth, pool_id)
    actions.pool_member_add(
        pool=pool,
        volunteer=_member_volunteer(request.auth, payload.volunteer_id),
        actor=request.auth,
        speciality=payload.speciality,
    )
    return pool_out(access_pool(request.auth, pool_id))


@router.get("/talent", response=page_of(VolunteerOut), summary="Search the talent pools by skill")
def talent_search(request, skill: str = "", pool: int | None = None, after: int | None = None, size: int = PAGE_SIZE):
    rows = selectors.talent_search(user=request.auth, skill=skill, pool_id=pool)
    return paged(rows, lambda v: volunteer_out(v, request.auth), after=after, size=size)
