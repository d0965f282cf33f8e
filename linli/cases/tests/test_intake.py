"""Filing a case: numbers, routing that explains itself, deadlines set, photos cleaned, emergency
categories blocked, personal data protected, hotline tickets filed once."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from linli.cases.actions import case_create, case_number_next
from linli.cases.models import Case, CaseEvent, CasePhoto
from linli.cases.routing import MSG_MANY_WORKERS, routing_steps
from linli.core.errors import Invalid, PermissionDenied
from linli.core.models import AuditEntry


def square(x0, y0, size=0.01):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size],
                                                [x0, y0]]]}


@pytest.fixture
def mapped(world):
    from linli.places import geo
    from linli.places.actions import place_set_geometry

    place_set_geometry(place=world.grid_a, geometry=square(120.10, 30.20), actor=None)
    place_set_geometry(place=world.grid_b, geometry=square(120.12, 30.20), actor=None)
    geo.reset_index()
    return world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg_with_exif(size=(64, 48)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "GPS-leaking-software"  # Software
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_numbers_are_per_year_and_consecutive(make_case):
    first, second = make_case(), make_case()
    year = first.reported_at.astimezone().year
    # The personas' street carries the county code 330102: numbers count per district and year.
    assert first.number == f"{year}-330102-000001" and second.number == f"{year}-330102-000002"
    assert case_number_next(2031) == "2031-000001"
    assert case_number_next(2031, "330102") == "2031-330102-000001"


@pytest.mark.django_db(transaction=True)
def test_numbers_drawn_at_once_never_collide(db):
    from django.db import connection, transaction

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers (IMMEDIATE transactions); covered by the PostgreSQL run")
    numbers: list[str] = []
    barrier = threading.Barrier(4)

    def draw():
        from django.db import connections

        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(case_number_next(2040))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"2040-{n:06d}" for n in range(1, 21)]


def test_routing_by_location_finds_the_grid_and_its_worker(mapped, categories, resident, grid_worker_a):
    case = case_create(actor=resident, category="MUNI.STREETLIGHT", description="路灯不亮", lon=120.105, lat=30.205)
    assert case.grid == mapped.grid_a and case.community == mapped.community
    assert case.place_path == mapped.grid_a.path
    assert case.suggested_user == grid_worker_a
    steps = routing_steps(case.routing)
    assert any("120.10500" in s and "第一网格" in s for s in steps)
    assert any("worker_a" in s for s in steps)


def test_routing_explanation_is_shown_in_the_readers_language(mapped, categories, resident, grid_worker_a):
    from django.utils import translation

    case = case_create(actor=resident, category="MUNI.STREETLIGHT", description="路灯不亮", lon=120.105, lat=30.205)
    with translation.override("zh-hans"):
        chinese = routing_steps(case.routing)
    with translation.override("en"):
        english = routing_steps(case.routing)
    assert "位置（120.10500, 30.20500）位于第一网格。" in chinese
    assert "The location (120.10500, 30.20500) lies in 第一网格." in english


def test_routing_by_building_uses_the_buildings_grid(world, categories, resident, grid_worker_b):
    from linli.places.actions import place_create

    building = place_create(kind="building", name="3幢", parent=world.grid_b, actor=None)
    case = case_create(actor=resident, category="PROP.LIFT", description="电梯停了", place=building, channel="qr")
    assert case.place == building and case.grid == world.grid_b
    assert case.place_path == building.path
    assert case.suggested_user == grid_worker_b


def test_routing_prefers_the_categorys_department(world, categories, resident, grid_worker_a, community_staff):
    from linli.cases.actions import case_accept, case_dispatch, category_update

    category_update(category=categories["BUILD.ILLEGAL"], default_department=world.department, actor=community_staff)
    case = case_create(actor=resident, category="BUILD.ILLEGAL", description="楼顶加盖", place=world.grid_a)
    assert case.suggested_department == world.department
    assert any("测试城管中队" in s for s in routing_steps(case.routing))
    case = case_dispatch(case=case_accept(case=case, actor=community_staff), actor=community_staff)
    assert case.owner_kind == "department" and case.owner_department == world.department


def test_several_workers_the_one_with_fewest_open_cases_is_suggested(world, categories, make_case, grid_worker_a):
    from linli.cases.actions import case_accept, case_dispatch
    from linli.core.testing.personas import make_user

    second = make_user("worker_a2", "grid_worker", place=world.grid_a)
    # worker_a (lower id) gets one open case; the next suggestion is the second worker.
    staff = make_user("desk", "community_staff", place=world.community)
    busy = make_case()
    case_dispatch(case=case_accept(case=busy, actor=staff), actor=staff, owner_kind="grid_worker", owner_user=grid_worker_a)
    case = make_case()
    assert case.suggested_user == second
    assert {"msg": MSG_MANY_WORKERS, "params": {"grid": "第一网格", "n": 2, "worker": "worker_a2"}} in case.routing


def test_location_outside_every_grid_is_refused(mapped, categories, resident):
    with pytest.raises(Invalid) as exc:
        case_create(actor=resident, category="MUNI.STREETLIGHT", description="路灯", lon=100.0, lat=20.0)
    assert exc.value.code == "unroutable"
    assert not Case.objects.exists()


def test_emergency_category_blocks_filing_and_shows_its_notice(world, categories, resident):
    with pytest.raises(Invalid) as exc:
        case_create(actor=resident, category="SAFE.GAS", description="闻到煤气味", place=world.grid_a)
    assert exc.value.code == "emergency"
    assert "119" in str(exc.value.message)
    assert not Case.objects.exists()


def test_deadlines_are_set_at_filing(make_case):
    case = make_case()
    assert case.status == "reported"
    assert case.handle_due > case.reported_at and case.feedback_due > case.reported_at
    assert case.sign_due is None  # the sign clock starts at dispatch


def test_filing_writes_the_created_event_and_an_audit_row_without_the_phone(make_case, resident):
    case = make_case(actor=resident, reporter_phone="138 1234 5678")
    assert case.reporter_phone == "13812345678"
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "created" and event.to_status == "reported"
    entry = AuditEntry.objects.get(action="cases.case_create", target_id=str(case.pk))
    assert "13812345678" not in str(entry.detail) and entry.detail["reporter_phone"] == "138****5678"


def test_the_phone_is_stored_encrypted_with_a_lookup_hash(make_case, resident):
    from django.db import connection

    from linli.core.crypto import lookup_hashes

    case = make_case(actor=resident, reporter_phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored
    assert Case.objects.filter(reporter_phone_hash__in=lookup_hashes("13812345678")).get() == case


def test_photos_are_stored_without_exif(make_case, resident):
    case = make_case(actor=resident, photos=[jpeg_with_exif(), jpeg_with_exif((4000, 100))])
    photos = list(CasePhoto.objects.filter(case=case))
    assert len(photos) == 2
    for photo in photos:
        data = photo.image.read()
        assert b"SecretCam" not in data and b"GPS-leaking" not in data
        with Image.open(io.BytesIO(data)) as img:
            assert not img.getexif()
            assert max(img.size) <= 2048
    assert photos[0].event.kind == "created"


def test_more_than_nine_photos_or_a_non_image_are_refused(make_case, resident):
    with pytest.raises(Invalid):
        make_case(actor=resident, photos=[jpeg_with_exif()] * 10)
    with pytest.raises(Invalid):
        make_case(actor=resident, photos=[b"not an image"])
    assert not Case.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(make_case, resident, settings):
    from linli.core.errors import TooLarge

    settings.LINLI_PHOTO_MAX_BYTES = 1000
    with pytest.raises(TooLarge):
        make_case(actor=resident, photos=[jpeg_with_exif((400, 400))])


def test_a_hotline_ticket_filed_twice_is_one_case(make_case):
    first = make_case(external_id="12345-20260930-0001")
    again = make_case(external_id="12345-20260930-0001", title="重复导入")
    assert again.pk == first.pk and Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=first).count() == 1


def test_staff_doors_and_system_doors(world, categories, resident, grid_worker_a):
    with pytest.raises(PermissionDenied):
        case_create(actor=resident, category="OTHER", description="x", place=world.grid_a, channel="patrol")
    with pytest.raises(PermissionDenied):
        case_create(actor=grid_worker_a, category="OTHER", description="x", place=world.grid_a, channel="hotline")
    patrol = case_create(actor=grid_worker_a, category="OTHER", description="巡查发现", place=world.grid_a,
                         channel="patrol")
    assert patrol.reporter is None and patrol.created_by == grid_worker_a


def test_proxy_entry_keeps_the_residents_contact(world, categories, community_staff):
    case = case_create(actor=community_staff, category="OTHER", description="电话反映", place=world.grid_a,
                       channel="proxy", reporter_name="王大妈", reporter_phone="13900001111")
    assert case.reporter is None and case.created_by == community_staff
    assert case.reporter_name == "王大妈" and case.has_contact
