"""The hall's pages and API: search by pinyin initials, applying on the page, the desk, access (404 out of
scope), query budgets on the lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.hall.models import Application


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_default_catalog_has_44_services(catalog):
    from linli.hall.models import ServiceItem

    assert ServiceItem.objects.filter(place__isnull=True).count() == 44


def test_search_by_pinyin_initials_and_by_chinese(client, applicant, catalog):
    _login(client, applicant)
    body = client.get(reverse("hall:services"), {"q": "jzzm"}).content.decode()
    assert "居住证明" in body and "低保申请" not in body
    body = client.get(reverse("hall:services"), {"q": "低保"}).content.decode()
    assert "低保申请" in body and "居住证明" not in body


def test_the_service_page_lists_what_to_bring(client, applicant, service):
    _login(client, applicant)
    body = client.get(reverse("hall:service", args=[service.pk])).content.decode()
    for material in service.materials:
        assert material in body


def test_apply_on_the_page(client, applicant, service):
    _login(client, applicant)
    response = client.post(reverse("hall:service", args=[service.pk]), {"details": "办理入学", "address": ""})
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hall:application", args=[app.pk])
    assert "办理入学" in client.get(response["Location"]).content.decode()


def test_staff_accept_from_the_page_and_the_resident_downloads(client, submit, community_staff, applicant):
    app = submit()
    _login(client, community_staff)
    client.post(reverse("hall:application_transition", args=[app.pk, "accept"]))
    client.post(reverse("hall:application_transition", args=[app.pk, "complete"]), {"purpose": "入学"})
    app.refresh_from_db()
    assert app.status == "done"
    client.logout()
    _login(client, applicant)
    body = client.get(reverse("hall:application", args=[app.pk])).content.decode()
    assert reverse("hall:certificate_pdf", args=[app.certificate.pk]) in body


@pytest.mark.parametrize("persona", ["outsider", "grid_worker_b", "resident"])
def test_others_get_404(client, submit, request, persona):
    app = submit()
    _login(client, request.getfixturevalue(persona))
    assert client.get(reverse("hall:application", args=[app.pk])).status_code == 404
    assert client.post(reverse("hall:application_transition", args=[app.pk, "accept"])).status_code == 404
    assert client.get(f"/api/v1/hall/applications/{app.pk}").status_code == 404


def test_the_desk_lists_the_area_within_a_query_budget(client, submit, community_staff, django_assert_max_num_queries):
    for _ in range(5):
        submit()
    _login(client, community_staff)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("hall:desk")).content.decode()
    assert body.count('data-testid="application"') == 5


def test_the_desk_is_for_hall_staff(client, applicant, db):
    _login(client, applicant)
    assert client.get(reverse("hall:desk")).status_code == 403


def test_walk_in_on_the_page(client, community_staff, service, world):
    _login(client, community_staff)
    response = client.post(reverse("hall:walk_in"), {
        "service": service.pk, "applicant_name": "张桂兰", "place": world.grid_a.pk, "address": "", "details": "",
    })
    app = Application.objects.get()
    assert response.status_code == 302 and app.channel == "walk_in" and app.applicant_name == "张桂兰"


def test_api_submit_transition_and_errors(client, applicant, community_staff, service, agency_service):
    _login(client, applicant)
    created = client.post("/api/v1/hall/applications", {"service_id": service.pk, "details": "入学"},
                          content_type="application/json")
    assert created.status_code == 201
    app_id = created.json()["id"]
    assert created.json()["actions"] == ["withdraw"]
    bad = client.post("/api/v1/hall/applications", {"service_id": 0}, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}
    client.logout()
    _login(client, community_staff)
    ok = client.post(f"/api/v1/hall/applications/{app_id}/accept", {}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted" and ok.json()["due_on"]
    again = client.post(f"/api/v1/hall/applications/{app_id}/accept", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "refused_transition"
    page = client.get("/api/v1/hall/applications", {"size": 1}).json()
    assert len(page["items"]) == 1


def test_api_catalog_pages_by_keyset(client, applicant, catalog):
    _login(client, applicant)
    first = client.get("/api/v1/hall/services", {"size": 40}).json()
    assert len(first["items"]) == 40 and first["next_after"]
    rest = client.get("/api/v1/hall/services", {"size": 40, "after": first["next_after"]}).json()
    assert len(rest["items"]) == 4 and rest["next_after"] is None
    assert client.get("/api/v1/hall/services", {"q": "lnydz"}).json()["items"][0]["name"] == "老年优待证"
