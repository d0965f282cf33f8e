"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the cases, in JSON and XML.

Service codes are category codes; ``service_request_id`` is the case number. POST files a case through
``case_create`` (channel ``open311``) and needs an API key (``linli open311-key NAME``). GET never shows
private cases nor personal data: each case goes through the one rule for public cases
(``linli.cases.selectors_public``, the progress board's too; docs/privacy.md): no reporter, no contact, no
house, no number nor name in the text, the location rounded to about 100 m.

GET /requests answers at most ``MAX_REQUESTS`` (1,000) requests, newest first, and never cuts without a word:
GeoReport v2 has no paging fields, so the body keeps the spec's format and, when there is more, the answer
carries ``Link: <…&after=N>; rel="next"`` (RFC 8288). A client asks for smaller pages with ``page_size``
(1 to 1,000) and for the next page with that link's ``after`` (the one keyset pager, ``core.api.paged``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from linli.core.api import paged
from linli.core.errors import DomainError
from linli.core.replica import replica_or_primary, replica_reads

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
# Element names of list items in XML, by root element.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}


# --- rendering -----------------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    el = ET.SubElement(parent, name)
    if isinstance(value, list):
        item = ITEMS.get(name, "item")
        for v in value:
            _xml_value(el, item, v)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif value is None:
        return
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    else:
        el.text = str(value)


def render(data: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        if isinstance(data, list):
            for item in data:
                _xml_value(top, ITEMS[root], item)
        else:
            for k, v in data.items():
                _xml_value(top, k, v)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode").encode()
        return HttpResponse(body, content_type=FORMATS["xml"], status=status)
    import orjson

    return HttpResponse(orjson.dumps(data), content_type=FORMATS["json"], status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, root="errors", status=status)


def _fmt(fmt: str) -> str:
    return fmt if fmt in FORMATS else "json"


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- discovery and services ----------------------------------------------------------------------------


@replica_reads
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    base = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": "",
        "key_service": "",
        "endpoints": [
            {"specification": "http://wiki.open311.org/GeoReport_v2", "url": base.rstrip("/"),
             "changeset": "2026-01-01T00:00:00+08:00", "type": "production", "formats": ["text/xml", "application/json"]}
        ],
    }
    return render(data, fmt, root="discovery")


def _categories() -> list[Any]:
    from linli.cases.selectors import category_tree

    out = []
    for parent, children in category_tree():
        for c in children or [parent]:
            if c.active and not c.is_emergency:
                out.append((parent, c))
    return out


@replica_reads
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    rows = [
        {"service_code": c.code, "service_name": c.name, "description": c.keywords or c.name, "metadata": False,
         "type": "realtime", "keywords": c.keywords, "group": parent.name}
        for parent, c in _categories()
    ]
    return render(rows, fmt, root="services")


@replica_reads
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    if not any(c.code == code for _p, c in _categories()):
        return error(fmt, 404, "service_code not found")
    return render({"service_code": code, "attributes": []}, fmt, root="service_definition")


# --- requests ------------------------------------------------------------------------------------------


def _public_row(case: Any, notes: dict[int, str]) -> dict[str, Any]:
    """A case as GeoReport v2 shows it, through the one rule for public cases (``cases.selectors_public``)."""
    from linli.cases.selectors_public import public_case

    shown = public_case(case, notes.get(case.pk, ""))
    return {
        "service_request_id": shown.number,
        "status": "open" if shown.open else "closed",
        "status_notes": shown.reply,
        "service_name": shown.category,
        "service_code": shown.category_code,
        "description": shown.title,
        "agency_responsible": shown.owner,
        "service_notice": "",
        "requested_datetime": _iso(shown.reported_at),
        "updated_datetime": _iso(shown.updated_at),
        "expected_datetime": _iso(shown.handle_due),
        "address": shown.where,
        "address_id": "",
        "zipcode": "",
        "lat": shown.lat,
        "long": shown.lon,
        "media_url": "",
    }


def _public_cases() -> Any:
    from linli.cases.selectors_public import public_cases

    return public_cases()


def _latest_replies(case_ids: list[int]) -> dict[int, str]:
    from linli.cases.selectors import latest_replies

    return latest_replies(case_ids)


def _parse_when(value: str) -> datetime | None:
    dt = parse_datetime(value.replace(" ", "+")) if value else None  # "+" arrives as a space in query strings
    if dt is not None and timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    from linli.cases.workflow import OPEN_STATUSES

    qs = _public_cases()
    params = request.GET
    if params.get("service_request_id"):
        ids = [s.strip() for s in params["service_request_id"].split(",") if s.strip()]
        qs = qs.filter(number__in=ids)
    else:
        start, end = params.get("start_date", ""), params.get("end_date", "")
        start_dt, end_dt = _parse_when(start), _parse_when(end)
        if (start and start_dt is None) or (end and end_dt is None):
            return error(fmt, 400, "start_date and end_date must be w3c datetimes")
        if start_dt is None and end_dt is None:
            start_dt = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start_dt is not None:
            qs = qs.filter(reported_at__gte=start_dt)
        if end_dt is not None:
            qs = qs.filter(reported_at__lte=end_dt)
        if params.get("service_code"):
            qs = qs.filter(category__code__in=[s.strip() for s in params["service_code"].split(",")])
        status = params.get("status", "")
        if status == "open":
            qs = qs.filter(status__in=sorted(OPEN_STATUSES))
        elif status == "closed":
            qs = qs.exclude(status__in=sorted(OPEN_STATUSES))
        elif status:
            return error(fmt, 400, "status must be open or closed")
    size, after = params.get("page_size", str(MAX_REQUESTS)), params.get("after", "")
    after_ok = after == "" or (after.isdigit() and len(after) < 19)
    if not (size.isdigit() and 1 <= int(size) <= MAX_REQUESTS and after_ok):
        return error(fmt, 400, f"page_size must be 1 to {MAX_REQUESTS}; after must be the number of a next link")

    def rows(cases: list[Any]) -> list[dict[str, Any]]:
        notes = _latest_replies([c.pk for c in cases])
        return [_public_row(c, notes) for c in cases]

    page = paged(qs, rows, after=int(after) if after else None, size=int(size), max_size=MAX_REQUESTS,
                 batch=True)
    response = render(page["items"], fmt, root="service_requests")
    if page["next_after"] is not None:
        query = params.copy()
        query["after"] = str(page["next_after"])
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    return response


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    from linli.cases.actions import case_create
    from linli.cases.selectors import address_match
    from linli.open311.actions import open311_key_check

    data = request.POST
    if open311_key_check(data.get("api_key", "")) is None:
        return error(fmt, 403, "api_key is missing or not valid")
    code = data.get("service_code", "").strip()
    if not code:
        return error(fmt, 400, "service_code is required")
    if not any(c.code == code for _p, c in _categories()):
        return error(fmt, 404, "service_code not found")
    lat_text, lon_text = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    if not (lat_text and lon_text) and not address:
        return error(fmt, 400, "lat and long, or address_string, are required")
    try:
        lat = float(lat_text) if lat_text else None
        lon = float(lon_text) if lon_text else None
    except ValueError:
        return error(fmt, 400, "lat and long must be numbers")
    name = " ".join(p for p in (data.get("first_name", "").strip(), data.get("last_name", "").strip()) if p)
    place = address_match(address) if address else None  # a named building routes better than a point
    try:
        case = case_create(
            actor=None, channel="open311", category=code, description=data.get("description", ""),
            lon=lon, lat=lat, place=place, address=address, reporter_name=name,
            reporter_phone=data.get("phone", ""),
        )
    except DomainError as exc:
        return error(fmt, 400, str(exc.message))
    row = {"service_request_id": case.number, "token": case.number, "service_notice": "", "account_id": None}
    return render([row], fmt, root="service_requests", status=201)


@csrf_exempt
@replica_reads
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method != "GET":
        return error(fmt, 405, "GET or POST")
    return _get_requests(request, fmt)


@replica_reads
def request_detail(request: HttpRequest, rid: str, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    case = replica_or_primary(lambda: _public_cases().filter(number=rid).first())
    if case is None:
        return error(fmt, 404, "service_request_id not found")
    return render([_public_row(case, _latest_replies([case.pk]))], fmt, root="service_requests")


@replica_reads
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    fmt = _fmt(fmt)
    case = replica_or_primary(lambda: _public_cases().filter(number=token).first())
    if case is None:
        return error(fmt, 404, "token not found")
    return render([{"service_request_id": case.number, "token": token}], fmt, root="service_requests")
