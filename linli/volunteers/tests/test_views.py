"""The pages: browsing without login, sign-up and cancel, the check-in page, the organiser's pages, the
hours export, teams and talent; out of scope is 404; lists within query budgets."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.volunteers.actions import (
    activity_finish,
    pool_create,
    pool_member_add,
    signup_checkin,
    signup_create,
    team_create,
    team_member_add,
    volunteer_of,
)
from linli.volunteers.models import Signup


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_anyone_browses_recruiting_activities(client, activity_in_state, django_assert_max_num_queries):
    for i in range(5):
        activity_in_state("recruiting", title=f"活动{i}")
    draft = activity_in_state("draft", title="草稿活动")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("volunteers:activity_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="activity"') == 5 and "草稿活动" not in body
    assert client.get(reverse("volunteers:activity_detail", args=[draft.pk])).status_code == 404


def test_sign_up_and_cancel_on_the_page(client, activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    _login(client, volunteer_user)
    page = client.get(reverse("volunteers:activity_detail", args=[activity.pk]))
    assert 'data-testid="signup"' in page.content.decode()
    client.post(reverse("volunteers:signup", args=[activity.pk]))
    seat = Signup.objects.get(activity=activity)
    assert seat.status == "confirmed"
    mine = client.get(reverse("volunteers:my_activities")).content.decode()
    assert activity.title in mine
    client.post(reverse("volunteers:signup_cancel", args=[seat.pk]))
    assert Signup.objects.get(pk=seat.pk).status == "cancelled"


def test_become_a_volunteer(client, make_volunteer_user):
    from linli.volunteers.models import Volunteer

    user = make_volunteer_user("newcomer", register=False)
    _login(client, user)
    response = client.post(reverse("volunteers:join"), {"kind": "rider", "skills": [], "note": ""})
    assert response.status_code == 302
    assert Volunteer.objects.get(user=user).kind == "rider"


def test_joining_without_a_resident_record_says_why(client, world):
    from linli.core.testing.personas import make_user

    user = make_user("nobody", "resident", place=world.grid_a, phone="13600000001")
    _login(client, user)
    response = client.post(reverse("volunteers:join"), {"kind": "resident"})
    assert response.status_code == 200
    assert "居民" in response.content.decode() or "resident" in response.content.decode()


def test_checkin_page_checks_in_and_out(client, activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    signup_create(activity=activity, actor=volunteer_user)
    _login(client, volunteer_user)
    url = reverse("volunteers:checkin", args=[activity.checkin_token])
    assert 'data-testid="checkin"' in client.get(url).content.decode()
    client.post(url, {"step": "in"})
    assert Signup.objects.get(activity=activity).checked_in_at is not None
    client.post(url, {"step": "out"})  # right after the check-in: asked first, nothing written
    assert Signup.objects.get(activity=activity).checked_out_at is None
    client.post(url, {"step": "out", "confirm": "1"})
    assert Signup.objects.get(activity=activity).checked_out_at is not None


def test_checkin_page_wrong_token_is_404_and_needs_login(client, activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    url = reverse("volunteers:checkin", args=[activity.checkin_token])
    assert client.get(url).status_code == 302  # to the login page
    _login(client, volunteer_user)
    assert client.get(reverse("volunteers:checkin", args=["wrong"])).status_code == 404


def test_checkin_page_refusal_is_shown(client, activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting", start_in=timedelta(hours=5))
    signup_create(activity=activity, actor=volunteer_user)
    _login(client, volunteer_user)
    url = reverse("volunteers:checkin", args=[activity.checkin_token])
    page = client.post(url, {"step": "in"}, follow=True).content.decode()
    assert "签到" in page and Signup.objects.get(activity=activity).checked_in_at is None


def test_organiser_creates_publishes_and_prints_the_qr(client, world, community_staff):
    _login(client, community_staff)
    response = client.post(
        reverse("volunteers:activity_create"),
        {
            "title": "防诈骗宣传",
            "description": "",
            "location": "社区广场",
            "starts_at": "2030-05-01T09:00",
            "ends_at": "2030-05-01T11:00",
            "quota": "10",
            "waitlist": "on",
            "area": "safety",
            "points": "",
            "community": world.community.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from linli.volunteers.models import Activity

    activity = Activity.objects.get(title="防诈骗宣传")
    assert activity.status == "draft" and activity.points is None
    client.post(reverse("volunteers:activity_transition", args=[activity.pk, "publish"]))
    activity.refresh_from_db()
    assert activity.status == "recruiting"
    assert client.get(reverse("volunteers:activity_qr", args=[activity.pk])).status_code == 200
    svg = client.get(reverse("volunteers:activity_qr_svg", args=[activity.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_invalid_activity_form_shows_errors(client, world, community_staff):
    _login(client, community_staff)
    response = client.post(
        reverse("volunteers:activity_create"),
        {
            "title": "x",
            "location": "y",
            "starts_at": "2030-05-01T11:00",
            "ends_at": "2030-05-01T09:00",
            "quota": "3",
            "area": "safety",
            "community": world.community.pk,
        },
    )
    assert response.status_code == 200 and "结束" in response.content.decode()


def test_attendance_manual_checkin_and_verify(
    client,
    activity_in_state,
    volunteer_user,
    community_staff,
    django_assert_max_num_queries,
    make_volunteer_user,
):
    activity = activity_in_state("recruiting", quota=10)
    seat = signup_create(activity=activity, actor=volunteer_user)
    for _i in range(4):
        signup_create(activity=activity, actor=make_volunteer_user())
    _login(client, community_staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("volunteers:attendance", args=[activity.pk]))
    assert page.content.decode().count('data-testid="attendance-row"') == 5
    client.post(reverse("volunteers:signup_mark", args=[seat.pk, "in"]))
    assert Signup.objects.get(pk=seat.pk).checked_in_by_id == community_staff.pk
    activity_finish(activity=activity, actor=community_staff)
    client.post(reverse("volunteers:signup_mark", args=[seat.pk, "verify"]), {"hours": "1.5"})
    assert str(Signup.objects.get(pk=seat.pk).hours) == "1.5"


def test_outsider_gets_404_on_organiser_pages(client, activity_in_state, outsider, volunteer_user):
    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=volunteer_user)
    draft = activity_in_state("draft")
    _login(client, outsider)
    assert client.get(reverse("volunteers:attendance", args=[activity.pk])).status_code == 404
    assert client.get(reverse("volunteers:activity_qr", args=[activity.pk])).status_code == 404
    assert client.get(reverse("volunteers:activity_detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("volunteers:signup_mark", args=[seat.pk, "in"])).status_code == 404
    assert (
        client.post(reverse("volunteers:activity_transition", args=[draft.pk, "publish"])).status_code == 404
    )


def test_a_volunteer_cannot_open_the_attendance(client, activity_in_state, volunteer_user):
    activity = activity_in_state("recruiting")
    _login(client, volunteer_user)
    assert client.get(reverse("volunteers:attendance", args=[activity.pk])).status_code == 404
    assert client.get(reverse("volunteers:organise")).status_code == 403


def test_hours_export(client, activity_in_state, volunteer_user, community_staff):
    from django.utils import timezone
    from openpyxl import load_workbook

    from linli.volunteers.actions import activity_verify

    activity = activity_in_state("recruiting")
    seat = signup_create(activity=activity, actor=volunteer_user)
    signup_checkin(signup=seat, actor=community_staff)
    activity_finish(activity=activity, actor=community_staff)
    activity_verify(activity=activity, actor=community_staff)
    _login(client, community_staff)
    day = timezone.localdate(activity.starts_at).isoformat()
    response = client.get(reverse("volunteers:hours_export"), {"since": day, "until": day})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert len(wb.sheetnames) == 3
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == activity.title and rows[1][3] == 1


def test_teams_ranking_and_talent_pages(
    client, world, community_staff, make_volunteer_user, django_assert_max_num_queries
):
    a, b = make_volunteer_user(), make_volunteer_user()
    for name in ["银辉先锋", "金姐姐", "红星驿站"]:
        team = team_create(
            actor=community_staff, community=world.community, name=name, leader=volunteer_of(a)
        )
        team_member_add(team=team, volunteer=volunteer_of(b), actor=community_staff)
    pool = pool_create(actor=community_staff, community=world.community, name="银发人才库")
    from linli.volunteers.actions import volunteer_update

    volunteer_update(volunteer=volunteer_of(b), actor=community_staff, skills=["calligraphy"])
    pool_member_add(pool=pool, volunteer=volunteer_of(b), actor=community_staff, speciality="楷书")
    pool_member_add(pool=pool, volunteer=volunteer_of(a), actor=community_staff)
    _login(client, community_staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("volunteers:team_list"))
    assert page.content.decode().count('data-testid="team-rank"') == 3
    assert client.get(reverse("volunteers:team_detail", args=[team.pk])).status_code == 200
    found = client.get(reverse("volunteers:talent"), {"skill": "calligraphy"}).content.decode()
    assert found.count('data-testid="talent-row"') == 1 and "楷书" in found
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("volunteers:volunteer_list"))
    assert listing.content.decode().count('data-testid="volunteer-row"') == 2


def test_a_member_sees_their_team_masked_and_the_outsider_does_not(
    client, world, community_staff, outsider, make_volunteer_user
):
    a, b = make_volunteer_user(), make_volunteer_user()
    team = team_create(
        actor=community_staff, community=world.community, name="新火先锋队", leader=volunteer_of(a)
    )
    team_member_add(team=team, volunteer=volunteer_of(b), actor=community_staff)
    _login(client, b)
    page = client.get(reverse("volunteers:team_detail", args=[team.pk])).content.decode()
    assert volunteer_of(a).person.name not in page
    client.logout()
    _login(client, outsider)
    assert client.get(reverse("volunteers:team_detail", args=[team.pk])).status_code == 404


@pytest.mark.parametrize("name", ["volunteer_list", "talent"])
def test_manager_pages_need_the_permission(client, volunteer_user, name):
    _login(client, volunteer_user)
    assert client.get(reverse(f"volunteers:{name}")).status_code == 403
