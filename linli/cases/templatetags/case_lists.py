"""The worklist's rows, its filter's options and the deadline light's badge, written with ``format_html``.

A worklist page is 50 rows of about 25 template nodes each, and its filter about 100 options: rendered
node by node (variables resolved, filters, an include per light, labels translated per row) that was most
of the page, several times the bare JSON list of the same rows (issue 17, bench/cases_worklist.py). Here
the labels are translated once per page and each row is one ``format_html``.

- ``{% worklist_rows rows bulk %}``: the ``<tr>`` of each row of ``views._worklist`` (its ``url``,
  ``where``, ``owner``, ``status_label``, ``light``, ``bulk``);
- ``{% select_options bound_field %}``: a select's ``<option>``s, the field's value selected;
- ``{% light_badge level %}``: the red or yellow badge of ``deadlines.light`` (nothing for the others).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()

_BADGE = '<span class="badge text-bg-{}" data-light="{}"><i class="bi bi-circle-fill" aria-hidden="true"></i> {}</span>'


@register.simple_tag
def light_badge(level: str) -> str:
    if level == "red":
        return format_html(_BADGE, "danger", "red", _("Overdue"))
    if level == "yellow":
        return format_html(_BADGE, "warning", "yellow", _("Due soon"))
    return ""


@register.simple_tag
def select_options(field: Any) -> SafeString:
    value = field.value()
    current = str(value) if value is not None else None
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((v, " selected" if str(v) == current else "", label) for v, label in field.field.choices))


_ROW = ('<tr data-case="{number}">{tick}<td class="case-number text-nowrap"><a href="{url}">{number}</a></td>'
        '<td data-label="{l_matter}">{title}{badges}</td><td data-label="{l_category}">{category}</td>'
        '<td data-label="{l_where}">{where}</td><td data-label="{l_owner}">{owner}</td>'
        '<td data-label="{l_status}">{status}</td><td data-label="{l_deadline}">{light} {due}</td></tr>')


@register.simple_tag
def worklist_rows(rows: list[dict[str, Any]], bulk: bool) -> SafeString:
    labels = {"l_matter": _("Matter"), "l_category": _("Category"), "l_where": _("Where"),
              "l_owner": pgettext("case", "Owner"), "l_status": _("Status"), "l_deadline": _("Deadline")}
    select, priority, supervised = _("Select"), _("Priority"), _("Supervised")
    out = []
    for r in rows:
        tick = mark_safe("")  # noqa: S308 (empty)
        if bulk:
            tick = format_html('<td><input class="form-check-input" type="checkbox" name="ids" value="{}" '
                               'aria-label="{} {}"></td>', r["id"], select, r["number"]) if r["bulk"] else \
                mark_safe("<td></td>")  # noqa: S308 (a constant)
        badges = []
        if r["support_count"]:
            badges.append(format_html(' <span class="badge text-bg-info">+{}</span>', r["support_count"]))
        if r["priority"]:
            badges.append(format_html(' <span class="badge text-bg-danger">{}</span>', priority))
        if r["supervision_count"]:
            badges.append(format_html(' <span class="badge text-bg-warning">{}</span>', supervised))
        out.append(format_html(
            _ROW, tick=tick, number=r["number"], url=r["url"], title=r["title"], badges=mark_safe("".join(badges)),  # noqa: S308 (format_html's)
            category=r["category__name"] or "", where=r["where"], owner=r["owner"] or "—", status=r["status_label"],
            light=light_badge(r["light"]),
            due=date_filter(localtime(r["handle_due"]), "m-d H:i") if r["handle_due"] else "",
            **labels))
    return mark_safe("".join(out))  # noqa: S308 (each row by format_html)
