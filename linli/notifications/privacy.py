"""The outbox's part of anonymising a person after the retention period (``linli.privacy``): notices whose
text names the person (a case's title, an order's summary) keep their kind, link and time, and lose the
name. Notices to a phone-only recipient keep the encrypted number (no lookup hash is stored for it)."""

from __future__ import annotations

from typing import Any

from linli.notifications.models import Notice

PLACEHOLDER = "某某"


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    n = 0
    for subject in people.values():
        name = subject.get("name", "")
        if len(name) < 2:
            continue
        for notice in Notice.objects.filter(text__contains=name).only("pk", "text").iterator(chunk_size=500):
            Notice.objects.filter(pk=notice.pk).update(text=notice.text.replace(name, PLACEHOLDER))
            n += 1
    return n
