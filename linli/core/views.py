"""Core views: /healthz (database and worker status)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from linli.core.models import WorkerHeartbeat


def database_status() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


def worker_status() -> dict:
    beat = WorkerHeartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    if beat is None:
        return {"status": "unknown", "last_beat": None}
    age = timezone.now() - beat
    stale = age > timedelta(seconds=settings.LINLI_WORKER_STALE_SECONDS)
    return {"status": "stale" if stale else "ok", "last_beat": beat.isoformat(), "age_s": int(age.total_seconds())}


@never_cache
@require_GET
def healthz(request):
    db = database_status()
    worker = worker_status() if db["status"] == "ok" else {"status": "unknown", "last_beat": None}
    ok = db["status"] == "ok"
    body = {"status": "ok" if ok and worker["status"] == "ok" else ("degraded" if ok else "error"),
            "database": db, "worker": worker}
    return JsonResponse(body, status=200 if ok else 503)


def _require(request, perm: str | None = None, roles: set[str] | None = None):
    from django.core.exceptions import PermissionDenied

    user = request.user
    if not user.is_authenticated:
        return False
    if perm and perm not in getattr(user, "perms", ()):
        raise PermissionDenied
    if roles and not (roles & getattr(user, "role_set", frozenset())):
        raise PermissionDenied
    return True


def audit_log(request):
    """The audit log: readable by the audit administrator only. Filters by action, actor, result, dates."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from linli.core.audit import audit_record
    from linli.core.models import AuditEntry

    if not _require(request, perm="audit.view"):
        return redirect_to_login(request.get_full_path())
    qs = AuditEntry.objects.all()
    filters = {k: request.GET.get(k, "").strip() for k in ("action", "actor", "result", "since", "until")}
    if filters["action"]:
        qs = qs.filter(action__startswith=filters["action"])
    if filters["actor"]:
        qs = qs.filter(actor_name__iexact=filters["actor"])
    if filters["result"]:
        qs = qs.filter(result=filters["result"])
    if filters["since"]:
        qs = qs.filter(at__date__gte=filters["since"])
    if filters["until"]:
        qs = qs.filter(at__date__lte=filters["until"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit_record(action="core.audit_view", actor=request.user, detail={"filters": {k: v for k, v in filters.items() if v}})
    return render(request, "core/audit_log.html", {"page": page, "filters": filters})


def calendar_view(request):
    """The holiday calendar (public holidays and make-up working days), by year."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import render

    from linli.core.models import CalendarDay

    if not _require(request, roles={"system_admin", "street_supervisor", "community_staff"}):
        return redirect_to_login(request.get_full_path())
    years = sorted({d.year for d in CalendarDay.objects.values_list("date", flat=True)})
    year = int(request.GET.get("year") or (years[-1] if years else timezone.localdate().year))
    days = CalendarDay.objects.filter(date__year=year)
    return render(request, "core/calendar.html", {"days": days, "years": years, "year": year})
