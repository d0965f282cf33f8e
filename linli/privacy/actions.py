"""Every write of the personal-data rights (PIPL Art. 45–47):

- ``my_data_download``: the resident takes a copy of their data (JSON or Excel): audited;
- ``correction_request`` and ``correction_transition``: a resident asks for a correction of one field of
  their registration; staff over the person accept it (applied through the registry's own
  ``person_update``, audited there too) or refuse it with a reason; the resident is told through the
  outbox. The table is ``workflow.CORRECTION_TRANSITIONS``, run by the one runner;
- ``persons_anonymise``: persons who moved away or died longer ago than ``LINLI_RETENTION_DAYS`` lose
  what identifies them, in every app that holds it (``<app>/privacy.py``), then the database is scrubbed
  so that the old values leave its file (``database_scrub``).
"""

from __future__ import annotations

import datetime
import re
import sys
from datetime import datetime as DateTime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.selectors import user_get, user_ids_by_phone_hashes, users_by_ids
from linli.core.audit import audit_record
from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.workflow import Apply, Outcome, Spec, event_write, run
from linli.privacy.models import CorrectionEvent, CorrectionRequest
from linli.privacy.workflow import (
    CORRECTABLE_FIELDS,
    CORRECTION_TRANSITIONS,
    OPEN_PER_PERSON,
    OPEN_STATES,
)
from linli.residents.selectors import persons_by_ids

FORMATS = ("json", "xlsx")
NOTE_MAX = 500


def person_of(user: Any) -> Any:
    """The registry person behind the login (``residents.selectors.person_for_user``), or Invalid."""
    from linli.residents.selectors import person_for_user

    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Log in first."))
    person = person_for_user(user)
    if person is None:
        raise Invalid(_("Your account is not linked to a resident in the registry; ask the community office."),
                      code="not_linked")
    return person


# --- my data ----------------------------------------------------------------------------------------------


def my_data_download(*, actor: Any, person: Any, fmt: str, sections: int) -> None:
    """Record that ``actor`` took a copy of their data (the download itself is the caller's)."""
    if fmt not in FORMATS:
        raise Invalid(_("Choose JSON or Excel."), fields={"format": [_("Choose JSON or Excel.")]})
    audit_record(action="privacy.my_data_download", actor=actor, target=person,
                 detail={"format": fmt, "sections": sections})


# --- corrections ------------------------------------------------------------------------------------------


def correction_value_clean(field: str, value: Any) -> str:
    """The value as the registry would store it, checked by the registry's own rules (the ID number's
    check character, the phone's form, the code tables); Invalid (on ``value``) otherwise."""
    from linli.core.codes import ETHNICITY, POLITICAL_STATUS
    from linli.core.idnumber import parse_id_number
    from linli.core.text import clean_text, normalise_phone

    if field not in CORRECTABLE_FIELDS:
        message = _("Choose a field from the list.")
        raise Invalid(message, fields={"field": [message]})
    text = str(value or "").strip()
    if not text:
        message = _("Write the right value.")
        raise Invalid(message, fields={"value": [message]})
    try:
        if field == "id_number":
            return parse_id_number(text, field="value").number
        if field == "phone":
            return normalise_phone(text)
        if field == "ethnicity":
            return ETHNICITY.code_of(text)
        if field == "political_status":
            return POLITICAL_STATUS.code_of(text)
    except Invalid as exc:
        raise Invalid(exc.message, code=exc.code, fields={"value": [str(exc.message)]}) from None
    limit = 64 if field == "name" else 200
    cleaned = clean_text(text, limit)
    if len(text) > limit:
        message = _("At most %(n)d characters.") % {"n": limit}
        raise Invalid(message, fields={"value": [message]})
    return cleaned


def correction_request(*, actor: Any, field: str, value: Any, note: str = "") -> CorrectionRequest:
    """A resident asks for one field of their own registration to be corrected. Whether a typed ID number
    belongs to somebody else is not checked here (that would answer who holds a number): staff see it
    when they accept."""
    from linli.core.text import clean_text

    person = person_of(actor)
    cleaned = correction_value_clean(field, value)
    note = clean_text(note, NOTE_MAX) if note else ""
    with transaction.atomic():
        waiting = (CorrectionRequest.objects.select_for_update()
                   .filter(person=person, status__in=OPEN_STATES).values_list("pk", flat=True))
        if len(list(waiting[:OPEN_PER_PERSON])) >= OPEN_PER_PERSON:
            raise Refused(_("You have %(n)d requests waiting; wait for the community's answer.")
                          % {"n": OPEN_PER_PERSON}, code="too_many_open")
        req = CorrectionRequest.objects.create(
            person=person, requester=actor, place_path=person.place_path, field=field, value=cleaned, note=note,
        )
        event_write(_spec(), req, kind="request", actor=actor, at=req.created_at, to_status=req.status,
                    data={"field": field})
        audit_record(action="privacy.correction_request", actor=actor, target=req, detail={"field": field})
        _tell_staff(req, actor)
    return req


def _tell_staff(req: CorrectionRequest, actor: Any) -> None:
    """The staff over the person hear that a request waits (the daily digest groups these)."""
    from linli.notifications.actions import notice_queue

    notice_queue(user_ids=_deciders(req.place_path), kind="correction_request", ref=f"privacy.correction:{req.pk}",
                 text=_("A resident asks for a correction of their registration."),
                 url=_queue_url(), exclude=getattr(actor, "pk", None))


def _deciders(place_path: str) -> list[int]:
    """The community staff over the person (grid workers, who may decide too, see the queue's count on
    their home page)."""
    from linli.accounts.roles import Role
    from linli.accounts.selectors import users_with_role_over

    return [u.pk for u in users_with_role_over(place_path, Role.COMMUNITY_STAFF)]


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("privacy:corrections")


def _label(field: str) -> str:
    return str(CORRECTABLE_FIELDS.get(field, field))


def _apply_accept(req: Any, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    from linli.residents.actions import person_update

    old_phone = req.person.phone
    person_update(person=req.person, actor=actor, **{req.field: req.value})
    if req.field == "phone":
        _account_phone_follow(req.requester_id, old_phone, req.value)
    req.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    req.decided_at = now
    out = Outcome(data={"field": req.field})
    out.notify.append(("correction_accepted", [req.requester_id],
                       _("Your registration was corrected: %(field)s.") % {"field": _label(req.field)}))
    return out


def _account_phone_follow(user_id: int | None, old: str, new: str) -> None:
    """The login is linked to its registry person by phone (``person_for_user``): when the requester's
    account had the old number, it takes the corrected one (the system acts, at the resident's request;
    audited as ``accounts.user_update``). An account elsewhere with the new number keeps it, and this
    account keeps its old one."""
    from linli.accounts.actions import user_update

    user = user_get(user_id, active=False) if user_id else None
    if user is None or not old or user.phone != old:
        return
    try:
        user_update(user=user, actor=None, changes={"phone": new})
    except Invalid:
        return


def _apply_refuse(req: Any, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    from linli.core.text import clean_text

    reason = clean_text(data.get("reason"), NOTE_MAX)
    if not reason:
        raise Invalid(_("Some required fields are missing."), fields={"reason": [_("This field is required.")]})
    req.reason = reason
    req.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    req.decided_at = now
    out = Outcome(note=reason, data={"field": req.field})
    out.notify.append(("correction_refused", [req.requester_id],
                       _("Your correction of %(field)s was refused: %(reason)s")
                       % {"field": _label(req.field), "reason": reason}))
    return out


def _apply_withdraw(req: Any, actor: Any, data: dict[str, Any], now: DateTime) -> Outcome:
    return Outcome(data={"field": req.field})


APPLY: dict[str, Apply] = {"accept": _apply_accept, "refuse": _apply_refuse, "withdraw": _apply_withdraw}


def _my_data_url(req: Any) -> str:
    from django.urls import reverse

    return reverse("privacy:my_data")


SPEC = Spec(
    model=CorrectionRequest, event_model=CorrectionEvent, event_fk="request", table=CORRECTION_TRANSITIONS,
    apply=APPLY, audit_prefix="privacy.correction", noun=gettext_lazy("correction request"),
    related=("person",), url=_my_data_url, labels={"request": gettext_lazy("Asked for a correction")},
)


def _spec() -> Spec:
    return SPEC


def correction_transition(*, request: Any, name: str, actor: Any, data: dict[str, Any] | None = None):
    """Accept, refuse or withdraw a request (the one runner: scope 404, table 409, who 403, reason 422)."""
    return run(_spec(), obj=request, name=name, actor=actor, data=data)


def correction_value_shown(req: CorrectionRequest) -> str:
    """The asked-for value as pages show it: ID numbers and phones masked, codes by name."""
    from linli.core.codes import ETHNICITY, POLITICAL_STATUS
    from linli.core.masking import mask_id_number, mask_phone
    from linli.residents.selectors import code_name

    if req.field == "id_number":
        return mask_id_number(req.value)
    if req.field == "phone":
        return mask_phone(req.value)
    if req.field == "ethnicity":
        return code_name(ETHNICITY, req.value)
    if req.field == "political_status":
        return code_name(POLITICAL_STATUS, req.value)
    return req.value


# --- anonymisation after the retention period -----------------------------------------------------------------


def retention_days() -> int:
    return max(1, int(getattr(settings, "LINLI_RETENTION_DAYS", 3 * 365)))


def persons_anonymise(*, today: datetime.date | None = None, limit: int = 500, scrub: bool = True) -> dict[str, Any]:
    """Anonymise the persons who moved away or died more than ``LINLI_RETENTION_DAYS`` ago (at most
    ``limit`` a run; the nightly task comes back for the rest). Each app's ``privacy.anonymise(people)``
    blanks what it holds of them (the registry's last: the others find their rows by the person's key,
    login, phone and name), then the log rows (``_actors_anonymise``, ``_audit_anonymise``), all in one
    transaction inside a ``core.append_only.redaction`` window: the append-only tables (the audit log and
    the ledgers) let it blank their free-text columns and nothing else. Counts, amounts, states, dates and
    places stay: every KPI and figure is the same afterwards. Uploaded photos of theirs leave the storage
    once the transaction commits. Then ``database_scrub`` makes the old values leave the database file.
    Returns what was done."""
    from linli.core.append_only import redaction
    from linli.core.crypto import lookup_hashes
    from linli.privacy.selectors import privacy_modules
    from linli.residents import privacy as registry

    today = today or timezone.localdate()
    before = today - datetime.timedelta(days=retention_days())
    ids = registry.retention_due(before, limit)
    done: dict[str, Any] = {"persons": 0, "rows": {}, "scrub": ""}
    if not ids:
        if scrub and _last_scrub_busy():  # the last scrub could not finish: try again
            done["scrub"] = database_scrub()
        return done
    with transaction.atomic(), redaction():
        people: dict[int, dict[str, Any]] = {}
        for p in persons_by_ids(ids).select_for_update(of=("self",)).select_related("place").order_by("id"):
            user_ids = (user_ids_by_phone_hashes(lookup_hashes(p.phone))
                        if p.phone else [])
            people[p.pk] = {"name": p.name, "phone": p.phone, "id_number": p.id_number, "user_ids": user_ids,
                            "before": before, "place_path": p.place_path, "area": _area_of(p),
                            "login_keys": _login_keys(p.phone)}
        for module in privacy_modules():
            if module is registry or not hasattr(module, "anonymise"):
                continue
            done["rows"][module.__name__.split(".")[1]] = module.anonymise(people)
        done["rows"]["privacy"] = _corrections_anonymise(list(people))
        done["persons"] = registry.anonymise(people)
        done["rows"]["actors"] = _actors_anonymise(people)
        done["rows"]["audit"] = _audit_anonymise(people)
        audit_record(action="privacy.persons_anonymise", actor=None, actor_name="system",
                     target_type="residents.person", target_id=f"{len(people)} persons",
                     detail={"persons": sorted(people), "before": before.isoformat(), "rows": done["rows"]})
    if scrub:
        done["scrub"] = database_scrub()
    return done


def _login_keys(phone: str) -> list[str]:
    """The keys under which a refused login typed as this phone was counted and logged
    (``accounts.actions._failure_key``)."""
    from linli.core.crypto import lookup_hashes

    return [f"phone:{h[:16]}" for h in lookup_hashes(phone)] if phone else []


def _area_of(person: Any) -> str:
    """The path of the community the person was registered in (texts naming them are looked for there),
    or the person's own place path."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids

    if not person.place_id:
        return ""
    community = (places_by_ids(person.place.ancestor_ids() + [person.place_id], kinds=[PlaceKind.COMMUNITY])
                 .values_list("path", flat=True).first())
    return community or person.place.path


def anonymised_logins(people: dict[int, dict[str, Any]]) -> list[int]:
    """The logins of these persons that the accounts' hook anonymised (staff and recently used logins keep
    their names)."""
    user_ids = [u for s in people.values() for u in s.get("user_ids") or []]
    return [pk for pk, name in users_by_ids(user_ids).values_list("pk", "username") if name == f"anonymised-{pk}"]


def _actors_anonymise(people: dict[int, dict[str, Any]]) -> int:
    """Every row written by an anonymised login (a model with ``actor`` and ``actor_name``: the apps'
    timelines, the ledgers, the audit log) names it by its new name, and its ``note`` loses the person."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    from linli.core.anonymise import names, rows_scrub

    n = 0
    for subject in people.values():
        uids = set(anonymised_logins({0: subject}))
        if not uids:
            continue
        needles = names(subject)
        for model in apps.get_models():
            try:
                actor = model._meta.get_field("actor")
                model._meta.get_field("actor_name")
            except FieldDoesNotExist:
                continue
            related = getattr(getattr(actor, "related_model", None), "_meta", None)
            if related is None or related.label != settings.AUTH_USER_MODEL:
                continue
            has_note = any(f.name == "note" for f in model._meta.concrete_fields)
            for uid in uids:
                n += rows_scrub(model._default_manager.filter(actor_id=uid), ("note",) if has_note else (),
                                needles, actor_name=f"anonymised-{uid}")
    return n


def _audit_anonymise(people: dict[int, dict[str, Any]]) -> int:
    """Audit rows written before ``audit_repr`` named a person in full, and some details quote what was
    typed: the rows about each person name them as the registry now does (``#id 已**``), and the name, phone
    and ID number leave every row's object name and details."""
    from linli.core.anonymise import containing, names, rows_scrub
    from linli.core.models import AuditEntry

    n = 0
    for person in persons_by_ids(list(people)):
        n += rows_scrub(AuditEntry.objects.filter(target_type="residents.person", target_id=str(person.pk)),
                        (), [], target_repr=person.audit_repr[:200])
    needles = sorted({x for s in people.values() for x in names(s)}, key=len, reverse=True)
    for i in range(0, len(needles), 100):  # SQLite: at most ~1,000 terms in one expression
        chunk = needles[i:i + 100]
        n += rows_scrub(containing(AuditEntry.objects.all(), ("target_repr", "detail"), chunk),
                        ("target_repr", "detail"), needles)
    return n


def _last_scrub_busy() -> bool:
    from linli.core.models import AuditEntry

    last = AuditEntry.objects.filter(action="privacy.database_scrub").order_by("-at", "-id").first()
    return last is not None and str(last.detail.get("result", "")).endswith("-busy")


# The privacy app's own models (the coverage test reads these as it reads every app's privacy.py).
ANONYMISED = {
    "CorrectionRequest": "the asked-for value, the resident's note and the reason blanked",
    "CorrectionEvent": "timeline notes blanked",
}
NOTHING_PERSONAL: dict[str, str] = {}


def _corrections_anonymise(person_ids: list[int]) -> int:
    n = CorrectionRequest.objects.filter(person_id__in=person_ids).update(value="", note="", reason="")
    CorrectionEvent.objects.filter(request__person_id__in=person_ids).update(note="")
    return n


def scrub_tables() -> list[str]:
    """The tables whose rows the anonymisation rewrites (PostgreSQL: rewritten by VACUUM FULL afterwards):
    those of every model an app declares in ``ANONYMISED`` (the same declarations the coverage test reads)."""
    from django.apps import apps

    from linli.privacy.selectors import privacy_modules

    tables = []
    for module in [*privacy_modules(), sys.modules[__name__]]:
        app = module.__name__.split(".")[1]
        for name in getattr(module, "ANONYMISED", {}):
            tables.append(apps.get_model(app, name)._meta.db_table)
    return sorted(set(tables))


def database_scrub() -> str:
    """Make the overwritten values leave the database's files, not only its rows.

    - SQLite: the search index (FTS5) merges its segments (``optimize``: deleted entries leave it), then
      ``VACUUM`` with ``secure_delete`` rewrites the file without free pages, and a
      ``wal_checkpoint(TRUNCATE)`` empties the write-ahead log. Returns "sqlite", or "sqlite-busy" when
      a reader kept the log from being emptied (the next run tries again).
    - PostgreSQL: ``VACUUM FULL`` of the touched tables writes each into a new file (with its indexes) and
      removes the old one. It locks each table while it runs (seconds for a community, longer for a
      city: it runs at night). The write-ahead log and base backups still hold the old rows until they
      are recycled or expire: that is the operator's retention (docs/privacy.md).
    """
    if connection.in_atomic_block:
        return "skipped-in-transaction"
    result = ""
    detail: dict[str, Any] = {}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("INSERT INTO residents_person_search(residents_person_search) VALUES('optimize')")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
        result = "sqlite-busy" if busy else "sqlite"
    elif connection.vendor == "postgresql":
        # VACUUM FULL copies a dead row version that a snapshot older than its deletion may still see:
        # wait (a while) for the snapshots of this database that began before now to end.
        # Whatever else holds the horizon back (a session of another database that affects all horizons,
        # a replication slot, a standby's feedback), VACUUM FULL says so itself: its VERBOSE report counts
        # the "dead row versions [that] cannot be removed yet" it copied. Any such copy makes the result
        # busy, and the next night scrubs again.
        clean = _pg_wait_for_older_snapshots()
        existing = set(connection.introspection.table_names())
        kept = _pg_vacuum_full([t for t in scrub_tables() if t in existing])
        result = "postgresql" if clean and not kept else "postgresql-busy"
        detail["kept_dead_rows"] = kept
    if result:
        audit_record(action="privacy.database_scrub", actor=None, actor_name="system",
                     detail={"result": result, **detail})
    return result


_KEPT_RE = re.compile(r"(\d+) dead row versions cannot be removed yet")


def _pg_vacuum_full(tables: list[str]) -> int:
    """``VACUUM (FULL, VERBOSE)`` of each table; returns how many dead row versions it could not remove
    (read from the server's report, which psycopg hands to a notice handler)."""
    kept = 0

    def on_notice(diag: Any) -> None:
        nonlocal kept
        for text in (diag.message_detail or "", diag.message_primary or ""):
            for m in _KEPT_RE.finditer(text):
                kept += int(m.group(1))

    connection.ensure_connection()
    raw = connection.connection
    raw.add_notice_handler(on_notice)
    try:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM (FULL, VERBOSE) {connection.ops.quote_name(table)}")
    finally:
        raw.remove_notice_handler(on_notice)
    return kept


SNAPSHOT_WAIT_SECONDS = 60


def _pg_wait_for_older_snapshots(seconds: float = SNAPSHOT_WAIT_SECONDS) -> bool:
    """Whether every other session of this database whose snapshot began before now has ended (polled
    for up to ``seconds``)."""
    import time

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current() % 4294967296")
        now_xid = cursor.fetchone()[0]
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL "
                "AND age(backend_xmin) >= age(%s::text::xid)",
                [str(now_xid)],
            )
            if cursor.fetchone()[0] == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
