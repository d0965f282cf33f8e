"""Visit plans, visit logs, overdue visits and the needs found.

- ``plans_sync``: every person with a current tag of an active rule (独居老人 weekly, 特殊困难 monthly) gets a
  plan assigned to the grid worker of their grid; plans whose tag ended are ended. Idempotent (a daily task).
- ``visit_log``: from the phone: what was found, a photo (the one photo door), the location, needs raised.
  The plan's next visit is due ``every_days`` after this one.
- ``visits_escalate_overdue``: an overdue plan is told to its visitor on the first day, to the community's
  care staff (the supervisor) after the rule's ``escalate_after_days``. Idempotent.
- ``need_to_case`` / ``need_to_order`` / ``need_resolve``: one tap from a need to a case (cases' own
  ``case_create``, channel ``visit``) or a party service order (``order_place``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import user_get, users_over
from linli.care.actions._common import clean_text, notify
from linli.care.workflow import NEED_KINDS, PERM_MANAGE, PERM_VISIT, Found, NeedKind, NeedStatus
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.inserts import insert_many
from linli.residents.selectors import person_get, person_ids_tagged, persons_by_ids

MAX_NEEDS = 10


def _perms(actor: Any) -> frozenset[str]:
    return getattr(actor, "perms", frozenset()) if actor is not None else frozenset({PERM_VISIT, PERM_MANAGE})


def grid_worker_for(path: str) -> int | None:
    ids = users_over(path, PERM_VISIT, roles={"grid_worker"}, nearest_first=True)
    return ids[0] if ids else None


def plans_sync(*, place_path: str = "", today: dt.date | None = None) -> dict[str, int]:
    """Make the plans follow the tags (under ``place_path``, or everywhere)."""
    from linli.care.models import VisitPlan, VisitRule

    today = today or timezone.localdate()
    created = ended = 0
    for rule in VisitRule.objects.filter(active=True):
        person_ids = person_ids_tagged(rule.tag_code, under=place_path or "", today=today)
        have = dict(VisitPlan.objects.filter(rule=rule, person_id__in=person_ids).values_list("person_id", "active"))
        new_ids = sorted(person_ids - set(have))
        rows = []
        workers: dict[str, int | None] = {}
        for person in persons_by_ids(new_ids).only("id", "place_path"):
            if person.place_path not in workers:
                workers[person.place_path] = grid_worker_for(person.place_path)
            rows.append(VisitPlan(person=person, rule=rule, place_path=person.place_path,
                                  assignee_id=workers[person.place_path], every_days=rule.every_days,
                                  next_due=today + dt.timedelta(days=min(rule.every_days, 3))))
        insert_many(rows)
        created += len(rows)
        VisitPlan.objects.filter(rule=rule, person_id__in=[p for p, a in have.items() if not a]).update(active=True)
        stale = VisitPlan.objects.filter(rule=rule, active=True).exclude(person_id__in=person_ids)
        if place_path:
            stale = stale.filter(place_path__startswith=place_path)
        ended += stale.update(active=False)
    return {"created": created, "ended": ended}


def plan_assign(*, plan: Any, assignee: Any, actor: Any):
    """Care staff give a plan to a grid worker or a volunteer (someone with ``care.visit``)."""
    from linli.care.access import access_plan

    if actor is not None:
        if PERM_MANAGE not in _perms(actor):
            raise PermissionDenied(_("You may not assign visits."))
        plan = access_plan(actor, getattr(plan, "pk", plan))
    user = user_get(assignee)
    if user is None or PERM_VISIT not in getattr(user, "perms", frozenset()):
        raise Invalid(_("Choose a grid worker or a volunteer who visits."), fields={"assignee": [_("Not found.")]})
    plan.assignee = user
    plan.save(update_fields=["assignee"])
    audit_record(action="care.plan_assign", actor=actor, actor_name="" if actor else "system", target=plan,
                 detail={"assignee": user.pk})
    notify(ref=f"care.plan:{plan.pk}", kind="assign", user_ids=[user.pk],
           text=_("A visit plan for you: every %(n)s days.") % {"n": plan.every_days}, exclude=getattr(actor, "pk", None))
    return plan


def _store_photo(upload: Any) -> str:
    from linli.core.uploads import photo_clean

    photo = photo_clean(upload, field="photo")
    name = f"care/visits/{timezone.now():%Y/%m}/{secrets.token_hex(8)}.jpg"
    return default_storage.save(name, ContentFile(photo.data))


def _location(lon: Any, lat: Any) -> tuple[float | None, float | None]:
    if lon in (None, "") and lat in (None, ""):
        return None, None
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise Invalid(_("The location is not valid."), fields={"location": [_("Longitude and latitude.")]}) from exc
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise Invalid(_("The location is not valid."), fields={"location": [_("Longitude and latitude.")]})
    return x, y


def visit_log(
    *,
    actor: Any,
    plan: Any = None,
    person: Any = None,
    found: str,
    note: str = "",
    photo: Any = None,
    lon: Any = None,
    lat: Any = None,
    needs: list[dict[str, str]] | None = None,
    visited_at: dt.datetime | None = None,
):
    """Log a visit (a plan's, or an unplanned one to a person in the visitor's area)."""
    from linli.care.access import access_plan
    from linli.care.models import Need, Visit, VisitPlan

    if PERM_VISIT not in _perms(actor):
        raise PermissionDenied(_("You may not log visits."))
    if plan is not None:
        plan = access_plan(actor, getattr(plan, "pk", plan)) if actor is not None else VisitPlan.objects.get(
            pk=getattr(plan, "pk", plan))
        person = plan.person
    else:
        pk = getattr(person, "pk", person)
        person = person_get(pk)
        if person is None or (actor is not None and not actor.scope.covers_path(person.place_path)):
            raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    if found not in Found.values:
        errors["found"] = [_("Choose what you found.")]
    items = []
    for item in (needs or [])[: MAX_NEEDS + 1]:
        text = clean_text(item.get("text"), limit=300)
        if not text:
            continue
        kind = item.get("kind") or NeedKind.OTHER
        if kind not in NeedKind.values:
            errors["needs"] = [_("Unknown kind of need.")]
        items.append((kind, text))
    if len(items) > MAX_NEEDS:
        errors["needs"] = [_("At most %(n)s needs a visit.") % {"n": MAX_NEEDS}]
    x, y = _location(lon, lat)
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now + dt.timedelta(minutes=5):
        errors["visited_at"] = [_("The visit cannot be in the future.")]
    if errors:
        raise Invalid(_("Please check the visit."), fields=errors)
    photo_name = _store_photo(photo) if photo else ""
    with transaction.atomic():
        visit = Visit.objects.create(
            plan=plan, person=person, place_path=person.place_path,
            visitor=actor if getattr(actor, "is_authenticated", False) else None,
            visitor_name=(getattr(actor, "display_name", "") or str(actor or "system"))[:64],
            visited_at=visited_at, found=found, note=clean_text(note), photo=photo_name, lon=x, lat=y,
        )
        insert_many([
            Need(visit=visit, person=person, place_path=person.place_path, kind=k, text=t, created_at=visited_at)
            for k, t in items
        ])
        if plan is not None:
            locked = VisitPlan.objects.select_for_update().get(pk=plan.pk)
            day = timezone.localtime(visited_at).date()
            if locked.last_visit_at is None or visited_at >= locked.last_visit_at:
                locked.last_visit_at = visited_at
                locked.next_due = day + dt.timedelta(days=locked.every_days)
                locked.overdue_told_at = None
                locked.escalated_at = None
                locked.save(update_fields=["last_visit_at", "next_due", "overdue_told_at", "escalated_at"])
        audit_record(action="care.visit_log", actor=actor, actor_name="" if actor else "system", target=visit,
                     detail={"found": found, "needs": len(items), "plan": getattr(plan, "pk", None)})
        if items or found in (Found.UNWELL, Found.HOSPITAL, Found.NEEDS):
            notify(ref=f"care.visit:{visit.pk}", kind="needs", user_ids=users_over(person.place_path, PERM_MANAGE),
                   text=_("A visit found needs: %(n)s.") % {"n": len(items)}, exclude=getattr(actor, "pk", None))
    return visit


def _plan_url(plan: Any) -> str:
    return reverse("care:plan", args=[plan.pk])


def visits_escalate_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Tell the visitor of each overdue plan (once), and the community's care staff once a plan is overdue
    by the rule's ``escalate_after_days``. Idempotent: a second run tells nobody again."""
    from linli.care.models import VisitPlan

    today = today or timezone.localdate()
    now = timezone.now()
    told = escalated = 0
    for plan in VisitPlan.objects.filter(active=True, next_due__lt=today, overdue_told_at__isnull=True).select_related(
        "person"
    )[:5000]:
        with transaction.atomic():
            if VisitPlan.objects.filter(pk=plan.pk, overdue_told_at__isnull=True).update(overdue_told_at=now):
                notify(ref=f"care.plan:{plan.pk}", kind="overdue", user_ids=[plan.assignee_id], url=_plan_url(plan),
                       text=_("A visit is overdue since %(day)s.") % {"day": plan.next_due})
                told += 1
    for plan in VisitPlan.objects.filter(active=True, escalated_at__isnull=True, next_due__lt=today).select_related(
        "rule"
    )[:5000]:
        if (today - plan.next_due).days < plan.rule.escalate_after_days:
            continue
        with transaction.atomic():
            if VisitPlan.objects.filter(pk=plan.pk, escalated_at__isnull=True).update(escalated_at=now):
                notify(ref=f"care.plan:{plan.pk}", kind="escalate", url=_plan_url(plan),
                       user_ids=users_over(plan.place_path, PERM_MANAGE),
                       text=_("A visit is %(n)s days overdue.") % {"n": (today - plan.next_due).days})
                escalated += 1
    return {"told": told, "escalated": escalated}


# --- needs ------------------------------------------------------------------------------------------------------


def _need_for(actor: Any, need: Any):
    from linli.care.access import access_need
    from linli.care.models import Need

    pk = getattr(need, "pk", need)
    if actor is None:
        return Need.objects.select_related("person").get(pk=pk)
    return access_need(actor, pk)


def _claim(need: Any, status: str, actor: Any, **refs: Any) -> None:
    from linli.care.models import Need

    done = Need.objects.filter(pk=need.pk, status=NeedStatus.OPEN).update(
        status=status, handled_by=actor if getattr(actor, "is_authenticated", False) else None,
        handled_at=timezone.now(), **refs,
    )
    if done != 1:
        raise Refused(_("This need was handled meanwhile."), code="conflict")


def need_to_case(*, need: Any, actor: Any):
    """One tap: the need becomes a case (cases' ``case_create``, channel ``visit``, at the person's place)."""
    from linli.cases.actions import case_create

    need = _need_for(actor, need)
    if need.status != NeedStatus.OPEN:
        raise Refused(_("This need is already handled."), code="refused_transition")
    category, _order = NEED_KINDS[need.kind]
    with transaction.atomic():
        case = case_create(
            actor=actor, category=category, title=need.text[:60],
            description=_("Found on a visit to %(name)s: %(text)s") % {"name": need.person.name, "text": need.text},
            channel="visit", place=need.person.place_id,
        )
        _claim(need, NeedStatus.CASE, actor, case_id=case.pk)
        audit_record(action="care.need_to_case", actor=actor, actor_name="" if actor else "system", target=need,
                     detail={"case": case.pk})
    need.refresh_from_db()
    return need, case


def need_to_order(*, need: Any, actor: Any):
    """One tap: the need becomes a party service order (``order_place``) for the person."""
    from linli.orders.actions import order_place

    need = _need_for(actor, need)
    if need.status != NeedStatus.OPEN:
        raise Refused(_("This need is already handled."), code="refused_transition")
    _category, order_category = NEED_KINDS[need.kind]
    with transaction.atomic():
        order = order_place(
            actor=actor, category=order_category, description=need.text,
            address=need.person.current_address or need.person.name, place=need.person.place,
            requester_name=need.person.name,
        )
        _claim(need, NeedStatus.ORDER, actor, order_id=order.pk)
        audit_record(action="care.need_to_order", actor=actor, actor_name="" if actor else "system", target=need,
                     detail={"order": order.pk})
    need.refresh_from_db()
    return need, order


def need_resolve(*, need: Any, actor: Any):
    need = _need_for(actor, need)
    if need.status != NeedStatus.OPEN:
        raise Refused(_("This need is already handled."), code="refused_transition")
    with transaction.atomic():
        _claim(need, NeedStatus.RESOLVED, actor)
        audit_record(action="care.need_resolve", actor=actor, actor_name="" if actor else "system", target=need,
                     detail={})
    need.refresh_from_db()
    return need
