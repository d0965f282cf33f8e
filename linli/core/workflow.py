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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.inserts import insert_one, new_instance

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
    - ``style``: the button's Bootstrap style; a destructive one ("danger", "outline-danger") asks for
      confirmation before it posts, on every page (``confirms``).
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
    def confirms(self) -> bool:
        """The one confirmation rule: a transition styled as destructive asks "Are you sure?" before it posts."""
        return self.style.removeprefix("outline-") == "danger"

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

Notice = tuple[str, Iterable[int | None], Any]  # (kind, user ids, text)


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


@dataclass
class Outcome:
    """What an action's ``apply`` tells the runner: the event's note and data (and ``event``: further
    fields of the app's event row, e.g. the case's ``reply``), whom to tell, and hooks (``after``: in the
    same transaction, after the write; ``on_commit``: once the transaction commits)."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    notify: list[Notice] = field(default_factory=list)
    after: list[Callable[[Any], None]] = field(default_factory=list)
    on_commit: list[Callable[[Any], None]] = field(default_factory=list)
    event: dict[str, Any] = field(default_factory=dict)


Apply = Callable[[Any, Any, dict[str, Any], datetime], Outcome]
Notifier = Callable[..., None]  # notifier(ref=, kind=, user_ids=, text=, exclude=), inside the transaction


@dataclass(frozen=True)
class Spec:
    """What an app brings to the runner.

    - ``model``: the entity, with ``status`` (and ``version`` for the compare-and-set; without it the
      compare is on ``status`` alone); ``updated_at`` is set when the model has it;
    - ``event_model`` and ``event_fk``: the typed event row and its foreign key; ``event_owner`` when the
      row hangs on another object (a sign-up's events on its activity: the sign-up's id goes in ``data``);
    - ``table``, one ``apply`` per action, ``audit_prefix`` ("party.order" → "party.order_take"), ``noun``;
    - ``url``: the page a notice links to; ``notifier`` replaces the plain ``notice_queue`` (the cases'
      SMS to a phone-only reporter);
    - ``before_write(obj, outcome, now)`` and ``after_write(obj, event, outcome)``: the entity's own hooks
      (the case's first-reply time, its caches), in the transaction;
    - ``visible``: user → queryset (default: the manager's ``visible_to``);
    - ``labels``: how event kinds that are not transitions read on a timeline (the transitions' own labels
      serve the rest; see ``event_label``).
    """

    model: type[models.Model]
    event_model: type[models.Model]
    event_fk: str
    table: dict[str, Transition]
    apply: Mapping[str, Callable[..., Outcome]]
    audit_prefix: str
    noun: Any
    related: tuple[str, ...] = ()
    notifier: Notifier | None = None
    visible: Callable[[Any], Any] | None = None
    url: Callable[[Any], str] | None = None
    event_owner: Callable[[Any], Any] | None = None
    before_write: Callable[[Any, Outcome, datetime], None] | None = None
    after_write: Callable[[Any, Any, Outcome], None] | None = None
    labels: Mapping[str, Any] = field(default_factory=dict)  # event kinds that are not transitions ("raised")

    def __post_init__(self) -> None:
        SPECS[self.audit_prefix] = self  # every spec built is known (the tests walk them all)


SPECS: dict[str, Spec] = {}


def event_label(event: Any) -> Any:
    """What an event row's kind reads as in the user's language: the label of the transition of that name in the
    spec that writes such rows, else the spec's ``labels``, else the kind itself."""
    kind = getattr(event, "kind", "")
    data = getattr(event, "data", None) or {}
    specs = [spec for spec in SPECS.values() if spec.event_model is type(event)]
    # A row about an owned object (a sign-up's cancel on its activity's timeline, data["signup"]) reads in
    # that object's table first: "cancel" is the sign-up's there, not the activity's.
    specs.sort(key=lambda spec: not (spec.event_owner is not None and spec.model._meta.model_name in data))
    for spec in specs:
        t = spec.table.get(kind)
        if t is not None:
            return t.label
        if kind in spec.labels:
            return spec.labels[kind]
    return kind


def spec_register(spec: Spec) -> Spec:
    """Every workflow registers its spec (by audit prefix): the tests walk them all."""
    SPECS[spec.audit_prefix] = spec
    return spec


def _snapshot(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in _SNAPSHOT_EXCLUDE
    }


def _comparable(value: Any) -> Any:
    return value.name if hasattr(value, "storage") and hasattr(value, "name") else value


def _field_names(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields)


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
    **extra: Any,
) -> Any:
    """One typed event row (the entity's timeline). The row gets those of kind, actor, actor_name, at,
    from_status, to_status, note, data and ``extra`` that its model has."""
    data = dict(data or {})
    owner = obj
    if spec.event_owner is not None:
        owner = spec.event_owner(obj)
        data.setdefault(obj._meta.model_name, obj.pk)
    values = {
        spec.event_fk: owner,
        "kind": kind,
        "actor": actor if getattr(actor, "is_authenticated", False) else None,
        "actor_name": actor_label(actor)[:150],
        "at": at,
        "from_status": from_status,
        "to_status": to_status,
        "note": note,
        "data": data,
        **extra,
    }
    names = _field_names(spec.event_model)
    # As objects.create(), without the query compiler per row (core.inserts.insert_one).
    return insert_one(new_instance(spec.event_model, **{k: v for k, v in values.items() if k in names}))


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


def _conflict() -> Refused:
    return Refused(_("It changed meanwhile; reload and try again."), code="conflict")


def _seen_version(data: dict[str, Any]) -> int | None:
    """The version the actor saw, when the page or the API client sends it (``version``)."""
    try:
        return int(data["version"]) if data.get("version") not in (None, "") else None
    except (TypeError, ValueError):
        return None


# The outbox (``linli.notifications.actions.notice_queue``), installed by the notifications app at start:
# core imports no app.
_notice_sink: Callable[..., Any] | None = None


def notice_sink_set(sink: Callable[..., Any]) -> None:
    global _notice_sink
    _notice_sink = sink


def notices_queue(spec: Spec, obj: Any, outcome: Outcome, actor: Any) -> None:
    """The outcome's notices through the one outbox (or the spec's own notifier), in the transaction."""
    if not outcome.notify:
        return
    exclude = getattr(actor, "pk", None)
    ref = f"{spec.audit_prefix}:{obj.pk}"
    if spec.notifier is not None:
        # notifier(ref=, kind=, user_ids=, text=, exclude=); one that sets ``wants_obj`` also gets obj=.
        extra = {"obj": obj} if getattr(spec.notifier, "wants_obj", False) else {}
        for kind, user_ids, text in outcome.notify:
            spec.notifier(ref=ref, kind=kind, user_ids=user_ids, text=text, exclude=exclude, **extra)
        return
    if _notice_sink is None:  # pragma: no cover (the notifications app installs it at start)
        raise RuntimeError("No outbox: linli.notifications is not installed.")
    url = spec.url(obj) if spec.url is not None else ""
    for kind, user_ids, text in outcome.notify:
        _notice_sink(user_ids=user_ids, kind=kind, ref=ref, text=text, url=url, exclude=exclude)


def step(
    spec: Spec,
    locked: Any,
    name: str,
    *,
    actor: Any,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
    check_actor: bool = True,
    seen_version: int | None = None,
    seen_status: str | None = None,
) -> Any:
    """Transition ``name`` on ``locked`` (a row the caller locked in its transaction): table, guard,
    required inputs, apply, compare-and-set, event row, audit row, notices and hooks. Chained steps (a
    case verified right after its report) pass ``check_actor=False``: the system acts."""
    if name not in spec.table:
        raise NotFound(_("Not found."))
    t = spec.table[name]
    data = dict(data or {})
    has_version = "version" in _field_names(spec.model)
    if not t.allows_state(locked.status):
        # Somebody moved it since the actor looked (the version they saw, or the state of the instance
        # they hold, allowed this): a lost race, not a refusal.
        if has_version and seen_version is not None and seen_version != locked.version:
            raise _conflict()
        if seen_status is not None and seen_status != locked.status and t.allows_state(seen_status):
            raise _conflict()
        raise Refused(
            _("This %(noun)s is “%(status)s”: “%(action)s” is not possible now.")
            % {"noun": spec.noun, "status": locked.get_status_display(), "action": t.label},
            code="refused_transition",
        )
    if check_actor and not t.allows_actor(locked, actor):
        raise PermissionDenied(_("You may not “%(action)s” this %(noun)s.") % {"action": t.label, "noun": spec.noun})
    refusal = t.refusal(locked, actor if check_actor else None)
    if refusal is not None:
        raise Refused(refusal, code="refused_transition")
    check_required(t, data)
    now = now or timezone.now()
    before = _snapshot(locked)
    from_status = locked.status
    outcome = spec.apply[name](locked, actor, data, now)
    if t.target is not None:
        locked.status = t.target
    if spec.before_write is not None:
        spec.before_write(locked, outcome, now)
    cas: dict[str, Any] = {"pk": locked.pk, "status": from_status}
    if has_version:
        locked.version = before["version"] + 1
        cas["version"] = before["version"]
    after = _snapshot(locked)
    changed = {k: v for k, v in after.items() if _comparable(before.get(k)) != _comparable(v)}
    if "updated_at" in _field_names(spec.model):
        changed["updated_at"] = now
    manager = spec.model._default_manager
    if manager.filter(**cas).update(**changed) != 1:  # the row lock makes this rare; the CAS is the guarantee
        raise _conflict()
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
        **outcome.event,
    )
    audit_record(
        action=f"{spec.audit_prefix}_{name}",
        actor=actor,
        actor_name="" if actor is not None else "system",
        target=locked,
        detail={"from": from_status, "to": locked.status, "event": event.pk, **_audit_data(outcome.data)},
    )
    notices_queue(spec, locked, outcome, actor)
    if spec.after_write is not None:
        spec.after_write(locked, event, outcome)
    for hook in outcome.after:
        hook(locked)
    for hook in outcome.on_commit:
        transaction.on_commit(_bound(hook, locked))
    return locked


def lock(spec: Spec, pk: Any) -> Any:
    manager = spec.model._default_manager
    try:
        return manager.select_related(*spec.related).select_for_update(of=("self",)).get(pk=pk)
    except spec.model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise NotFound(_("Not found.")) from exc


def check_visible(spec: Spec, pk: Any, actor: Any) -> None:
    if actor is None:
        return
    visible = spec.visible(actor) if spec.visible is not None else spec.model._default_manager.visible_to(actor)  # type: ignore[attr-defined]
    if not visible.filter(pk=pk).exists():
        raise NotFound(_("Not found."))


def run(spec: Spec, *, obj: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Any:
    """Run transition ``name`` of ``spec.table`` on ``obj`` (an instance or an id) for ``actor``
    (``None``: the system): scope (404), lock, then ``step``. Returns the updated object."""
    if name not in spec.table:
        raise NotFound(_("Not found."))
    data = dict(data or {})
    pk = obj.pk if isinstance(obj, models.Model) else obj
    seen = _seen_version(data)
    seen_status = getattr(obj, "status", None) if isinstance(obj, models.Model) else None
    with transaction.atomic():
        check_visible(spec, pk, actor)
        locked = lock(spec, pk)
        return step(spec, locked, name, actor=actor, data=data, seen_version=seen, seen_status=seen_status)
