"""Correction requests (PIPL Art. 46): a resident names a field and the right value; staff over the
person accept (applied through the registry's ``person_update``, audited) or refuse with a reason; the
resident is told through the outbox. Every (state, action) pair of the table, the access matrix, and bad
values that change nothing."""

from __future__ import annotations

from datetime import date as _date

import pytest

from linli.accounts.tests.conftest import bearer, issue_token
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.idnumber import make_id_number
from linli.core.models import AuditEntry
from linli.core.testing.personas import make_user
from linli.notifications.models import Notice
from linli.privacy.actions import correction_request, correction_transition
from linli.privacy.models import CorrectionEvent, CorrectionRequest
from linli.privacy.workflow import CORRECTION_TRANSITIONS, CorrectionStatus

from .conftest import PHONE, login

NEW_PHONE = "13966667777"


@pytest.fixture
def asked(me):
    return correction_request(actor=me.user, field="phone", value=NEW_PHONE, note="换号了")


def _decider(name, state, me, community_staff):
    return me.user if name == "withdraw" else community_staff


def _in_state(state, me, community_staff):
    req = correction_request(actor=me.user, field="current_address", value="明月小区1栋101室")
    to = {"accepted": "accept", "refused": "refuse", "withdrawn": "withdraw"}.get(state)
    if to:
        correction_transition(request=req, name=to, actor=_decider(to, state, me, community_staff),
                              data={"reason": "材料不全"})
    return CorrectionRequest.objects.get(pk=req.pk)


@pytest.mark.parametrize("state", CorrectionStatus.values)
@pytest.mark.parametrize("name", list(CORRECTION_TRANSITIONS))
def test_every_state_action_pair(state, name, me, community_staff):
    req = _in_state(state, me, community_staff)
    t = CORRECTION_TRANSITIONS[name]
    actor = _decider(name, state, me, community_staff)
    events = CorrectionEvent.objects.filter(request=req).count()
    if state in t.sources:
        done = correction_transition(request=req, name=name, actor=actor, data={"reason": "材料不全"})
        assert done.status == t.target
        assert CorrectionEvent.objects.filter(request=req).count() == events + 1
        assert AuditEntry.objects.filter(action=f"privacy.correction_{name}", target_id=str(req.pk)).exists()
    else:
        with pytest.raises(Refused) as info:
            correction_transition(request=req, name=name, actor=actor, data={"reason": "材料不全"})
        assert info.value.code == "refused_transition"
        assert CorrectionRequest.objects.get(pk=req.pk).status == state
        assert CorrectionEvent.objects.filter(request=req).count() == events


def test_request_writes_event_audit_and_tells_the_staff(community_staff, asked, me):
    assert asked.status == CorrectionStatus.REQUESTED and asked.place_path == me.person.place_path
    assert asked.value == NEW_PHONE  # decrypted on read
    assert CorrectionEvent.objects.get(request=asked).kind == "request"
    assert AuditEntry.objects.filter(action="privacy.correction_request", actor=me.user).exists()
    assert Notice.objects.filter(user_id=community_staff.pk, kind="correction_request").exists()


def test_the_value_is_stored_encrypted(asked):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM privacy_correctionrequest WHERE id = %s", [asked.pk])
        raw = cursor.fetchone()[0]
    assert NEW_PHONE not in raw and NEW_PHONE[-4:] not in raw


def test_accept_applies_through_the_registry_action_and_tells_the_resident(asked, me, community_staff):
    correction_transition(request=asked, name="accept", actor=community_staff)
    me.person.refresh_from_db()
    assert me.person.phone == NEW_PHONE
    assert AuditEntry.objects.filter(action="residents.person_update", actor=community_staff,
                                     target_id=str(me.person.pk), detail__fields=["phone"]).exists()
    accepted = CorrectionRequest.objects.get(pk=asked.pk)
    assert accepted.status == "accepted" and accepted.decided_by == community_staff and accepted.decided_at
    notice = Notice.objects.get(user_id=me.user.pk, kind="correction_accepted")
    assert NEW_PHONE not in notice.text and notice.url == "/my/data"


def test_accept_of_an_id_number_registered_to_someone_else_changes_nothing(me, community_staff):
    taken = make_id_number("330102", __import__("datetime").date(1960, 1, 2), 456)
    from linli.residents.actions import person_create

    person_create(actor=None, name="别人", place=me.house, id_number=taken)
    req = correction_request(actor=me.user, field="id_number", value=taken)
    with pytest.raises(Refused) as info:
        correction_transition(request=req, name="accept", actor=community_staff)
    assert info.value.code == "already_registered"
    me.person.refresh_from_db()
    assert me.person.id_number != taken
    assert CorrectionRequest.objects.get(pk=req.pk).status == "requested"
    assert not Notice.objects.filter(user_id=me.user.pk).exists()


def test_accept_of_a_new_id_number_sets_sex_and_month_of_birth(me, community_staff):
    import datetime

    right = make_id_number("330102", datetime.date(1951, 7, 1), 124)  # even sequence: female
    req = correction_request(actor=me.user, field="id_number", value=right)
    correction_transition(request=req, name="accept", actor=community_staff)
    me.person.refresh_from_db()
    assert me.person.id_number == right and me.person.birth_month == datetime.date(1951, 7, 1)
    assert me.person.sex == "2"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("id_number", "330102195003091234", "校验"),
    ("id_number", "12345", ""),
    ("phone", "12345", ""),
    ("ethnicity", "火星族", ""),
    ("name", "   ", "请填写正确的内容"),
    ("sex", "2", "请从列表中选择"),
    ("notes", "x", "请从列表中选择"),
])
def test_bad_values_are_refused_with_a_clear_error_and_change_nothing(me, field, value, message):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(Invalid) as info:
        correction_request(actor=me.user, field=field, value=value)
    assert set(info.value.fields) & {"value", "field"}
    text = " ".join(str(m) for msgs in info.value.fields.values() for m in msgs)
    assert text and (message in text)
    assert not CorrectionRequest.objects.exists()
    assert not AuditEntry.objects.filter(action="privacy.correction_request").exists()


def test_values_are_stored_as_the_registry_would(me):
    req = correction_request(actor=me.user, field="phone", value="+86 139-6666-7777")
    assert req.value == NEW_PHONE
    req = correction_request(actor=me.user, field="ethnicity", value="回族")
    assert req.value == "03"


def test_at_most_five_requests_wait_per_person(me):
    for i in range(5):
        correction_request(actor=me.user, field="current_address", value=f"地址{i}")
    with pytest.raises(Refused) as info:
        correction_request(actor=me.user, field="current_address", value="地址5")
    assert info.value.code == "too_many_open"
    assert CorrectionRequest.objects.count() == 5


def test_an_unlinked_account_cannot_ask(world):
    user = make_user("nolink", "resident", place=world.grid_a, phone="13700001111")
    with pytest.raises(Invalid) as info:
        correction_request(actor=user, field="name", value="张三")
    assert info.value.code == "not_linked"


def test_refuse_needs_a_reason_and_tells_the_resident_why(asked, me, community_staff):
    with pytest.raises(Invalid) as info:
        correction_transition(request=asked, name="refuse", actor=community_staff, data={"reason": "  "})
    assert "reason" in info.value.fields
    assert CorrectionRequest.objects.get(pk=asked.pk).status == "requested"
    correction_transition(request=asked, name="refuse", actor=community_staff, data={"reason": "请带户口本来社区"})
    refused = CorrectionRequest.objects.get(pk=asked.pk)
    assert refused.status == "refused" and refused.reason == "请带户口本来社区"
    me.person.refresh_from_db()
    assert me.person.phone == PHONE
    assert "请带户口本来社区" in Notice.objects.get(user_id=me.user.pk, kind="correction_refused").text


# --- who may do what -------------------------------------------------------------------------------------------


def test_the_resident_may_not_decide_and_staff_may_not_withdraw(asked, me, community_staff):
    with pytest.raises(PermissionDenied):
        correction_transition(request=asked, name="accept", actor=me.user)
    with pytest.raises(PermissionDenied):
        correction_transition(request=asked, name="withdraw", actor=community_staff)


@pytest.mark.parametrize("persona", ["outsider", "grid_worker_b", "resident"])
def test_out_of_scope_users_get_404_for_every_action(asked, persona, request):
    user = request.getfixturevalue(persona)
    for name in CORRECTION_TRANSITIONS:
        with pytest.raises(NotFound):
            correction_transition(request=asked, name=name, actor=user, data={"reason": "x"})
    assert CorrectionRequest.objects.get(pk=asked.pk).status == "requested"


def test_grid_worker_of_the_persons_grid_may_decide(asked, grid_worker_a, me):
    correction_transition(request=asked, name="accept", actor=grid_worker_a)
    me.person.refresh_from_db()
    assert me.person.phone == NEW_PHONE


def test_staff_never_decide_their_own_request(world, me):
    from linli.residents.actions import person_create

    staff = make_user("staff_self", "community_staff", place=world.community, phone="13600001234")
    person_create(actor=None, name="职员本人", place=me.house, phone="13600001234")
    req = correction_request(actor=staff, field="name", value="职员新名")
    with pytest.raises(PermissionDenied):
        correction_transition(request=req, name="accept", actor=staff)


@pytest.mark.parametrize("persona", ["outsider", "grid_worker_b"])
def test_pages_answer_404_out_of_scope(client, asked, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(f"/privacy/corrections/{asked.pk}").status_code == 404
    assert client.post(f"/privacy/corrections/{asked.pk}/accept").status_code == 404
    assert 'data-testid="correction-queue"' in client.get("/privacy/corrections").content.decode()
    assert f"/privacy/corrections/{asked.pk}" not in client.get("/privacy/corrections").content.decode()
    assert CorrectionRequest.objects.get(pk=asked.pk).status == "requested"


def test_a_resident_may_not_open_the_queue_nor_withdraw_anothers(client, asked, world):
    from linli.residents.actions import person_create

    other = make_user("other_r", "resident", place=world.grid_a, phone="13955550000")
    person_create(actor=None, name="另一位", place=world.grid_a, phone="13955550000")
    login(client, other)
    assert client.get("/privacy/corrections").status_code == 403
    assert client.get(f"/privacy/corrections/{asked.pk}").status_code == 403
    assert client.post(f"/my/data/corrections/{asked.pk}/withdraw").status_code == 404
    assert CorrectionRequest.objects.get(pk=asked.pk).status == "requested"


# --- pages ----------------------------------------------------------------------------------------------------


def test_resident_page_form_bad_id_shows_the_error_in_chinese(client, me):
    login(client, me.user)
    response = client.post("/my/data/corrections", {"field": "id_number", "value": "330102195003091234"})
    assert response.status_code == 200  # the form again, with its message
    page = response.content.decode()
    assert 'data-testid="error-value"' in page and "校验" in page
    assert not CorrectionRequest.objects.exists()


def test_resident_asks_on_the_page_staff_accept_on_theirs(client, me, community_staff):
    login(client, me.user)
    response = client.post("/my/data/corrections", {"field": "phone", "value": NEW_PHONE, "note": "换号"})
    assert response.status_code == 302 and response["Location"] == "/my/data"
    page = client.get("/my/data").content.decode()
    assert "139****7777" in page and NEW_PHONE not in page
    assert 'data-testid="correction-status">等待' in page
    req = CorrectionRequest.objects.get()
    client.logout()
    login(client, community_staff)
    home = client.get("/").content.decode()
    assert 'href="/privacy/corrections"' in home
    queue = client.get("/privacy/corrections").content.decode()
    assert f"/privacy/corrections/{req.pk}" in queue and NEW_PHONE not in queue
    detail = client.get(f"/privacy/corrections/{req.pk}").content.decode()
    assert "138****2222" in detail and "139****7777" in detail and 'data-testid="do-accept"' in detail
    refused = client.post(f"/privacy/corrections/{req.pk}/refuse", {"reason": ""})
    assert refused.status_code == 200 and "invalid-feedback" in refused.content.decode()
    assert CorrectionRequest.objects.get(pk=req.pk).status == "requested"
    response = client.post(f"/privacy/corrections/{req.pk}/accept", {"version": req.version})
    assert response.status_code == 302
    me.person.refresh_from_db()
    assert me.person.phone == NEW_PHONE


def test_a_stale_version_is_a_conflict(client, asked, community_staff):
    login(client, community_staff)
    correction_transition(request=asked, name="refuse", actor=community_staff, data={"reason": "重复"})
    response = client.post(f"/privacy/corrections/{asked.pk}/accept", {"version": asked.version})
    assert response.status_code == 302  # back to the request with the message
    assert CorrectionRequest.objects.get(pk=asked.pk).status == "refused"


# --- API ------------------------------------------------------------------------------------------------------


def test_api_resident_asks_and_staff_decide(client, me, community_staff, outsider):
    token = issue_token(me.user)
    bad = client.post("/api/v1/me/corrections", {"field": "phone", "value": "123"}, content_type="application/json",
                      **bearer(token))
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"} and "value" in bad.json()["fields"]
    made = client.post("/api/v1/me/corrections", {"field": "phone", "value": NEW_PHONE},
                       content_type="application/json", **bearer(token))
    assert made.status_code == 201 and made.json()["value"] == "139****7777"
    cid = made.json()["id"]
    assert [c["id"] for c in client.get("/api/v1/me/corrections", **bearer(token)).json()["items"]] == [cid]
    staff = issue_token(community_staff)
    queue = client.get("/api/v1/privacy/corrections", **bearer(staff)).json()
    assert [c["id"] for c in queue["items"]] == [cid] and queue["items"][0]["actions"] == ["accept", "refuse"]
    out = issue_token(outsider)
    assert client.get("/api/v1/privacy/corrections", **bearer(out)).json()["items"] == []
    assert client.post(f"/api/v1/privacy/corrections/{cid}/accept", {}, content_type="application/json",
                       **bearer(out)).status_code == 404
    assert client.post(f"/api/v1/privacy/corrections/{cid}/accept", {}, content_type="application/json",
                       **bearer(token)).status_code == 403
    done = client.post(f"/api/v1/privacy/corrections/{cid}/accept", {}, content_type="application/json",
                       **bearer(staff))
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    again = client.post(f"/api/v1/privacy/corrections/{cid}/refuse", {"reason": "x"}, content_type="application/json",
                        **bearer(staff))
    assert again.status_code == 409 and again.json()["code"] == "refused_transition"


def test_a_corrected_phone_keeps_the_login_linked(asked, me, community_staff):
    from linli.residents.selectors import person_for_user

    correction_transition(request=asked, name="accept", actor=community_staff)
    me.user.refresh_from_db()
    assert me.user.phone == NEW_PHONE
    assert person_for_user(me.user) == me.person
    assert AuditEntry.objects.filter(action="accounts.user_update", target_id=str(me.user.pk),
                                     detail__changed=["phone"]).exists()


def test_a_phone_of_another_account_is_not_taken(asked, me, community_staff, world):
    other = make_user("holder", "resident", place=world.grid_a, phone=NEW_PHONE)
    correction_transition(request=asked, name="accept", actor=community_staff)
    me.user.refresh_from_db()
    other.refresh_from_db()
    assert me.user.phone == PHONE and other.phone == NEW_PHONE
    me.person.refresh_from_db()
    assert me.person.phone == NEW_PHONE


# --- staff reveal of the numbers a request is about ----------------------------------------------------------


def _unmask_audits(obj, result="ok"):
    return AuditEntry.objects.filter(action="pii.unmask", target_type=obj._meta.label_lower, target_id=str(obj.pk),
                                     result=result).count()


def test_staff_with_unmask_reveal_the_asked_and_the_registered_phone_audited(client, asked, me, community_staff):
    login(client, community_staff)
    page = client.get(f"/privacy/corrections/{asked.pk}").content.decode()
    assert NEW_PHONE not in page and PHONE not in page
    assert 'data-testid="reveal-asked"' in page and 'data-testid="reveal-current"' in page
    shown = client.post(f"/privacy/corrections/{asked.pk}/reveal/asked")
    assert shown.status_code == 200 and NEW_PHONE in shown.content.decode()
    assert _unmask_audits(asked) == 1
    current = client.post(f"/privacy/corrections/{asked.pk}/reveal/current")
    assert current.status_code == 200 and PHONE in current.content.decode()
    assert _unmask_audits(me.person) == 1


def test_reveal_of_an_id_number_request_needs_registry_unmask(client, me, grid_worker_a):
    req = correction_request(actor=me.user, field="id_number", value=make_id_number("330102", _date(1950, 3, 9), 77))
    login(client, grid_worker_a)  # may decide, may reveal a phone, may not unmask an ID number
    page = client.get(f"/privacy/corrections/{req.pk}").content.decode()
    assert 'data-testid="reveal-asked"' not in page and req.value not in page
    refused = client.post(f"/privacy/corrections/{req.pk}/reveal/asked")
    assert refused.status_code == 403 and req.value not in refused.content.decode()
    assert _unmask_audits(req, "denied") == 1 and _unmask_audits(req) == 0


@pytest.mark.parametrize("persona", ["outsider", "grid_worker_b"])
def test_reveal_out_of_scope_is_404_and_reveals_nothing(client, asked, persona, request):
    login(client, request.getfixturevalue(persona))
    response = client.post(f"/privacy/corrections/{asked.pk}/reveal/asked")
    assert response.status_code == 404 and NEW_PHONE not in response.content.decode()
    assert _unmask_audits(asked) == 0


def test_reveal_of_a_field_that_is_not_a_number_is_404(client, me, community_staff):
    req = correction_request(actor=me.user, field="current_address", value="明月小区1栋101室")
    login(client, community_staff)
    assert client.post(f"/privacy/corrections/{req.pk}/reveal/asked").status_code == 404
    assert client.post(f"/privacy/corrections/{req.pk}/reveal/other").status_code == 404
    assert client.get(f"/privacy/corrections/{req.pk}/reveal/asked").status_code == 405


def test_the_history_reads_in_the_users_language(client, asked, community_staff, me):
    from linli.accounts.models import User

    User.objects.filter(pk=me.user.pk).update(display_name="欧阳明远")
    User.objects.filter(pk=community_staff.pk).update(display_name="社区李敏")
    correction_transition(request=asked, name="refuse", actor=community_staff, data={"reason": "材料不全"})
    login(client, community_staff)
    page = client.get(f"/privacy/corrections/{asked.pk}").content.decode()
    history = page[page.index("list-group"):]
    assert "申请更正" in history and "不予受理" in history, history[:400]
    assert "· request" not in history and "· refuse" not in history
    assert "欧阳明远" in history and "社区李敏" in history  # people, never login names
    assert "me_resident" not in history and community_staff.username not in history


def test_my_requests_page_through_the_rest_and_the_download_holds_all(client, me, monkeypatch):
    import json

    from linli.core import ui
    from linli.core.testing.pages import walk_pages

    asked = [correction_request(actor=me.user, field="current_address", value=f"地址{i}").pk for i in range(3)]
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    login(client, me.user)
    bodies = walk_pages(client, "/my/data")
    assert [b.count('data-testid="correction"') for b in bodies] == [2, 1]
    download = json.loads(client.get("/my/data/download.json").content)
    assert sorted(c["id"] for c in download["corrections"]) == sorted(asked)
