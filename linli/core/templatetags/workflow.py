"""``{{ event|event_label }}``: an event row's kind as the user reads it (``linli.core.workflow.event_label``)."""

from __future__ import annotations

from typing import Any

from django import template

from linli.core.workflow import event_label as _event_label

register = template.Library()


@register.filter
def event_label(event: Any) -> Any:
    return _event_label(event)
