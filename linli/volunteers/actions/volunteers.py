"""Volunteers, teams and talent pools: registration, status, skills, membership."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.access import scope_of
from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.workflow import Outcome, Spec, run, spec_register
from linli.volunteers.access import can_join, can_manage
from linli.volunteers.actions._common import authenticated, clean_text
from linli.volunteers.models import (
    Skill,
    TalentPool,
    TalentPoolMember,
    Team,
    TeamMember,
    Volunteer,
    VolunteerEvent,
)
from linli.volunteers.workflow import VOLUNTEER_TRANSITIONS, VolunteerKind, VolunteerStatus


def _check_manager_over(actor: Any, path: str) -> None:
    if actor is None:
        return
    if not (can_manage(actor) and scope_of(actor).covers_path(path)):
        raise PermissionDenied(_("You may not manage the volunteers of this community."))


def _community_of(place: Any) -> Any:
    from linli.places.selectors import community_of_place

    return community_of_place(place) if place is not None else None


def _skills(codes_or_objs: Iterable[Any]) -> list[Skill]:
    items = list(codes_or_objs or [])
    objs = [s for s in items if isinstance(s, Skill)]
    codes = [str(s) for s in items if not isinstance(s, Skill)]
    if codes:
        found = list(Skill.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {s.code for s in found})
        if missing:
            raise Invalid(
                _("Unknown skill."),
                fields={"skills": [_("Unknown skill: %(codes)s") % {"codes": ", ".join(missing)}]},
            )
        objs += found
    return objs


@transaction.atomic
def volunteer_register(
    *,
    actor: Any,
    person: Any = None,
    kind: str = VolunteerKind.RESIDENT,
    community: Any = None,
    skills: Iterable[Any] = (),
    note: str = "",
) -> Volunteer:
    """Register a volunteer. Without ``person`` the actor registers themself (``volunteers.join``; their
    registry person is found by their phone); with ``person`` a manager over the person enters them."""
    from linli.residents.selectors import person_for_user

    if kind not in VolunteerKind.values:
        raise Invalid(_("Unknown kind of volunteer."), fields={"kind": [_("Choose a valid kind.")]})
    self_registering = person is None
    if self_registering:
        if not can_join(actor):
            raise PermissionDenied(_("You may not register as a volunteer."))
        person = person_for_user(actor)
        if person is None:
            raise Invalid(
                _(
                    "Your account's phone number matches no resident record; ask your community office to register you."
                ),
                fields={"person": [_("No resident record found for your phone number.")]},
            )
    else:
        _check_manager_over(actor, person.place_path)
    community = community or _community_of(person.place)
    if community is None:
        raise Invalid(
            _("Choose the volunteer's community."), fields={"community": [_("This field is required.")]}
        )
    if not self_registering:
        _check_manager_over(actor, community.path)
    skill_objs = _skills(skills)
    existing = Volunteer.objects.select_for_update().filter(person=person).first()
    if existing is not None and existing.status != VolunteerStatus.LEFT:
        raise Refused(_("This person is already a registered volunteer."), code="already_volunteer")
    today = timezone.localdate()
    volunteer = existing or Volunteer(person=person, joined_on=today)
    volunteer.kind = kind
    volunteer.community = community
    volunteer.place_path = person.place_path or community.path
    if not volunteer.place_path.startswith(community.path):
        volunteer.place_path = community.path
    volunteer.status = VolunteerStatus.ACTIVE
    volunteer.note = clean_text(note, limit=200)
    if self_registering:
        volunteer.user = actor
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as exc:  # two registrations of the same person at once
        raise Refused(_("This person is already a registered volunteer."), code="already_volunteer") from exc
    volunteer.skills.set(skill_objs)
    audit_record(
        action="volunteers.volunteer_register",
        actor=actor,
        actor_name="" if actor is not None else "system",
        target=volunteer,
        detail={
            "kind": kind,
            "community": community.pk,
            "self": self_registering,
            "rejoined": existing is not None,
        },
    )
    return volunteer


@transaction.atomic
def volunteer_update(
    *,
    volunteer: Volunteer,
    actor: Any,
    kind: str | None = None,
    skills: Iterable[Any] | None = None,
    note: str | None = None,
) -> Volunteer:
    """Change a volunteer's kind, skills or note: the volunteer themself or a manager over them."""
    own = authenticated(actor) and volunteer.user_id == actor.pk
    if not own:
        _check_manager_over(actor, volunteer.place_path)
    changed: dict[str, Any] = {}
    if kind is not None:
        if kind not in VolunteerKind.values:
            raise Invalid(_("Unknown kind of volunteer."), fields={"kind": [_("Choose a valid kind.")]})
        volunteer.kind = kind
        changed["kind"] = kind
    if note is not None:
        volunteer.note = clean_text(note, limit=200)
    volunteer.save()
    if skills is not None:
        objs = _skills(skills)
        volunteer.skills.set(objs)
        changed["skills"] = sorted(s.code for s in objs)
    audit_record(action="volunteers.volunteer_update", actor=actor, target=volunteer, detail=changed)
    return volunteer


def _status_step(volunteer: Volunteer, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    return Outcome(note=clean_text(data.get("note"), limit=300))


@functools.cache
def volunteer_spec() -> Spec:
    return spec_register(
        Spec(
            model=Volunteer,
            event_model=VolunteerEvent,
            event_fk="volunteer",
            table=VOLUNTEER_TRANSITIONS,
            apply={name: _status_step for name in VOLUNTEER_TRANSITIONS},
            audit_prefix="volunteers.volunteer",
            noun=_("volunteer"),
        )
    )


def volunteer_transition(*, volunteer: Volunteer | int, name: str, actor: Any, data: dict[str, Any] | None = None) -> Volunteer:
    """Pause, come back or leave (the table in ``workflow.py``, through the one runner)."""
    return run(volunteer_spec(), obj=volunteer, name=name, actor=actor, data=data)


def volunteer_set_status(*, volunteer: Volunteer, status: str, actor: Any) -> Volunteer:
    """The status a person asked for, as the table's action leading there (422 for an unknown status, 409
    when no action leads there from the current one)."""
    if status not in VolunteerStatus.values:
        raise Invalid(_("Unknown status."), fields={"status": [_("Choose a valid status.")]})
    current = Volunteer.objects.filter(pk=volunteer.pk).values_list("status", flat=True).first()
    leading = [t for t in VOLUNTEER_TRANSITIONS.values() if t.target == status]
    chosen = next((t for t in leading if current in t.sources), leading[0])
    return volunteer_transition(volunteer=volunteer.pk, name=chosen.name, actor=actor)


# --- teams --------------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *, actor: Any, community: Any, name: str, description: str = "", leader: Volunteer | None = None
) -> Team:
    _check_manager_over(actor, community.path)
    name = clean_text(name, limit=64)
    if not name:
        raise Invalid(_("Give the team a name."), fields={"name": [_("This field is required.")]})
    if Team.objects.filter(community=community, name=name).exists():
        raise Invalid(_("A team of this name already exists."), fields={"name": [_("Choose another name.")]})
    team = Team.objects.create(
        name=name,
        community=community,
        place_path=community.path,
        description=clean_text(description, limit=300),
    )
    audit_record(
        action="volunteers.team_create", actor=actor, target=team, detail={"community": community.pk}
    )
    if leader is not None:
        team_set_leader(team=team, volunteer=leader, actor=actor)
    return team


@transaction.atomic
def team_member_add(*, team: Team, volunteer: Volunteer, actor: Any) -> TeamMember:
    _check_manager_over(actor, team.place_path)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise Invalid(
            _("Only an active volunteer can join a team."), fields={"volunteer": [_("Not active.")]}
        )
    member, created = TeamMember.objects.get_or_create(
        team=team, volunteer=volunteer, defaults={"joined_on": timezone.localdate()}
    )
    if created:
        audit_record(
            action="volunteers.team_member_add", actor=actor, target=team, detail={"volunteer": volunteer.pk}
        )
    return member


@transaction.atomic
def team_member_remove(*, team: Team, volunteer: Volunteer, actor: Any) -> None:
    _check_manager_over(actor, team.place_path)
    if team.leader_id == volunteer.pk:
        Team.objects.filter(pk=team.pk).update(leader=None)
        team.leader = None
    deleted, _rows = TeamMember.objects.filter(team=team, volunteer=volunteer).delete()
    if deleted:
        audit_record(
            action="volunteers.team_member_remove",
            actor=actor,
            target=team,
            detail={"volunteer": volunteer.pk},
        )


@transaction.atomic
def team_set_leader(*, team: Team, volunteer: Volunteer, actor: Any) -> Team:
    """Make ``volunteer`` the team's leader (a member first if not one yet)."""
    _check_manager_over(actor, team.place_path)
    team_member_add(team=team, volunteer=volunteer, actor=actor)
    Team.objects.filter(pk=team.pk).update(leader=volunteer)
    team.leader = volunteer
    audit_record(
        action="volunteers.team_set_leader", actor=actor, target=team, detail={"volunteer": volunteer.pk}
    )
    return team


# --- talent pools ---------------------------------------------------------------------------------------------


@transaction.atomic
def pool_create(*, actor: Any, community: Any, name: str, description: str = "") -> TalentPool:
    _check_manager_over(actor, community.path)
    name = clean_text(name, limit=64)
    if not name:
        raise Invalid(_("Give the talent pool a name."), fields={"name": [_("This field is required.")]})
    if TalentPool.objects.filter(community=community, name=name).exists():
        raise Invalid(
            _("A talent pool of this name already exists."), fields={"name": [_("Choose another name.")]}
        )
    pool = TalentPool.objects.create(
        name=name,
        community=community,
        place_path=community.path,
        description=clean_text(description, limit=300),
    )
    audit_record(
        action="volunteers.pool_create", actor=actor, target=pool, detail={"community": community.pk}
    )
    return pool


@transaction.atomic
def pool_member_add(
    *, pool: TalentPool, volunteer: Volunteer, actor: Any, speciality: str = ""
) -> TalentPoolMember:
    _check_manager_over(actor, pool.place_path)
    member, created = TalentPoolMember.objects.update_or_create(
        pool=pool, volunteer=volunteer, defaults={"speciality": clean_text(speciality, limit=120)}
    )
    audit_record(
        action="volunteers.pool_member_add",
        actor=actor,
        target=pool,
        detail={"volunteer": volunteer.pk, "new": created},
    )
    return member


@transaction.atomic
def pool_member_remove(*, pool: TalentPool, volunteer: Volunteer, actor: Any) -> None:
    _check_manager_over(actor, pool.place_path)
    deleted, _rows = TalentPoolMember.objects.filter(pool=pool, volunteer=volunteer).delete()
    if deleted:
        audit_record(
            action="volunteers.pool_member_remove",
            actor=actor,
            target=pool,
            detail={"volunteer": volunteer.pk},
        )


# --- the skill list (data) ------------------------------------------------------------------------------------


@transaction.atomic
def skill_save(*, actor: Any, code: str, name: str, sort: int = 0, skill: Skill | None = None) -> Skill:
    """Add a skill to the list, or rename one (volunteer managers)."""
    if actor is not None and not can_manage(actor):
        raise PermissionDenied(_("You may not manage the volunteers of this community."))
    code, name = clean_text(code, limit=32), clean_text(name, limit=32)
    errors = {}
    if not code:
        errors["code"] = [_("This field is required.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    same_code = Skill.objects.filter(code=code)
    if skill is not None:
        same_code = same_code.exclude(pk=skill.pk)
    if code and same_code.exists():
        errors["code"] = [_("Choose another name.")]
    if errors:
        raise Invalid(_("Unknown skill."), fields=errors)
    skill = skill or Skill()
    skill.code, skill.name, skill.sort = code, name, int(sort or 0)
    skill.save()
    audit_record(action="volunteers.skill_save", actor=actor, target=skill, detail={"code": code})
    return skill


volunteer_spec()  # registered with the runner at import (linli.core.workflow.SPECS)
