"""Full-number searches: each one is a question "is this the ID number (or phone) of someone here?",
so a user could try numbers until one answers. They are counted per user in the database
(``linli.core.ratelimit``), refused beyond the limits (429 in the API, a message on the page) and
audited (``residents.number_search``: the kind of number, never the number).

| setting | default | what |
|---|---|---|
| ``LINLI_NUMBER_SEARCH_PER_HOUR`` | 20 | full ID or phone numbers one user may look up in an hour |
| ``LINLI_NUMBER_SEARCH_PER_DAY`` | 60 | ... in a day |

Registering or correcting a person with an ID number that is already registered answers the same
question, so ``person_create`` and ``person_update`` count against the same limits.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Throttled
from linli.core.models import AuditResult
from linli.core.ratelimit import rate_take
from linli.residents.selectors import SEARCH_ID, SEARCH_PHONE, search_kind

BUCKET = "number_search"
NUMBER_KINDS = (SEARCH_ID, SEARCH_PHONE)


def number_search_limits() -> list[tuple[int, int]]:
    return [
        (int(getattr(settings, "LINLI_NUMBER_SEARCH_PER_HOUR", 20)), 3600),
        (int(getattr(settings, "LINLI_NUMBER_SEARCH_PER_DAY", 60)), 86400),
    ]


def number_probe(*, actor, kind: str, where: str) -> None:
    """Count one full-number lookup of ``actor``; ``Throttled`` (nothing looked up) beyond the limits.
    ``actor=None`` (the system) is not counted."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    detail = {"kind": kind, "where": where}
    if not rate_take(BUCKET, f"user:{actor.pk}", limits=number_search_limits()):
        audit_record(action="residents.number_search", actor=actor, result=AuditResult.DENIED, detail=detail)
        raise Throttled(_("Too many searches by full ID number or phone. Please try again later."))
    audit_record(action="residents.number_search", actor=actor, detail=detail)


def number_search(*, actor, q: str, where: str = "search") -> str:
    """The kind of the search text; a full ID number or phone is counted and audited (``number_probe``)."""
    kind = search_kind(q)
    if kind in NUMBER_KINDS:
        number_probe(actor=actor, kind=kind, where=where)
    return kind
