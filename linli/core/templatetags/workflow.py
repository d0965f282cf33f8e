"""``{{ event|event_label }}``: an event row's kind as the user reads it (``linli.core.workflow.event_label``);
``{% transition_forms transitions "app:obj_transition" obj %}``: the buttons of a workflow's table, one form per
transition ``available(table, obj, user)`` returned (``partials/transitions.html``), posting to
``{% url url_name obj.pk t.name %}``. ``fields``: a template for the page's own inputs (a select of topics), included
with ``t`` and ``f``; ``testid``: the buttons' ``data-testid`` prefix; ``next``: where the page returns."""

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
    context: Any, transitions: Any, url_name: str, obj: Any, fields: str = "", testid: str = "do", next: str = ""
) -> dict[str, Any]:
    return {**context.flatten(), "transitions": transitions, "url_name": url_name, "obj": obj, "pk": str(obj.pk),
            "fields": fields, "testid": testid, "next": next}
