"""Certificates (证明): issued when an application of a certificate service is done, numbered per community
and year (〔2026〕某社区证字第00012号), with a random code for the public check at ``/v/<code>``; revoked
by hall staff with a reason (the check then says so)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.hall.actions._common import clean_text, notify
from linli.hall.workflow import PERM_CLASSES, PERM_HANDLE

CODE_BYTES = 16  # 128 bits: a code cannot be guessed


def serial_next(*, community: Any, year: int) -> int:
    """Draw the next serial number of ``community`` in ``year`` (inside the caller's transaction; the
    counter row is locked, so two issuers never draw the same number)."""
    from linli.hall.models import CertificateSerial

    try:
        with transaction.atomic():
            CertificateSerial.objects.get_or_create(community=community, year=year)
    except IntegrityError:  # another issuer created the row first
        pass
    CertificateSerial.objects.filter(community=community, year=year).update(last=F("last") + 1)
    return CertificateSerial.objects.select_for_update().get(community=community, year=year).last


def _fill(template: str, **values: str) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def certificate_create(
    *, community: Any, title: str, holder_name: str, text: str, actor: Any, now: datetime | None = None,
    application: Any = None, enrolment: Any = None,
):
    """Number and record a certificate (the one numbering, per community and year, and the one random code
    of the public check) for a done application or a completed class enrolment."""
    from linli.hall.models import Certificate

    now = now or timezone.now()
    year = timezone.localtime(now).year
    serial = serial_next(community=community, year=year)
    cert = Certificate.objects.create(
        application=application,
        enrolment=enrolment,
        community=community,
        year=year,
        serial=serial,
        number=f"〔{year}〕{community.name}证字第{serial:05d}号",
        code=secrets.token_urlsafe(CODE_BYTES),
        title=title,
        holder_name=holder_name,
        text=text,
        issuer_name=f"{community.name}居民委员会",
        issued_at=now,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    subject = {"application": application.pk} if application is not None else {"enrolment": enrolment.pk}
    audit_record(action="hall.certificate_issue", actor=actor, actor_name="" if actor else "system", target=cert,
                 detail={"number": cert.number, **subject})
    return cert


def certificate_issue(*, application: Any, actor: Any, purpose: str = "", now: datetime | None = None):
    """The certificate of a done application (called by ``complete``)."""
    service = application.service
    return certificate_create(
        community=application.community,
        title=service.name,
        holder_name=application.applicant_name,
        text=_fill(
            service.certificate_text or "",
            name=application.applicant_name,
            address=application.address or "—",
            purpose=purpose or "—",
        ),
        actor=actor,
        now=now,
        application=application,
    )


def certificate_revoke(*, certificate: Any, actor: Any, reason: str):
    """Hall staff over the application's place revoke a certificate; the public check says so from then on."""
    from linli.hall.models import Certificate

    reason = clean_text(reason, limit=500)
    if not reason:
        raise Invalid(_("Give the reason for revoking."), fields={"reason": [_("This field is required.")]})
    pk = getattr(certificate, "pk", certificate)
    with transaction.atomic():
        base = Certificate.objects.visible_to(actor) if actor is not None else Certificate.objects.all()
        if not base.filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        if actor is not None and not ({PERM_HANDLE, PERM_CLASSES} & getattr(actor, "perms", frozenset())):
            raise PermissionDenied(_("You may not revoke certificates."))
        cert = (
            Certificate.objects.select_related("application", "enrolment").select_for_update(of=("self",)).get(pk=pk)
        )
        perm = PERM_HANDLE if cert.application_id is not None else PERM_CLASSES
        if actor is not None and (perm not in actor.perms or not actor.scope.covers_path(cert.subject_path)):
            raise PermissionDenied(_("You may not revoke certificates."))
        if cert.revoked_at is not None:
            raise Refused(_("This certificate is already revoked."), code="refused_transition")
        now = timezone.now()
        Certificate.objects.filter(pk=cert.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor if getattr(actor, "is_authenticated", False) else None, revoke_reason=reason
        )
        cert.refresh_from_db()
        audit_record(action="hall.certificate_revoke", actor=actor, actor_name="" if actor else "system", target=cert,
                     detail={"number": cert.number, "reason": reason})
        ref = (f"hall.application:{cert.application_id}" if cert.application_id is not None
               else f"hall.course:{cert.enrolment.course_id}")  # type: ignore[union-attr]
        notify(ref=ref, kind="revoke", user_ids=[cert.holder_id],
               text=_("Your certificate %(number)s was revoked: %(reason)s") % {"number": cert.number, "reason": reason},
               exclude=getattr(actor, "pk", None))
    return cert


def certificate_check(code: str) -> dict[str, Any] | None:
    """What the public check shows for a code: genuine or revoked, who issued it, when. Nothing else
    (no name, no text): a scanned paper needs no personal data confirmed by the web."""
    from linli.hall.models import Certificate

    code = str(code or "")[:64]
    cert = Certificate.objects.filter(code=code).only("number", "issuer_name", "issued_at", "revoked_at", "title").first()
    if cert is None:
        return None
    return {
        "genuine": cert.revoked_at is None,
        "revoked": cert.revoked_at is not None,
        "revoked_at": cert.revoked_at,
        "issuer": cert.issuer_name,
        "issued_at": cert.issued_at,
        "title": cert.title,
        "number": cert.number,
    }
