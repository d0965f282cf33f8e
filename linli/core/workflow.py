"""The one transition runner and the shape of every transition table.

Each stateful app keeps its own table in its ``workflow.py``: which action moves which states to which,
who may press it, what it needs. This module gives them one ``Transition`` and one ``available`` so that
the actions, the buttons and the tests read every table the same way, and one ``run`` that every
transition goes through:

1. scope: the object must be visible to the actor (else 404, like a missing one);
2. lock: the row is re-read ``select_for_update`` inside the transaction (SQLite serialises writers with
   IMMEDIATE transactions) and the final write is a compare-and-set on ``status`` and ``version``;
3. the table: a state not among the sources is refused (409 ``refused_transition``), an actor matching no
   ``who`` predicate is denied (403), a failing guard is refused (409), a missing required input is
   invalid (422); a row changed under the runner is a lost race (409 ``conflict``);
4. the app's own ``apply`` for the action; then one typed event row, one audit row, the notices through
   the spec's notifier, the app's ``after`` hooks in the same transaction and its ``on_commit`` hooks
   after commit.

An app brings a ``Spec``: its model (with ``status`` and ``version``), its event model, its table, one
``apply`` per action and its audit prefix. Predicates never test role names: they ask for permissions and
scope (``perms_of``, ``covers``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused

Predicate = Callable[[Any, Any], bool]
Guard = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Transition:
    """One row of a table.

    - ``sources``: the states it may start from (anything else is a refused transition: 409);
    - ``target``: the state it leads to, or None when the state does not change (a note, a request);
    - ``who``: predicates over (object, user); the actor needs one of them. ``user=None`` is the system
      (tasks, commands) and passes;
    - ``required``: the inputs the action needs (422 when missing); ``fields``: further optional inputs
      the UI's form shows;
    - ``guard``: an extra condition on the object whose failure (a message) refuses the transition;
    - ``style``: the button's Bootstrap style.
    """

    name: str
    label: Any
    sources: frozenset[str]
    target: str | None
    who: tuple[Predicate, ...]
    required: tuple[str, ...] = ()
    guard: Guard | None = None
    style: str = "secondary"
    fields: tuple[str, ...] = ()

    def allows_state(self, status: str) -> bool:
        return status in self.sources

    def allows_actor(self, obj: Any, user: Any) -> bool:
        if user is None:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return any(pred(obj, user) for pred in self.who)

    def refusal(self, obj: Any, user: Any) -> Any:
        """The guard's message when the guard fails, else None."""
        return self.guard(obj, user) if self.guard is not None else None

    @property
    def form_fields(self) -> tuple[str, ...]:
        """What the UI asks for: the required inputs first, then the optional ones."""
        return tuple(dict.fromkeys(self.required + self.fields))


def transition(
    name: str,
    label: Any,
    sources: Iterable[str],
    target: str | None,
    who: Iterable[Predicate],
    required: Iterable[str] = (),
    guard: Guard | None = None,
    style: str = "secondary",
    fields: Iterable[str] = (),
) -> Transition:
    """A row from lists (the tables read more easily without frozenset/tuple everywhere)."""
    return Transition(
        name, label, frozenset(sources), target, tuple(who), tuple(required), guard, style, tuple(fields)
    )


def table(rows: Iterable[Transition]) -> dict[str, Transition]:
    """The table as a dict by action name, in the order written."""
    return {t.name: t for t in rows}


def available(rows: dict[str, Transition], obj: Any, user: Any) -> list[Transition]:
    """The transitions ``user`` may start on ``obj`` now, in table order (the UI's buttons). The system
    (None) and anonymous visitors get none: buttons are for people who are logged in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [
        t
        for t in rows.values()
        if t.allows_state(obj.status) and t.allows_actor(obj, user) and t.refusal(obj, user) is None
    ]


def perms_of(user: Any) -> frozenset[str]:
    return getattr(user, "perms", frozenset())


def covers(user: Any, path: str) -> bool:
    """Whether the user's scope covers the place path."""
    scope = getattr(user, "scope", None)
    return bool(scope is not None and scope.covers_path(path))


# --- the runner ------------------------------------------------------------------------------------------

_SNAPSHOT_EXCLUDE = frozenset({"id", "created_at", "updated_at"})

Notice = tuple[str, Iterable[int | None], str]  # (kind, user ids, text)


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


@dataclass
class Outcome:
    """What an action's ``apply`` tells the runner: the event's note and data, whom to tell, and hooks
    (``after``: in the same transaction, after the write; ``on_commit``: once the transaction commits)."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    notify: list[Notice] = field(default_factory=list)
    after: list[Callable[[Any], None]] = field(default_factory=list)
    on_commit: list[Callable[[Any], None]] = field(default_factory=list)


Apply = Callable[[Any, Any, dict[str, Any], datetime], Outcome]
Notifier = Callable[..., None]  # notifier(ref=, kind=, user_ids=, text=, exclude=), inside the transaction


@dataclass(frozen=True)
class Spec:
    """What an app brings to the runner."""

    model: type[models.Model]
    event_model: type[models.Model]
    event_fk: str  # the event's foreign key to the entity: "order", "wish", "dispute"
    table: dict[str, Transition]
    apply: dict[str, Apply]
    audit_prefix: str  # "party.order" → audit action "party.order_take"
    noun: Any  # "order", for messages
    related: tuple[str, ...] = ()
    notifier: Notifier | None = None
    visible: Callable[[Any], Any] | None = None  # user → queryset; default: the manager's visible_to


def _snapshot(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in _SNAPSHOT_EXCLUDE
    }


def _comparable(value: Any) -> Any:
    return value.name if hasattr(value, "storage") and hasattr(value, "name") else value


def event_write(
    spec: Spec,
    obj: Any,
    *,
    kind: str,
    actor: Any,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Any:
    """One typed event row (the entity's timeline). Event models carry kind, actor, actor_name, at,
    from_status, to_status, note and data."""
    return spec.event_model.objects.create(  # type: ignore[attr-defined]
        **{spec.event_fk: obj},
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_label(actor)[:150],
        at=at,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def check_required(t: Transition, data: dict[str, Any]) -> None:
    missing = {key: [_("This field is required.")] for key in t.required if _blank(data.get(key))}
    if missing:
        raise Invalid(_("Some required fields are missing."), fields=missing)


def _audit_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool | type(None) | list)}


def _bound(hook: Callable[[Any], None], obj: Any) -> Callable[[], None]:
    return lambda: hook(obj)


def run(spec: Spec, *, obj: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Any:
    """Run transition ``name`` of ``spec.table`` on ``obj`` (an instance or an id) for ``actor``
    (``None``: the system). Returns the updated object."""
    if name not in spec.table:
        raise NotFound(_("Not found."))
    t = spec.table[name]
    data = dict(data or {})
    pk = obj.pk if isinstance(obj, models.Model) else obj
    manager = spec.model.objects  # type: ignore[attr-defined]
    with transaction.atomic():
        if actor is not None:
            visible = spec.visible(actor) if spec.visible is not None else manager.visible_to(actor)
            if not visible.filter(pk=pk).exists():
                raise NotFound(_("Not found."))
        try:
            locked = manager.select_related(*spec.related).select_for_update(of=("self",)).get(pk=pk)
        except spec.model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise NotFound(_("Not found.")) from exc
        if not t.allows_state(locked.status):
            raise Refused(
                _("This %(noun)s is “%(status)s”: “%(action)s” is not possible now.")
                % {"noun": spec.noun, "status": locked.get_status_display(), "action": t.label},
                code="refused_transition",
            )
        if not t.allows_actor(locked, actor):
            raise PermissionDenied(
                _("You may not “%(action)s” this %(noun)s.") % {"action": t.label, "noun": spec.noun}
            )
        refusal = t.refusal(locked, actor)
        if refusal is not None:
            raise Refused(refusal, code="refused_transition")
        check_required(t, data)
        now = timezone.now()
        before = _snapshot(locked)
        from_status = locked.status
        outcome = spec.apply[name](locked, actor, data, now)
        if t.target is not None:
            locked.status = t.target
        locked.version = before["version"] + 1
        after = _snapshot(locked)
        changed = {k: v for k, v in after.items() if _comparable(before.get(k)) != _comparable(v)}
        updated = manager.filter(pk=locked.pk, version=before["version"], status=from_status).update(
            updated_at=now, **changed
        )
        if updated != 1:  # the row lock makes this rare; the compare-and-set is the guarantee
            raise Refused(_("It changed meanwhile; reload and try again."), code="conflict")
        event = event_write(
            spec,
            locked,
            kind=name,
            actor=actor,
            at=now,
            from_status=from_status,
            to_status=locked.status,
            note=outcome.note,
            data=outcome.data,
        )
        audit_record(
            action=f"{spec.audit_prefix}_{name}",
            actor=actor,
            actor_name="" if actor is not None else "system",
            target=locked,
            detail={"from": from_status, "to": locked.status, "event": event.pk, **_audit_data(outcome.data)},
        )
        ref = f"{spec.audit_prefix}:{locked.pk}"
        if spec.notifier is not None:
            for kind, user_ids, text in outcome.notify:
                spec.notifier(
                    ref=ref, kind=kind, user_ids=user_ids, text=text, exclude=getattr(actor, "pk", None)
                )
        for step in outcome.after:
            step(locked)
        for hook in outcome.on_commit:
            transaction.on_commit(_bound(hook, locked))
        return locked
