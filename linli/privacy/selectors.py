"""What the community holds about a resident (PIPL Art. 45), gathered from every app.

Each app that holds personal data about a person offers ``linli/<app>/privacy.py`` with
``my_data(person, user) -> list[section]`` (and, for anonymisation, ``anonymise(people) -> int``); this
module finds them, as the home page finds the apps' ``home.py`` (the apps do not import each other). A
section is ``{"key", "title", "columns": [(key, label)], "rows": [dict], "more": bool}`` (``summary``
optional): every list is bounded, and ``more`` says when a history is longer than what is shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from linli.core.apps import app_modules
from linli.privacy.models import CorrectionRequest
from linli.privacy.workflow import OPEN_STATES

# The registry first, then the other apps in INSTALLED_APPS order.
FIRST = "linli.residents"


def privacy_modules() -> list[ModuleType]:
    """Every installed app's ``privacy`` module (the registry's first)."""
    found = app_modules("privacy", skip="linli.privacy")
    found.sort(key=lambda m: m.__name__ != f"{FIRST}.privacy")
    return found


def plain(value: Any) -> Any:
    """A value as JSON and Excel show it: dates in ISO form, decimals and lazy strings as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    more: bool = False
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> list[list[Any]]:
        """The rows as lists in column order (pages and workbooks)."""
        return [[r.get(k) for k, _label in self.columns] for r in self.rows]

    @property
    def pairs(self) -> list[tuple[str, Any]]:
        """The first row as (label, value) pairs (a one-row section shown as a list)."""
        row = self.rows[0] if self.rows else {}
        return [(label, row.get(k)) for k, label in self.columns]

    @property
    def pair_rows(self) -> list[list[tuple[str, Any]]]:
        """Every row as (label, value) pairs (the phone layout: one small list per row)."""
        return [[(label, r.get(k)) for k, label in self.columns] for r in self.rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title,
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "rows": self.rows, "more": self.more, "summary": self.summary,
        }


@dataclass
class MyData:
    person_id: int
    generated_at: str
    sections: list[Section]
    corrections: QuerySet[CorrectionRequest]  # all of them (the download); the page pages them


def my_data(person: Any, user: Any) -> MyData:
    """Everything the apps hold about ``person`` (the logged-in resident's own record), plain values."""
    sections: list[Section] = []
    for module in privacy_modules():
        fn = getattr(module, "my_data", None)
        if fn is None:
            continue
        for s in fn(person, user):
            sections.append(Section(
                key=s["key"], title=str(s["title"]),
                columns=[(k, str(label)) for k, label in s["columns"]],
                rows=[{k: plain(v) for k, v in row.items()} for row in s["rows"]],
                more=bool(s.get("more")), summary={k: plain(v) for k, v in s.get("summary", {}).items()},
            ))
    return MyData(
        person_id=person.pk,
        generated_at=plain(timezone.now()),
        sections=sections,
        corrections=corrections_of(person).order_by("-id"),
    )


def corrections_of(person: Any) -> QuerySet[CorrectionRequest]:
    """The person's correction requests (none without a person); page them."""
    return CorrectionRequest.objects.filter(person=person) if person is not None else CorrectionRequest.objects.none()


def open_count(person: Any) -> int:
    return CorrectionRequest.objects.filter(person=person, status__in=OPEN_STATES).count()


def correction_queue(user: Any, *, status: str = "requested") -> Any:
    """The requests staff decide on (in their scope), for the one pager."""
    qs = CorrectionRequest.objects.visible_to(user).exclude(requester_id=user.pk).select_related("person")
    if status:
        qs = qs.filter(status=status)
    return qs
