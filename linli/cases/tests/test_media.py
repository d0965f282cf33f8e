"""Case photos at /media/cases/...: whoever may see the case sees its photos; anybody else gets 404."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from linli.core.testing.personas import PASSWORD

PHONE = "13912345678"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LINLI_MEDIA_ACCEL_PREFIX = ""


def _url(photo) -> str:
    return photo.image.url


def _get(client, user, url):
    client.logout()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client.get(url)


@pytest.fixture
def by_login(make_case, resident):
    case = make_case(actor=resident, photos=[_jpeg()])
    return case, case.photos.get()


@pytest.fixture
def by_phone(make_case):
    """Filed by a resident without an account, identified by phone (the system door here)."""
    case = make_case(actor=None, reporter_phone=PHONE, photos=[_jpeg()])
    assert case.reporter_id is None
    return case, case.photos.get()


def test_the_photo_url_is_the_protected_view(by_login):
    _case, photo = by_login
    assert _url(photo).startswith("/media/cases/")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 200),
        ("grid_worker_a", 200),
        ("community_staff", 200),
        ("street_supervisor", 200),
        ("grid_worker_b", 404),
        ("outsider", 404),
        ("department_staff", 404),
        ("anonymous", 404),
    ],
)
def test_a_reported_photo_by_persona(client, request, by_login, who, status):
    _case, photo = by_login
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = _get(client, user, _url(photo))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline")
        assert response["Cache-Control"] == "private"


def test_the_reporter_identified_by_phone_in_the_session_sees_it(client, by_phone):
    _case, photo = by_phone
    assert client.get(_url(photo)).status_code == 404
    session = client.session
    session["cases_phone"] = PHONE
    session.save()
    assert client.get(_url(photo)).status_code == 200


def test_another_phone_in_the_session_does_not(client, by_phone):
    _case, photo = by_phone
    session = client.session
    session["cases_phone"] = "13700000000"
    session.save()
    assert client.get(_url(photo)).status_code == 404


def test_a_login_with_the_reporters_phone_sees_it(client, world, by_phone):
    from linli.core.testing.personas import make_user

    owner = make_user("phone_owner", "resident", place=world.grid_a, phone=PHONE)
    assert _get(client, owner, _url(by_phone[1])).status_code == 200


def test_a_summoned_department_sees_it(client, by_login, community_staff, department_staff, world):
    from linli.cases.actions import case_accept, case_transition

    case, photo = by_login
    assert _get(client, department_staff, _url(photo)).status_code == 404
    case_accept(case=case, actor=community_staff)
    case_transition(
        case=case, name="summon", actor=community_staff, data={"departments": [world.department.pk], "instruction": "请到场处置"}
    )
    assert _get(client, department_staff, _url(photo)).status_code == 200


def test_a_photo_on_an_internal_note_is_for_staff_only(client, by_login, resident, grid_worker_a):
    from django.utils import timezone

    from linli.cases.actions import case_transition, photos_attach

    # No action attaches photos to a note today; the rule holds should one ever do.
    case, _photo = by_login
    case_transition(case=case, name="comment", actor=grid_worker_a, data={"note": "内部照片"})
    event = case.events.get(kind="comment")
    [internal] = photos_attach(
        case=case, files=[_jpeg()], actor=grid_worker_a, event=event, now=timezone.now()
    )
    assert internal.event.kind == "comment" and not internal.event.reply
    assert _get(client, grid_worker_a, _url(internal)).status_code == 200
    assert _get(client, resident, _url(internal)).status_code == 404


def test_report_back_photos_reach_the_reporter(client, case_in_state, resident, grid_worker_a):
    from linli.cases.actions import case_report

    case = case_in_state("handling")
    case_report(case=case, actor=grid_worker_a, reply="已修复", photos=[_jpeg()])
    photo = case.photos.get(event__kind="report")
    assert _get(client, resident, _url(photo)).status_code == 200


def test_a_renamed_or_foreign_name_is_404(client, by_login, grid_worker_a):
    case, photo = by_login
    folder = photo.image.name.rsplit("/", 1)[0]
    assert _get(client, grid_worker_a, f"/media/{folder}/{case.pk}-000000000000.jpg").status_code == 404
    assert _get(client, grid_worker_a, f"/media/{folder}/{case.number}-000000000000.jpg").status_code == 404
    assert _get(client, grid_worker_a, f"/media/{folder}/nothing.jpg").status_code == 404


def test_a_photo_stored_under_the_case_number_before_issue_18_still_opens(client, by_login, grid_worker_a, settings):
    """Photos saved before the number was drawn last are named by the case number."""
    from linli.cases.models import CasePhoto

    case, photo = by_login
    folder, _name = photo.image.name.rsplit("/", 1)
    old_name = f"{folder}/{case.number}-0123456789ab.jpg"
    (settings.MEDIA_ROOT / old_name).write_bytes((settings.MEDIA_ROOT / photo.image.name).read_bytes())
    CasePhoto.objects.filter(pk=photo.pk).update(image=old_name)
    assert _get(client, grid_worker_a, f"/media/{old_name}").status_code == 200


def test_the_public_board_shows_no_photo(client, by_login):
    from linli.cases.selectors_public import PublicCase

    assert "photo" not in " ".join(PublicCase.__dataclass_fields__)
    assert client.get(_url(by_login[1])).status_code == 404
