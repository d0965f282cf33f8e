"""``{{ event|event_label }}``: an event row's kind as the user reads it (``linli.core.workflow.event_label``);
``{% transition_forms transitions "app:obj_transition" obj %}``: the buttons of a workflow's table, one form per
transition ``available(table, obj, user)`` returned (``partials/transitions.html``), posting to
``{% url url_name obj.pk t.name %}``. Each form asks for the fields the table declares (``Transition.form_fields``:
required ones first, then its optional ``fields``), through ``partials/transition_field.html``: the shared inputs
(reason, note, comment, minutes, when, satisfaction, photo) and, for the others or the names in ``own`` (space-separated),
the page's ``fields`` template, included with ``t``, ``f`` and ``fid`` (the input's id).

``layout``: "inline" (each form in a row), "panel" (a row of buttons; one whose transition asks for inputs opens
its form, titled and labelled, below the row; one that asks for nothing posts at once) or "stacked" (each form
under the other, its inputs labelled and shown, its button across the width on a phone: a row of a list, a
narrow page). ``big``: large controls (a phone page for older members). A transition the table marks destructive
(``Transition.confirms``) asks before it posts, on every page. ``testid``: the buttons' ``data-testid`` prefix
("do" inline and stacked, "submit" in a panel); ``next``: where the page returns.

``post_to``: an address every form posts to instead of the transition's own (``url_name`` is then ""), carrying
the transition's name as ``action`` and the object's id as ``object`` (a page whose one view handles its forms).
``errors``: a bound form whose errors and values show at the inputs of the same names (its general errors above
the forms; in a panel, the form holding an error is open)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from linli.core.workflow import event_label as _event_label

register = template.Library()

LAYOUTS = ("inline", "panel", "stacked")


@register.filter
def event_label(event: Any) -> Any:
    return _event_label(event)


@register.filter
def pick(mapping: Any, key: Any) -> Any:
    """``{{ errors|pick:f }}``: the value under a key held in a variable ("" when absent)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.inclusion_tag("partials/transitions.html", takes_context=True)
def transition_forms(
    context: Any, transitions: Any, url_name: str, obj: Any, fields: str = "", testid: str = "", next: str = "",
    layout: str = "inline", big: bool = False, own: str = "", post_to: str = "", errors: Any = None,
) -> dict[str, Any]:
    if layout not in LAYOUTS:
        raise template.TemplateSyntaxError(f"transition_forms: unknown layout {layout!r}")
    if bool(url_name) == bool(post_to):
        raise template.TemplateSyntaxError("transition_forms: name either the transitions' route or post_to")
    panel = layout == "panel"
    bound = errors is not None and errors.is_bound
    field_errors = {k: list(v) for k, v in errors.errors.items()} if bound else {}
    values = {name: errors[name].value() for name in errors.fields} if bound else {}
    rows = [(t, post_to or reverse(url_name, args=[obj.pk, t.name])) for t in transitions]
    # the ids of its inputs and forms: the object's id, under the testid when given (two objects' forms on a page)
    uid = f"{testid}-{obj.pk}" if testid else str(obj.pk)
    return {**context.flatten(), "rows": rows, "obj": obj, "pk": uid,
            "fields": fields, "testid": testid or ("submit" if panel else "do"), "next": next, "panel": panel,
            "stacked": layout == "stacked", "labelled": layout != "inline", "big": big, "own": own.split(),
            "post_to": post_to, "bound": errors if bound else None, "field_errors": field_errors, "values": values,
            "opened": {t.name for t in transitions if any(f in field_errors for f in t.form_fields)}}
