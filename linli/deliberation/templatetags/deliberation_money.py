"""``{{ entry.amount_fen|yuan }}``: an amount in fen as yuan (``1,234.56``)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen):
    from linli.deliberation.actions.ledger import yuan as to_yuan

    return to_yuan(fen)


@register.filter
def percent_of(part, whole):
    """``part`` as a whole percentage of ``whole`` (0 when ``whole`` is 0), capped at 100."""
    try:
        return min(100, int(int(part) * 100 / int(whole))) if int(whole) > 0 else 0
    except (TypeError, ValueError):
        return 0
