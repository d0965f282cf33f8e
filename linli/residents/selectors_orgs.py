"""Reads of organisations (shops along the street, companies, schools, units, owners' committees,
property companies) and the compounds they serve: filters, one page, rows for display (contact phone
masked), and what serves a compound now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from linli.core.masking import mask_phone
from linli.places.kinds import CompoundKind, PlaceKind
from linli.places.selectors import places_visible_to
from linli.residents.models import CompoundService, Organisation, OrganisationKind

if TYPE_CHECKING:
    from linli.places.models import Place

MAX_COMPOUND_PATHS = 500  # compounds of one kind a filter ORs together (a street has a few hundred)
STATUS_CLOSED = "closed"
STATUS_ALL = "all"


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""  # part of the name
    kind: str = ""
    compound: int | None = None  # sits in it, or serves it now
    compound_kind: str = ""  # sits in, or serves now, a compound of this kind (三区)
    status: str = ""  # "" active, "closed", "all"

    @classmethod
    def from_params(cls, params: Any) -> OrganisationFilters:
        kind = str(params.get("kind") or "").strip()
        compound_kind = str(params.get("compound_kind") or "").strip()
        status = str(params.get("status") or "").strip()
        return cls(
            q=str(params.get("q") or "").strip()[:60],
            kind=kind if kind in OrganisationKind.values else "",
            compound=_int(params.get("compound")),
            compound_kind=compound_kind if compound_kind in CompoundKind.values else "",
            status=status if status in (STATUS_CLOSED, STATUS_ALL) else "",
        )

    def as_params(self) -> dict[str, str]:
        out = {"q": self.q, "kind": self.kind, "compound": str(self.compound or ""),
               "compound_kind": self.compound_kind, "status": self.status}
        return {k: v for k, v in out.items() if v}


def compound_paths_of_kind(user: Any, kind: str) -> list[str]:
    """The paths of the compounds of this kind (三区) the user may see (bounded)."""
    return list(
        places_visible_to(user).filter(kind=PlaceKind.COMPOUND, compound_kind=kind)
        .order_by("path").values_list("path", flat=True)[:MAX_COMPOUND_PATHS]
    )


def paths_q(field: str, paths: list[str]) -> Q:
    """Rows whose ``field`` lies under any of ``paths``; nothing when the list is empty."""
    if not paths:
        return Q(pk__in=[])
    q = Q(**{f"{field}__prefix": paths[0]})
    for path in paths[1:]:
        q |= Q(**{f"{field}__prefix": path})
    return q


def organisation_search(user: Any, filters: OrganisationFilters | None = None) -> QuerySet[Organisation]:
    f = filters or OrganisationFilters()
    qs = Organisation.objects.visible_to(user)
    if f.status == STATUS_CLOSED:
        qs = qs.filter(active=False)
    elif f.status != STATUS_ALL:
        qs = qs.filter(active=True)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.q:
        qs = qs.filter(name__contains=f.q)
    current = CompoundService.objects.filter(organisation=OuterRef("pk"), end_date__isnull=True)
    if f.compound:
        path = places_visible_to(user).filter(pk=f.compound, kind=PlaceKind.COMPOUND).values_list(
            "path", flat=True).first()
        if path is None:
            return qs.none()
        qs = qs.filter(Q(place_path__prefix=path) | Exists(current.filter(compound_id=f.compound)))
    if f.compound_kind:
        paths = compound_paths_of_kind(user, f.compound_kind)
        qs = qs.filter(paths_q("place_path", paths) | Exists(current.filter(compound__compound_kind=f.compound_kind)))
    return qs


@dataclass
class OrganisationRow:
    id: int
    name: str
    kind: str
    kind_label: str
    address: str
    compound: str
    compound_kind: str
    compound_kind_label: str
    contact_name: str
    contact_phone: str  # masked
    credit_code: str
    active: bool
    serves: list[str]


def organisation_rows(user: Any, orgs: list[Organisation]) -> list[OrganisationRow]:
    """Display rows: address from the place chain (one query), the compounds served now (one query)."""
    from linli.residents.selectors import address_of, place_chain

    chains = place_chain([o.place for o in orgs])
    serves: dict[int, list[str]] = {}
    for org_id, name in (
        CompoundService.objects.filter(organisation__in=[o.pk for o in orgs], end_date__isnull=True)
        .order_by("compound__path").values_list("organisation_id", "compound__name")
    ):
        serves.setdefault(org_id, []).append(name)
    rows = []
    for o in orgs:
        chain = chains.get(o.place_id, [])
        compound = next((p for p in chain if p.kind == PlaceKind.COMPOUND), None)
        ck = (compound.compound_kind or "") if compound is not None else ""
        rows.append(OrganisationRow(
            id=o.pk, name=o.name, kind=o.kind, kind_label=str(o.get_kind_display()), address=address_of(chain),
            compound=compound.name if compound is not None else "", compound_kind=ck,
            compound_kind_label=str(CompoundKind(ck).label) if ck else "", contact_name=o.contact_name,
            contact_phone=mask_phone(o.contact_phone), credit_code=o.credit_code, active=o.active,
            serves=serves.get(o.pk, []),
        ))
    return rows


def organisation_services(organisation: Organisation) -> list[CompoundService]:
    """The compounds the organisation serves or served, current ones first (bounded)."""
    return list(
        organisation.services.select_related("compound").order_by("end_date", "-start_date", "pk")[:200]
    )


def compounds_for(user: Any) -> list[Place]:
    """The compounds the user may see, for pickers (bounded)."""
    return list(
        places_visible_to(user).filter(kind=PlaceKind.COMPOUND)
        .only("id", "name", "path", "compound_kind").order_by("path")[:MAX_COMPOUND_PATHS]
    )


def serving_now(compound_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Per compound, the names of its current property companies and owners' committees (one query). For
    callers that have checked the compounds are visible (the mediation ledger's 红色物业)."""
    out: dict[int, dict[str, list[str]]] = {}
    for compound_id, kind, name in (
        CompoundService.objects.filter(compound_id__in=compound_ids, end_date__isnull=True)
        .order_by("compound_id", "organisation__name").values_list("compound_id", "kind", "organisation__name")
    ):
        entry = out.setdefault(compound_id, {"property_companies": [], "committees": []})
        entry["property_companies" if kind == OrganisationKind.PROPERTY_COMPANY else "committees"].append(name)
    return out
