"""Placing an order: who may, where it goes, bad input, photos without EXIF, notices after commit."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from linli.core.errors import Invalid, PermissionDenied, Refused
from linli.core.models import AuditEntry
from linli.orders import actions
from linli.orders.models import OrderEvent, ServiceOrder
from linli.orders.tests.service_fixtures import make_order, svc  # noqa: F401


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (80, 60), (200, 100, 50))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_the_order_goes_to_the_branch_over_the_place_with_a_dispatch_deadline(svc):  # noqa: F811
    order = make_order(svc)
    assert order.org_id == svc.branch.pk and order.place_path == svc.world.grid_a.path
    assert order.dispatch_due is not None and order.dispatch_due > order.placed_at
    assert OrderEvent.objects.get(order=order).kind == "place"
    assert AuditEntry.objects.filter(action="party.order_place", target_id=str(order.pk)).exists()


def test_without_a_branch_the_committee_dispatches(svc):  # noqa: F811
    order = actions.order_place(
        actor=None, category="other", description="x", address="y", place=svc.world.grid_b
    )
    assert order.org_id == svc.committee.pk


def test_bad_input_writes_nothing(svc):  # noqa: F811
    with pytest.raises(Invalid) as err:
        actions.order_place(actor=svc.resident, category="nonsense", description=" ", address="")
    assert {"category", "description", "address"} <= set(err.value.fields)
    assert not ServiceOrder.objects.exists()


def test_a_user_without_the_permission_cannot_order(svc):  # noqa: F811
    from linli.core.testing.personas import make_user

    nobody = make_user("dept_x", "department_staff", department=svc.world.department)
    with pytest.raises(PermissionDenied):
        actions.order_place(actor=nobody, category="other", description="x", address="y")


def test_staff_order_only_inside_their_area(svc):  # noqa: F811
    with pytest.raises(Invalid):
        actions.order_place(
            actor=svc.outsider,
            category="other",
            description="x",
            address="y",
            requester_name="赵大爷",
            place=svc.world.grid_a,
        )
    order = actions.order_place(
        actor=svc.staff,
        category="other",
        description="x",
        address="y",
        requester_name="赵大爷",
        place=svc.world.grid_a,
    )
    assert order.requester_id is None and order.placed_by_id == svc.staff.pk


def test_photos_are_stored_without_exif(svc, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    order = actions.order_place(
        actor=svc.resident, category="plumbing", description="漏水", address="1幢", photo=_jpeg_with_exif()
    )
    assert order.photo.name.endswith(".jpg")
    assert not Image.open(order.photo.path).getexif()
    actions.order_dispatch(order=order, member=svc.member1, actor=svc.secretary)
    actions.order_accept(order=order, actor=svc.m1)
    done = actions.order_done(order=order, actor=svc.m1, note="好了", hours="1", photo=_jpeg_with_exif())
    done.refresh_from_db()
    assert done.done_photo.name and not Image.open(done.done_photo.path).getexif()


def test_a_bad_photo_is_refused(svc):  # noqa: F811
    with pytest.raises(Invalid) as err:
        actions.order_place(
            actor=svc.resident, category="plumbing", description="漏水", address="1幢", photo=b"not a photo"
        )
    assert "photo" in err.value.fields
    assert not ServiceOrder.objects.exists()


def test_notices_are_queued_by_the_transition_and_not_by_a_refused_one(svc):  # noqa: F811
    from linli.notifications.models import Notice

    order = make_order(svc)
    actions.order_dispatch(order=order, member=svc.member1, actor=svc.secretary)
    told = Notice.objects.get(user=svc.m1, kind="dispatch")
    assert told.ref == f"party.order:{order.pk}" and told.url == f"/party/orders/{order.pk}"
    with pytest.raises(Refused):
        actions.order_done(order=order, actor=svc.m1, note="x", hours="1")  # not accepted yet: refused
    assert not Notice.objects.filter(kind="done").exists()
