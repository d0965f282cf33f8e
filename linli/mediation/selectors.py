"""Reads of the mediation app: the ledger (filtered, keyset-paged), one dispute's parties (masked) and its
one timeline (the case's events before it became a dispute, then the dispute's own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.core.masking import mask_name, mask_phone
from linli.mediation.workflow import CLOCK, OPEN, DisputeStatus, event_label

if TYPE_CHECKING:
    from linli.core.rawsql import Read

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass
class DisputeFilters:
    kind: str = ""
    status: str = ""  # a state, "open", "overdue" or "" (all)
    grid: int | None = None
    community: int | None = None
    compound: int | None = None
    month: str = ""  # "2026-05"
    q: str = ""


def month_range(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The local-time bounds of "YYYY-MM", or None when it is not a month."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        return None
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz), dt.datetime.combine(end, dt.time(), tzinfo=tz))


def dispute_queryset(user: Any, f: DisputeFilters | None = None) -> QuerySet[Any]:
    from linli.mediation.models import Dispute

    f = f or DisputeFilters()
    qs = Dispute.objects.visible_to(user)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN)
    elif f.status == "overdue":
        qs = qs.filter(status__in=CLOCK, due_on__lt=timezone.localdate())
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.grid:
        qs = qs.filter(grid_id=f.grid)
    if f.community:
        qs = qs.filter(community_id=f.community)
    if f.compound:
        qs = qs.filter(compound_id=f.compound)
    if f.month:
        bounds = month_range(f.month)
        if bounds is not None:
            qs = qs.filter(reported_at__gte=bounds[0], reported_at__lt=bounds[1])
    if f.q:
        text = f.q.strip()[:50]
        qs = qs.filter(Q(number__startswith=text) | Q(title__icontains=text))
    return qs


def dispute_list(user: Any, f: DisputeFilters | None = None) -> Any:
    """The ledger's disputes with what a row shows, for the one pager (core.ui.page_rows, core.api.paged)."""
    from django.db.models import Prefetch

    from linli.mediation.models import DisputeParty

    return dispute_queryset(user, f).select_related("grid", "community", "lead").prefetch_related(
        Prefetch("parties", queryset=DisputeParty.objects.select_related("person").order_by("role", "id")))


def is_overdue(dispute: Any, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return dispute.status in CLOCK and dispute.due_on is not None and dispute.due_on < today


def light(dispute: Any, today: dt.date | None = None) -> str:
    """red: past the deadline; yellow: three days or less left; green otherwise; "" when no clock runs."""
    if dispute.status not in CLOCK or dispute.due_on is None:
        return ""
    today = today or timezone.localdate()
    if dispute.due_on < today:
        return "red"
    return "yellow" if (dispute.due_on - today).days <= 3 else "green"


@dataclass
class PartyRow:
    id: int
    role: str
    role_label: str
    name: str  # masked
    phone: str  # masked
    registry: bool
    organisation: bool


def party_rows(dispute: Any) -> list[PartyRow]:
    out = []
    for p in sorted(dispute.parties.all(), key=lambda p: (p.role, p.pk)):
        if p.organisation:
            name, phone = p.organisation, mask_phone(p.phone)
        elif p.person_id is not None:
            name, phone = mask_name(p.person.name), mask_phone(p.person.phone)
        else:
            name, phone = mask_name(p.name), mask_phone(p.phone)
        out.append(PartyRow(p.pk, p.role, str(p.get_role_display()), name, phone, p.person_id is not None,
                            bool(p.organisation)))
    return out


def parties_summary(dispute: Any) -> str:
    return "、".join(f"{r.name}" for r in party_rows(dispute))


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    label: str
    actor: str
    note: str
    source: str  # "case" or "dispute"
    data: dict[str, Any] = field(default_factory=dict)


def dispute_timeline(dispute: Any, user: Any) -> list[TimelineEntry]:
    """One timeline: the case's events up to the dispute (through the cases selectors), then the dispute's."""
    entries: list[TimelineEntry] = []
    if dispute.case_id is not None:
        from linli.cases.selectors import case_timeline

        for e in case_timeline(dispute.case, user):
            entries.append(TimelineEntry(e.at, e.kind, str(e.label), e.actor, getattr(e, "note", ""), "case"))
    from linli.core.people import name_actors

    for ev in name_actors(dispute.events.select_related("actor").order_by("at", "id"), masked=False):
        entries.append(TimelineEntry(ev.at, ev.kind, str(event_label(ev.kind)), ev.who, ev.note, "dispute", ev.data))
    entries.sort(key=lambda e: e.at)
    return entries


def status_counts(user: Any) -> dict[str, int]:
    from django.db.models import Count

    from linli.mediation.models import Dispute

    rows = Dispute.objects.visible_to(user).values("status").annotate(n=Count("id"))
    counts = {r["status"]: r["n"] for r in rows}
    counts["open"] = sum(counts.get(s, 0) for s in OPEN)
    counts["overdue"] = dispute_queryset(user, DisputeFilters(status="overdue")).count()
    return counts


STATUS_CHOICES = DisputeStatus.choices
# appended to selectors.py


@dataclass
class CompoundDisputes:
    compound: Any
    property_companies: list[str]  # serving the compound now (the registry's rows)
    committees: list[str]  # the owners' committee serving it now (the registry's rows)
    total: int
    open: int
    mediated: int
    settled: int
    respondents: list[str] = field(default_factory=list)  # organisations named as parties in its disputes

    @property
    def success_rate(self) -> Any:
        from linli.mediation.figures import rate

        return rate(self.settled, self.mediated)


def red_property(user: Any, *, since: dt.datetime | None = None) -> list[CompoundDisputes]:
    """红色物业: the owner–property disputes of each compound in scope (this year by default), with the
    property company and the owners' committee serving the compound now (the registry's organisations and
    their compound services) and the organisations named as parties, worst first."""
    from django.db.models import Count

    from linli.mediation.models import DisputeParty
    from linli.mediation.workflow import DisputeKind, Outcome
    from linli.places.selectors import places_by_ids
    from linli.residents.selectors_orgs import serving_now

    since = since or dt.datetime.combine(timezone.localdate().replace(month=1, day=1), dt.time(),
                                         tzinfo=timezone.get_current_timezone())
    qs = dispute_queryset(user).filter(kind=DisputeKind.PROPERTY, compound__isnull=False, reported_at__gte=since)
    rows = list(qs.values("compound_id").annotate(
        total=Count("id"), open=Count("id", filter=Q(status__in=OPEN)),
        mediated=Count("id", filter=~Q(outcome="")), settled=Count("id", filter=Q(outcome=Outcome.SETTLED)),
    ).order_by("-open", "-total")[:500])
    ids = [r["compound_id"] for r in rows]
    compounds = places_by_ids(ids).in_bulk()
    serving = serving_now(ids)
    named: dict[int, set[str]] = {}
    for cid, name in DisputeParty.objects.filter(dispute__in=qs).exclude(organisation="").values_list(
            "dispute__compound_id", "organisation").distinct()[:2000]:
        named.setdefault(cid, set()).add(name)
    out = []
    for r in rows:
        now_serving = serving.get(r["compound_id"], {"property_companies": [], "committees": []})
        out.append(CompoundDisputes(
            compounds[r["compound_id"]], now_serving["property_companies"], now_serving["committees"],
            r["total"], r["open"], r["mediated"], r["settled"], sorted(named.get(r["compound_id"], ())),
        ))
    return out


def compound_dispute_counts(user: Any, compound_ids: list[int], *, since: dt.datetime | None = None,
                            ) -> dict[int, dict[str, int]]:
    """For the compounds' profile: per compound, its disputes this year (by default) that the user may see,
    open ones, the owner–property ones and those still open. One query."""
    from django.db.models import Count

    from linli.mediation.workflow import DisputeKind

    since = since or dt.datetime.combine(timezone.localdate().replace(month=1, day=1), dt.time(),
                                         tzinfo=timezone.get_current_timezone())
    rows = (
        dispute_queryset(user).filter(compound_id__in=list(compound_ids), reported_at__gte=since)
        .values("compound_id")
        .annotate(total=Count("id"), open=Count("id", filter=Q(status__in=OPEN)),
                  property=Count("id", filter=Q(kind=DisputeKind.PROPERTY)),
                  property_open=Count("id", filter=Q(kind=DisputeKind.PROPERTY, status__in=OPEN)))
        .order_by()
    )
    return {r.pop("compound_id"): r for r in rows}


def settle_rates(paths: dict[Any, str], *, since: dt.date, until: dt.date) -> dict[Any, dict[str, Any]]:
    """For the street's rankings (evaluation): per place (key → its path), the disputes reported in the
    period under it that mediation finished (an outcome), those that reached an agreement, and the rate
    (agreed ÷ finished, 0..1; None when nothing finished). Not scoped by a user: the caller ranks places it
    already scoped. One grouped query, whatever the number of places."""
    from django.db.models import Count

    from linli.core.access import path_owner, paths_q
    from linli.mediation.models import Dispute
    from linli.mediation.workflow import Outcome

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    counts: dict[Any, list[int]] = {key: [0, 0] for key in paths}
    owner = path_owner(paths)
    rows = (Dispute.objects.filter(paths_q("place_path", paths.values()), reported_at__gte=start, reported_at__lt=end)
            .exclude(outcome="").values("place_path").order_by()
            .annotate(finished=Count("id"), settled=Count("id", filter=Q(outcome=Outcome.SETTLED))))
    for row in rows:
        key = owner(row["place_path"])
        if key is not None:
            counts[key][0] += row["finished"]
            counts[key][1] += row["settled"]
    return {key: {"finished": f, "settled": s, "rate": round(s / f, 4) if f else None}
            for key, (f, s) in counts.items()}


def dispute_stats(*, place_path: str, since: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """For the big screen and the monthly report: disputes under ``place_path`` registered in [since, until)
    (aware datetimes), those whose mediation ended in the period with an agreement or without one, and
    those open now (registered, accepted, mediating). Not scoped by a user: the callers let in only readers
    whose scope covers the place."""
    from linli.core.rawsql import read_one

    return read_one(dispute_stats_read(place_path=place_path, since=since, until=until))


def dispute_stats_read(*, place_path: str, since: dt.datetime, until: dt.datetime) -> Read:
    """``dispute_stats`` as a read the big screen sends with others (``rawsql.read_together``)."""
    from linli.core.rawsql import Read, dt_param, literals, under
    from linli.mediation.models import Dispute
    from linli.mediation.workflow import Outcome

    # Plain SQL: the screen asks every 30 s, and the ORM's aggregates cost more to build than to answer.
    where, params = under("place_path", place_path)
    start, end = dt_param(since), dt_param(until)
    ended = "outcome_at >= %s AND outcome_at < %s AND outcome = "
    return Read(
        "SELECT COALESCE(SUM(CASE WHEN reported_at >= %s AND reported_at < %s THEN 1 ELSE 0 END), 0),"  # noqa: S608 (literals and table names only; values are parameters)
        f" COALESCE(SUM(CASE WHEN {ended}{literals([Outcome.SETTLED])} THEN 1 ELSE 0 END), 0),"
        f" COALESCE(SUM(CASE WHEN {ended}{literals([Outcome.FAILED])} THEN 1 ELSE 0 END), 0),"
        f" COALESCE(SUM(CASE WHEN status IN ({literals(OPEN)}) THEN 1 ELSE 0 END), 0)"
        f" FROM {Dispute._meta.db_table} WHERE {where}",
        [start, end, start, end, start, end, *params], 4,
        lambda row: {"received": int(row[0]), "settled": int(row[1]), "failed": int(row[2]), "open": int(row[3])})
