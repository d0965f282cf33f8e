"""The endpoint factory (linli/core/workflow_api.py): every workflow's actions are routes from it, named the same
way, and a refused transition and a lost race answer their two distinct 409 codes."""

from __future__ import annotations

import pytest

from linli.core.tests.test_workflow_tables import _import_actions
from linli.core.workflow import SPECS

# Actions a person presses somewhere else than at POST …/{id}/{action}, and why.
ELSEWHERE = {
    ("points.redemption", "fulfil"): "handed over with the code the resident shows: POST /points/redemptions/fulfil",
}


def _routed():
    import config.urls  # noqa: F401  (builds the API's routers)
    from linli.core.workflow_api import ROUTED

    _import_actions()
    return ROUTED


def test_every_workflow_action_has_a_route_from_the_factory():
    routed = _routed()
    assert len(SPECS) >= 25
    missing = sorted(
        f"{prefix}:{name}"
        for prefix, spec in SPECS.items()
        for name, t in spec.table.items()
        if t.who  # a transition with no ``who`` is the system's (a task): no route
        and name not in routed.get(id(spec.table), {})
        and (prefix, name) not in ELSEWHERE
    )
    assert not missing, f"workflow actions with no route from linli.core.workflow_api.action_routes: {missing}"


def test_the_routes_are_named_alike_in_the_schema(client):
    routed = _routed()
    operation_ids = {
        op["operationId"]
        for path in client.get("/api/v1/openapi.json").json()["paths"].values()
        for op in path.values()
    }
    for actions in routed.values():
        for action, url_name in actions.items():
            assert url_name.endswith(f"_{action}")
            assert url_name in operation_ids, url_name


@pytest.fixture
def staff(community_staff):
    from linli.accounts.tests.conftest import bearer, issue_token

    return bearer(issue_token(community_staff))


def test_an_action_route_answers_the_state_and_two_distinct_409s(client, staff, api_outsider_id_booking_id):
    url = f"/api/v1/hall/bookings/{api_outsider_id_booking_id}"
    ok = client.post(f"{url}/approve", {"version": 0}, content_type="application/json", **staff)
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "confirmed" and "cancel" in ok.json()["actions"]
    refused = client.post(f"{url}/approve", {}, content_type="application/json", **staff)
    assert refused.status_code == 409 and refused.json()["code"] == "refused_transition"
    lost = client.post(f"{url}/approve", {"version": 0}, content_type="application/json", **staff)
    assert lost.status_code == 409 and lost.json()["code"] == "conflict"


def test_an_action_route_needs_what_the_table_requires_and_takes_no_body_when_it_needs_nothing(
    client, staff, api_outsider_id_booking_id
):
    url = f"/api/v1/hall/bookings/{api_outsider_id_booking_id}"
    missing = client.post(f"{url}/reject", {}, content_type="application/json", **staff)
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    assert client.post(f"{url}/approve", content_type="application/json", **staff).status_code == 200  # no body


def test_an_out_of_scope_object_is_404_before_the_action_runs(client, api_outsider_id_booking_id, outsider):
    from linli.accounts.tests.conftest import bearer, issue_token
    from linli.hall.models import Booking

    answer = client.post(f"/api/v1/hall/bookings/{api_outsider_id_booking_id}/approve",
                         content_type="application/json", **bearer(issue_token(outsider)))
    assert answer.status_code == 404
    assert Booking.objects.get(pk=api_outsider_id_booking_id).status == "pending"


def test_one_form_per_available_transition_with_its_inputs(community_staff, api_outsider_id_booking_id):
    from django.template import Context, Template
    from django.urls import reverse

    from linli.core.workflow import available
    from linli.hall.models import Booking
    from linli.hall.workflow import BOOKING_TRANSITIONS

    booking = Booking.objects.get(pk=api_outsider_id_booking_id)
    buttons = available(BOOKING_TRANSITIONS, booking, community_staff)
    html = Template('{% load workflow %}{% transition_forms buttons "hall:booking_transition" b %}').render(
        Context({"buttons": buttons, "b": booking, "csrf_token": "tok"}))
    forms = {f.split('data-testid="form-', 1)[1].split('"', 1)[0]: f for f in html.split("<form")[1:]}
    assert list(forms) == [t.name for t in buttons] == ["approve", "reject", "cancel"]
    for name, form in forms.items():
        assert f'action="{reverse("hall:booking_transition", args=[booking.pk, name])}"' in form
        assert 'name="csrfmiddlewaretoken"' in form and f'name="version" value="{booking.version}"' in form
    assert 'name="reason"' not in forms["approve"]
    assert 'name="reason" required' in forms["reject"] and "data-confirm" in forms["reject"]  # danger: confirmed
    assert 'name="reason"' in forms["cancel"] and 'name="reason" required' not in forms["cancel"]
