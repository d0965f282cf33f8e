"""The shape of every transition table (cases, registrations, orders, wishes, activities, redemptions).

Each stateful app keeps its own table in its ``workflow.py``: which action moves which states to which,
who may press it, what it needs. This module gives them one ``Transition`` and one ``available`` so that
the actions, the buttons and the tests read every table the same way. Predicates never test role names:
they ask for permissions and scope (``perms_of``, ``covers``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

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
    return Transition(name, label, frozenset(sources), target, tuple(who), tuple(required), guard, style, tuple(fields))


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
