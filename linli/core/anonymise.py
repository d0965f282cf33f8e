"""The pieces every app's ``privacy.anonymise(people)`` uses to take a person out of its rows (the one
mechanism; ``linli.privacy.actions.persons_anonymise`` runs the apps' hooks inside one transaction and a
``core.append_only.redaction`` window).

- ``names(subject)``: what is looked for in free text: the name (2 characters or more: a one-character
  name would eat ordinary words), and the phone and ID number as typed;
- ``scrub(text, names)`` / ``scrub_json``: the text with each of them replaced by ``PLACEHOLDER``;
- ``rows_scrub(queryset, fields, names, **blank)``: rewrites the listed text fields of the rows (and sets
  ``blank`` columns), one UPDATE per row that changes; append-only models through ``redact``;
- ``files_delete(queryset, field)``: the uploaded files of those rows leave the storage once the transaction
  commits, and the field is emptied.

Each app declares, in its ``privacy.py``, what its models hold of a person: ``ANONYMISED`` (the models its
``anonymise`` rewrites) and ``NOTHING_PERSONAL`` (model → why it holds nothing of a person once the person's
own row is anonymised). ``linli/privacy/tests/test_coverage.py`` fails when a model with a person or login
key, free text, JSON or a file is in neither.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

PLACEHOLDER = "某某"


def names(subject: dict[str, Any]) -> list[str]:
    """The strings that identify the subject in free text (longest first)."""
    found = [subject.get("name", ""), subject.get("phone", ""), subject.get("id_number", ""),
             *subject.get("login_keys", [])]
    return sorted({n for n in found if n and len(n) >= 2}, key=len, reverse=True)


def scrub(text: str, needles: list[str]) -> str:
    if not text:
        return text
    for needle in needles:
        if needle in text:
            text = text.replace(needle, PLACEHOLDER)
    return text


def scrub_json(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        return scrub(value, needles)
    if isinstance(value, dict):
        return {k: scrub_json(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, needles) for v in value]
    return value


def containing(queryset: Any, fields: tuple[str, ...], needles: list[str]) -> Any:
    """The rows of ``queryset`` in which one of ``fields`` holds one of ``needles`` (JSON read as its text:
    on SQLite non-ASCII characters are stored escaped, so both forms are looked for)."""
    import json

    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    if not needles:
        return queryset.none()
    model = queryset.model
    q = Q(pk__in=[])
    casts: dict[str, Any] = {}
    for f in fields:
        if isinstance(model._meta.get_field(f), models.JSONField):
            alias = f"_{f}_text"
            casts[alias] = Cast(f, TextField())
            for needle in needles:
                q |= Q(**{f"{alias}__contains": needle}) | Q(**{f"{alias}__contains": json.dumps(needle)[1:-1]})
        else:
            for needle in needles:
                q |= Q(**{f"{f}__contains": needle})
    return queryset.alias(**casts).filter(q) if casts else queryset.filter(q)


def _update(model: type[models.Model], pk: Any, values: dict[str, Any]) -> None:
    qs = model._default_manager.filter(pk=pk)
    if getattr(model, "redactable_fields", None):
        from linli.core.append_only import redact

        redact(qs, **values)
    else:
        models.QuerySet.update(qs, **values)


def rows_scrub(queryset: Any, fields: tuple[str, ...], needles: list[str], **blank: Any) -> int:
    """Scrub ``needles`` out of ``fields`` (text or JSON) of every row of ``queryset`` and set the ``blank``
    columns; returns how many rows changed."""
    model = queryset.model
    n = 0
    for row in queryset.only("pk", *fields, *blank).iterator(chunk_size=500):
        values: dict[str, Any] = {}
        for f in fields:
            old = getattr(row, f)
            new = scrub_json(old, needles) if not isinstance(old, str) else scrub(old, needles)
            if new != old:
                values[f] = new
        values.update({k: v for k, v in blank.items() if getattr(row, k) != v})
        if values:
            _update(model, row.pk, values)
            n += 1
    return n


def files_delete(queryset: Any, field: str) -> int:
    """Empty ``field`` of the rows and delete their files from the storage once the transaction commits (a
    rollback keeps them). Returns how many files go."""
    gone: list[tuple[Any, str]] = []
    for row in queryset.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True}).only("pk", field):
        value = getattr(row, field)
        name = getattr(value, "name", value)
        if not name:
            continue
        storage = getattr(value, "storage", None)
        if storage is None:
            from django.core.files.storage import default_storage as storage
        gone.append((storage, name))
        models.QuerySet.update(queryset.model._default_manager.filter(pk=row.pk), **{field: ""})

    def delete() -> None:
        for storage, name in gone:
            storage.delete(name)

    transaction.on_commit(delete)
    return len(gone)


def rows_delete_with_files(queryset: Any, field: str) -> int:
    """Delete the rows and (once the transaction commits) their files."""
    files_delete(queryset, field)
    n, _ = models.QuerySet.delete(queryset)
    return n


def area_scrub(specs: list[tuple[Any, str, tuple[str, ...]]], needles: list[str], area: str) -> int:
    """For each ``(model, path lookup, fields)``: the rows under ``area`` (their path lookup starts with it;
    every row when ``area`` is empty) whose fields hold a needle are scrubbed. Returns rows changed."""
    n = 0
    for model, path, fields in specs:
        qs = model._base_manager.all()
        if area:
            qs = qs.filter(**{f"{path}__startswith": area})
        n += rows_scrub(containing(qs, fields, needles), fields, needles)
    return n


def linked_blank(queryset: Any, **values: Any) -> int:
    """Set ``values`` on the rows (those that name or belong to the person: their own free text, the name
    shown beside a key). Returns rows changed."""
    return rows_scrub(queryset, (), [], **values)
