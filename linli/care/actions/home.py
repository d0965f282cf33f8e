"""Home services (上门服务: health checks, haircuts at home): a resident (or staff for them) requests one,
care staff schedule a provider, the provider marks it done with a visit log. The table is
``workflow.HOME_SERVICE_TRANSITIONS``, run by the one runner."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import user_get, users_over
from linli.care.actions._common import clean_text, notify
from linli.care.workflow import HOME_SERVICE_TRANSITIONS, PERM_MANAGE, PERM_VISIT, Found, HomeServiceKind
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied
from linli.core.workflow import Apply, Outcome, Spec, event_write, run
from linli.residents.selectors import person_get


def home_service_request(*, actor: Any, kind: str, wanted_on: dt.date, note: str = "", person: Any = None):
    """A resident asks for a home service for themself; care staff may ask for a person of their area."""
    from linli.care.models import HomeServiceRequest
    from linli.residents.selectors import person_for_user

    perms = getattr(actor, "perms", frozenset()) if actor is not None else frozenset({PERM_MANAGE})
    if person is not None and PERM_MANAGE in perms:
        pk = getattr(person, "pk", person)
        person = person_get(pk)
        if person is None or (actor is not None and not actor.scope.covers_path(person.place_path)):
            raise NotFound(_("Not found."))
    elif actor is not None and "self.view" in perms:
        person = person_for_user(actor)
        if person is None:
            raise Invalid(_("Your account is not linked to the registry; ask the community."), fields={})
    else:
        raise PermissionDenied(_("You may not request home services."))
    errors: dict[str, list[str]] = {}
    if kind not in HomeServiceKind.values:
        errors["kind"] = [_("Choose a service.")]
    today = timezone.localdate()
    if not isinstance(wanted_on, dt.date) or wanted_on < today or wanted_on > today + dt.timedelta(days=90):
        errors["wanted_on"] = [_("Choose a day within the next 90 days.")]
    if errors:
        raise Invalid(_("Please check the request."), fields=errors)
    now = timezone.now()
    with transaction.atomic():
        req = HomeServiceRequest.objects.create(
            kind=kind, person=person, place_path=person.place_path, wanted_on=wanted_on,
            note=clean_text(note, limit=300), requester=actor if getattr(actor, "is_authenticated", False) else None,
        )
        event_write(_spec(), req, kind="request", actor=actor, at=now, to_status=req.status)
        audit_record(action="care.home_service_request", actor=actor, actor_name="" if actor else "system",
                     target=req, detail={"kind": kind})
        notify(ref=f"care.home:{req.pk}", kind="request", user_ids=users_over(req.place_path, PERM_MANAGE),
               text=_("A home service was requested: %(kind)s") % {"kind": req.get_kind_display()},
               exclude=getattr(actor, "pk", None))
    return req


def _apply_schedule(req: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:

    provider = user_get(data.get("provider"))
    if provider is None or PERM_VISIT not in getattr(provider, "perms", frozenset()):
        raise Invalid(_("Choose who goes (someone who makes visits)."), fields={"provider": [_("Not found.")]})
    when = data.get("when")
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            when = None
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when)
    if not isinstance(when, datetime):
        raise Invalid(_("Choose when."), fields={"when": [_("This field is required.")]})
    req.provider = provider
    req.scheduled_at = when
    out = Outcome(data={"provider": provider.pk, "when": when.isoformat()})
    text = _("%(kind)s at home on %(when)s") % {"kind": req.get_kind_display(),
                                                "when": timezone.localtime(when).strftime("%m-%d %H:%M")}
    out.notify.append(("schedule", [req.requester_id, provider.pk], text))
    return out


def _apply_complete(req: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    from linli.care.models import Visit

    note = clean_text(data.get("note"))
    found = data.get("found") or Found.WELL
    if found not in Found.values:
        raise Invalid(_("Choose what you found."), fields={"found": [_("Choose one.")]})
    out = Outcome(note=note)

    def log(done: Any) -> None:
        visit = Visit.objects.create(
            person=done.person, place_path=done.place_path,
            visitor=actor if getattr(actor, "is_authenticated", False) else None,
            visitor_name=(getattr(actor, "display_name", "") or str(actor or "system"))[:64], visited_at=now,
            found=found, note=note, home_service=done,
        )
        out.data["visit"] = visit.pk

    out.after.append(log)
    out.notify.append(("done", [req.requester_id], _("Your home service is done.")))
    return out


def _apply_cancel(req: Any, actor: Any, data: dict[str, Any], now: datetime) -> Outcome:
    out = Outcome(note=clean_text(data.get("reason")))
    out.notify.append(("cancel", [req.requester_id, req.provider_id], _("A home service was cancelled.")))
    return out


APPLY: dict[str, Apply] = {"schedule": _apply_schedule, "complete": _apply_complete, "cancel": _apply_cancel}


def _spec() -> Spec:
    from linli.care.models import HomeServiceEvent, HomeServiceRequest

    return Spec(
        model=HomeServiceRequest, event_model=HomeServiceEvent, event_fk="request", table=HOME_SERVICE_TRANSITIONS,
        apply=APPLY, audit_prefix="care.home_service", noun=_("home service"), related=("person",),
        url=lambda r: reverse("care:home_services"),
    )


def home_service_transition(*, request: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    return run(_spec(), obj=request, name=name, actor=actor, data=data)
