"""The mediation team: teams of a community and their mediators (kinds, the place they serve, their
login and registry person). Community staff (``mediation.manage``) over the community; ``actor=None`` is
the system (the demo)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.mediation.access import can_manage


def _require_manage(actor: Any, path: str) -> None:
    if actor is None:
        return
    if not can_manage(actor):
        raise PermissionDenied(_("You may not manage the mediation team."))
    if not can_manage(actor, path):
        raise NotFound(_("Not found."))


def _community(place: Any):
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import place_get, places_by_ids

    place = place_get(place)
    if place is None:
        raise Invalid(_("Choose the community."), fields={"community": [_("Not found.")]})
    if place.kind != PlaceKind.COMMUNITY:
        ids = place.ancestor_ids()
        place = places_by_ids(ids, kinds=[PlaceKind.COMMUNITY]).first()
        if place is None:
            raise Invalid(_("Choose the community."), fields={"community": [_("Not in a community.")]})
    return place


@transaction.atomic
def team_create(*, actor: Any, community: Any, name: str, description: str = ""):
    from linli.mediation.models import MediationTeam

    community = _community(community)
    _require_manage(actor, community.path)
    name = str(name or "").strip()[:120]
    if not name:
        raise Invalid(_("Name the team."), fields={"name": [_("This field is required.")]})
    team = MediationTeam.objects.create(name=name, community=community, place_path=community.path,
                                        description=str(description or "").strip()[:2000])
    audit_record(action="mediation.team_create", actor=actor, actor_name="" if actor else "system", target=team)
    return team


def clean_kinds(kinds: Any) -> list[str]:
    from linli.mediation.models import MediatorKind

    values = [kinds] if isinstance(kinds, str) else list(kinds or [])
    out = [k for k in dict.fromkeys(str(v) for v in values) if k]
    bad = [k for k in out if k not in MediatorKind.values]
    if bad or not out:
        raise Invalid(_("Choose what the mediator serves as."), fields={"kinds": [_("Choose at least one kind.")]})
    return out


@transaction.atomic
def mediator_create(*, actor: Any, name: str, kinds: Any, place: Any, user: Any = None, person: Any = None,
                    team: Any = None, organisation: str = ""):
    """A mediator serving ``place`` (their community, or a grid of it)."""
    from linli.mediation.models import MediationTeam, Mediator
    from linli.places.selectors import place_get

    where = place_get(place)
    if where is None:
        raise Invalid(_("Choose the place the mediator serves."), fields={"place": [_("Not found.")]})
    _require_manage(actor, where.path)
    community = _community(where)
    name = str(name or "").strip()[:64] or (person.name if person is not None else "")
    if not name:
        raise Invalid(_("Name the mediator."), fields={"name": [_("This field is required.")]})
    if team is not None and not isinstance(team, MediationTeam):
        team = MediationTeam.objects.filter(pk=team).first()
    if team is not None and team.community_id != community.pk:
        raise Invalid(_("The team belongs to another community."), fields={"team": [_("Not found.")]})
    mediator = Mediator.objects.create(
        name=name, kinds=clean_kinds(kinds), user=user, person=person, team=team, place=where,
        place_path=where.path, organisation=str(organisation or "").strip()[:120],
    )
    audit_record(action="mediation.mediator_create", actor=actor, actor_name="" if actor else "system",
                 target=mediator, detail={"kinds": mediator.kinds})
    return mediator


@transaction.atomic
def mediator_set_active(*, actor: Any, mediator: Any, active: bool):
    _require_manage(actor, mediator.place_path)
    mediator.active = bool(active)
    mediator.save(update_fields=["active"])
    audit_record(action="mediation.mediator_active", actor=actor, target=mediator, detail={"active": mediator.active})
    return mediator
