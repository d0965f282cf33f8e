"""The API: list budgets, create and publish, sign up with the waiting list, check-in by token, verify."""

from __future__ import annotations

from linli.accounts.tests.conftest import bearer, issue_token
from linli.volunteers.actions import activity_finish, signup_create


def test_list_activities_within_budget(
    client, activity_in_state, volunteer_user, django_assert_max_num_queries
):
    for i in range(6):
        activity_in_state("recruiting", title=f"活动{i}")
    headers = bearer(issue_token(volunteer_user))
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/volunteers/activities", **headers)
    assert response.status_code == 200 and len(response.json()["items"]) == 6
    assert all(a["checkin_token"] is None for a in response.json()["items"])


def test_list_volunteers_within_budget(
    client, make_volunteer_user, community_staff, django_assert_max_num_queries
):
    for _i in range(6):
        make_volunteer_user()
    headers = bearer(issue_token(community_staff))
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/volunteers", **headers)
    assert response.status_code == 200 and len(response.json()["items"]) == 6


def test_create_publish_signup_checkin_verify(client, world, community_staff, make_volunteer_user):
    from django.utils import timezone

    staff = bearer(issue_token(community_staff))
    now = timezone.now()
    created = client.post(
        "/api/v1/volunteers/activities",
        {
            "community_id": world.community.pk,
            "title": "敲门问安",
            "location": "1号楼",
            "quota": 1,
            "area": "mutual_aid",
            "starts_at": (now - timezone.timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timezone.timedelta(hours=1)).isoformat(),
        },
        content_type="application/json",
        **staff,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["checkin_token"] and body["points"] is None
    aid = body["id"]
    published = client.post(
        f"/api/v1/volunteers/activities/{aid}/publish", {}, content_type="application/json", **staff
    )
    assert published.json()["status"] == "recruiting"
    a, b = make_volunteer_user(), make_volunteer_user()
    ha, hb = bearer(issue_token(a)), bearer(issue_token(b))
    first = client.post(f"/api/v1/volunteers/activities/{aid}/signup", **ha)
    second = client.post(f"/api/v1/volunteers/activities/{aid}/signup", **hb)
    assert (first.status_code, first.json()["status"]) == (201, "confirmed")
    assert second.json()["status"] == "waitlisted"
    assert client.post(f"/api/v1/volunteers/activities/{aid}/signup", **ha).status_code == 409
    wrong = client.post(
        "/api/v1/volunteers/checkin", {"token": "nope"}, content_type="application/json", **ha
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    waiting = client.post(
        "/api/v1/volunteers/checkin", {"token": body["checkin_token"]}, content_type="application/json", **hb
    )
    assert waiting.status_code == 409
    ok = client.post(
        "/api/v1/volunteers/checkin", {"token": body["checkin_token"]}, content_type="application/json", **ha
    )
    assert ok.status_code == 200 and ok.json()["checked_in_at"]
    attendance = client.get(f"/api/v1/volunteers/activities/{aid}/signups", **staff).json()["items"]
    assert [s["status"] for s in attendance] == ["confirmed", "waitlisted"]
    assert client.get(f"/api/v1/volunteers/activities/{aid}/signups", **ha).status_code == 404
    client.post(f"/api/v1/volunteers/activities/{aid}/finish", {}, content_type="application/json", **staff)
    verified = client.post(
        f"/api/v1/volunteers/signups/{first.json()['id']}/verify",
        {"hours": "1.0"},
        content_type="application/json",
        **staff,
    )
    assert verified.status_code == 200 and verified.json()["hours"] in ("1.0", 1.0)
    mine = client.get("/api/v1/volunteers/signups/mine", **ha).json()["items"]
    assert mine[0]["verified_at"]


def test_api_verify_own_hours_is_forbidden(client, world, community_staff, make_person, activity_in_state):
    from linli.core.testing.personas import make_user
    from linli.volunteers.actions import signup_checkin, volunteer_register

    staff = make_user("staff_v", "community_staff", place=world.community, phone="13700000019")
    volunteer_register(actor=community_staff, person=make_person("工作人员", phone="13700000019"))
    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=staff)
    signup_checkin(signup=seat, actor=community_staff)
    activity_finish(activity=activity, actor=community_staff)
    response = client.post(
        f"/api/v1/volunteers/signups/{seat.pk}/verify",
        {},
        content_type="application/json",
        **bearer(issue_token(staff)),
    )
    assert response.status_code == 403


def test_register_self_and_refused_twice(client, make_volunteer_user):
    user = make_volunteer_user(register=False)
    headers = bearer(issue_token(user))
    created = client.post(
        "/api/v1/volunteers",
        {"kind": "courier", "skills": ["first_aid"]},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201 and created.json()["skills"] == ["first_aid"]
    again = client.post("/api/v1/volunteers", {"kind": "courier"}, content_type="application/json", **headers)
    assert again.status_code == 409
    bad = client.post(
        "/api/v1/volunteers",
        {"kind": "pilot"},
        content_type="application/json",
        **bearer(issue_token(make_volunteer_user(register=False))),
    )
    assert bad.status_code == 422


def test_a_volunteer_pauses_and_cannot_sign_up_until_back(client, activity_in_state, volunteer_user):
    from linli.volunteers.actions import volunteer_of

    activity = activity_in_state("recruiting")
    headers = bearer(issue_token(volunteer_user))
    vid = volunteer_of(volunteer_user).pk
    paused = client.post(
        f"/api/v1/volunteers/{vid}/status", {"status": "paused"}, content_type="application/json", **headers
    )
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert client.post(f"/api/v1/volunteers/activities/{activity.pk}/signup", **headers).status_code == 409
    client.post(
        f"/api/v1/volunteers/{vid}/status", {"status": "active"}, content_type="application/json", **headers
    )
    assert client.post(f"/api/v1/volunteers/activities/{activity.pk}/signup", **headers).status_code == 201
    bad = client.post(
        f"/api/v1/volunteers/{vid}/status", {"status": "gone"}, content_type="application/json", **headers
    )
    assert bad.status_code == 422
