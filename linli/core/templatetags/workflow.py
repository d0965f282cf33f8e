"""``{{ event|event_label }}``: an event row's kind as the user reads it (``linli.core.workflow.event_label``);
``{% transition_forms transitions "app:obj_transition" obj %}``: the buttons of a workflow's table, one form per
transition ``available(table, obj, user)`` returned (``partials/transitions.html``), posting to
``{% url url_name obj.pk t.name %}``. Each form asks for the fields the table declares (``Transition.form_fields``:
required ones first, then its optional ``fields``), through ``partials/transition_field.html``: the shared inputs
(reason, note, comment, minutes, when, satisfaction, photo) and, for the others or the names in ``own`` (space-separated),
the page's ``fields`` template, included with ``t``, ``f`` and ``fid`` (the input's id).

``layout``: "inline" (each form in a row) or "panel" (a row of buttons; one whose transition asks for inputs opens
its form, titled and labelled, below the row; one that asks for nothing posts at once). ``big``: large controls (a
phone page for older members). ``confirm``: a destructive (``danger``) transition asks before it posts.
``testid``: the buttons' ``data-testid`` prefix ("do" inline, "submit" in a panel); ``next``: where the page returns."""

from __future__ import annotations

from typing import Any

from django import template

from linli.core.workflow import event_label as _event_label

register = template.Library()


@register.filter
def event_label(event: Any) -> Any:
    return _event_label(event)


@register.inclusion_tag("partials/transitions.html", takes_context=True)
def transition_forms(
    context: Any, transitions: Any, url_name: str, obj: Any, fields: str = "", testid: str = "", next: str = "",
    layout: str = "inline", big: bool = False, confirm: bool = True, own: str = "",
) -> dict[str, Any]:
    if layout not in ("inline", "panel"):
        raise template.TemplateSyntaxError(f"transition_forms: unknown layout {layout!r}")
    panel = layout == "panel"
    return {**context.flatten(), "transitions": transitions, "url_name": url_name, "obj": obj, "pk": str(obj.pk),
            "fields": fields, "testid": testid or ("submit" if panel else "do"), "next": next, "panel": panel,
            "big": big, "confirm": confirm, "own": own.split()}
