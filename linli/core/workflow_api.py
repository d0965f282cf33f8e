"""One endpoint factory: every workflow's ``POST …/{id}/{action}`` routes come from its transition table.

``action_routes(router, table, ...)`` registers one route per transition a person may press (a row whose
``who`` is empty is the system's, a task's: no route), each named the same way: operation id, url name and
view name ``<name>_<action>``, summary ``<action>: <label>``. The view checks access first (404 for an
object out of scope, as for a missing one), then runs the action with the payload's data and answers the
object as the app shows it. Domain errors go to the shared handler (``linli.core.api``): a refused
transition is 409 ``refused_transition``, a lost race 409 ``conflict``, a missing input 422.

An app gives its input schema per action (``schemas``) and one for the rest (``default``: a note, a
reason and the version the client saw). ``ROUTED`` records what was registered: a test walks every
registered spec and fails for a transition without a route.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from linli.core.workflow import Transition

# id(table) -> {action: url name}: the routes the factory registered, per table.
ROUTED: dict[int, dict[str, str]] = {}

_PARAM = re.compile(r"\{(?:\w+:)?(\w+)\}")


class ActionIn(Schema):
    """An action's input when it has no schema of its own: a note or a reason (where the table requires
    one) and the version the client saw (a change since is a lost race, 409 ``conflict``)."""

    note: str = Field("", max_length=4000)
    reason: str = Field("", max_length=4000)
    version: int | None = None


class StateOut(Schema):
    """Where a workflow's object stands after an action, for a workflow with no fuller schema."""

    id: int
    status: str
    status_label: str
    actions: list[str]


def state_out(table: Mapping[str, Transition]) -> Callable[[Any, Any], dict[str, Any]]:
    """``out`` for ``StateOut``: the object's state and the actions the user may take now."""
    from linli.core.workflow import available

    def out(obj: Any, user: Any) -> dict[str, Any]:
        return {"id": obj.pk, "status": obj.status, "status_label": str(obj.get_status_display()),
                "actions": [t.name for t in available(dict(table), obj, user)]}

    return out


def payload_data(action: str, payload: Schema) -> dict[str, Any]:
    """The payload as the action's data."""
    return payload.dict()


def filled_data(action: str, payload: Schema) -> dict[str, Any]:
    """The payload without its empty fields (an absent input stays absent for the table's ``required``)."""
    return {k: v for k, v in payload.dict().items() if v not in (None, "", [])}


def action_routes(
    router: Router,
    table: Mapping[str, Transition],
    *,
    name: str,
    path: str,
    access: Callable[[Any, int], Any],
    act: Callable[[Any, Any, str, dict[str, Any]], Any],
    out: Callable[[Any, Any], Any],
    response: Any = StateOut,
    schemas: Mapping[str, type[Schema]] | None = None,
    default: type[Schema] = ActionIn,
    data: Callable[[str, Schema], dict[str, Any]] = payload_data,
    only: Iterable[str] | None = None,
) -> None:
    """Register ``POST <path>/<action>`` on ``router`` for each transition of ``table`` a person may press.

    - ``name``: the entity ("case"): operation id and url name ``case_<action>``;
    - ``path``: the object's path with its id ("/{int:case_id}");
    - ``access(user, id)``: the object or 404, before anything else;
    - ``act(actor, obj, action, data)``: runs the transition (``obj`` is what ``access`` returned) and
      returns the object after it; ``out(obj, user)``: the response body (``response``, its schema);
    - ``schemas``: the input schema of an action, else ``default``; ``data(action, payload)``: the data the
      action gets; ``only``: a subset of the table's actions.
    """
    (id_name,) = _PARAM.findall(path)
    actions = [a for a in (only if only is not None else table) if table[a].who]
    routed = ROUTED.setdefault(id(table), {})
    for action in actions:
        url_name = f"{name}_{action}"
        schema = (schemas or {}).get(action, default)
        router.post(
            f"{path}/{action}",
            response=response,
            summary=f"{action}: {table[action].label}",
            operation_id=url_name,
            url_name=url_name,
        )(_view(url_name, action, id_name, schema, table[action], access, act, out, data))
        routed[action] = url_name


def _view(
    view_name: str,
    action: str,
    id_name: str,
    schema: type[Schema],
    t: Transition,
    access: Callable[[Any, int], Any],
    act: Callable[[Any, Any, str, dict[str, Any]], Any],
    out: Callable[[Any, Any], Any],
    data: Callable[[str, Schema], dict[str, Any]],
) -> Callable[..., Any]:
    def view(request: Any, **kwargs: Any) -> Any:
        user = request.auth
        obj = access(user, kwargs[id_name])  # 404 before anything else
        payload = kwargs.get("payload") or schema()
        return out(act(user, obj, action, data(action, payload)), user)

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    try:  # a schema whose fields all have defaults may be left out (a POST with no body)
        schema()
        optional: Any = None
    except ValueError:
        optional = inspect.Parameter.empty
    view.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", kind, annotation=HttpRequest),
        inspect.Parameter(id_name, kind, annotation=int),
        inspect.Parameter("payload", kind, annotation=schema, default=optional),
    ])
    view.__name__ = view_name
    view.__doc__ = f"Transition “{action}”: {t.label}."
    return view
