"""The outbox's part of anonymising a person after the retention period (``linli.privacy``): notices whose
text names the person (a case's title, an order's summary) keep their kind, link and time, and lose the
name. Notices to a phone-only recipient keep the encrypted number (no lookup hash is stored for it)."""

from __future__ import annotations

from typing import Any

from linli.notifications.models import Notice

ANONYMISED = {
    "Notice": "notices whose text names the person: the name (and phone, ID number) replaced",
    "NoticePreference": "the WeChat id of the person's logins: blanked",
}
NOTHING_PERSONAL = {
    "Delivery": "a delivery attempt's claim and error (channel messages, no text of the notice)",
}


def anonymise(people: dict[int, dict[str, Any]]) -> int:
    from linli.core.anonymise import containing, linked_blank, names, rows_scrub
    from linli.notifications.models import NoticePreference

    logins = [u for s in people.values() for u in s.get("user_ids") or []]
    n = linked_blank(NoticePreference.objects.filter(user_id__in=logins), wechat_openid="")
    for subject in people.values():
        needles = names(subject)
        n += rows_scrub(containing(Notice.objects.all(), ("text",), needles), ("text",), needles)
    return n
