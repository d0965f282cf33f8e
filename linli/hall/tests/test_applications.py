"""Applying, the deadline on the working-day calendar, the missing-materials list, agency steps, rating,
and the applicant told at each step (after commit only)."""

from __future__ import annotations

import datetime as dt

import pytest

from linli.core.errors import Invalid, PermissionDenied
from linli.core.workdays import add_working_days
from linli.hall.actions import application_submit, application_transition
from linli.hall.models import Application


def test_a_resident_applies_online_for_their_own_place(submit, applicant, world):
    app = submit()
    assert app.status == "submitted"
    assert app.applicant_id == applicant.pk
    assert app.applicant_name == "王秀英"
    assert app.address == "幸福里3幢2单元101"
    assert app.place_path == world.grid_a.path
    assert app.community_id == world.community.pk
    assert app.events.get().kind == "submit"


def test_staff_register_a_walk_in_in_their_area_only(service, community_staff, outsider, world):
    app = application_submit(actor=community_staff, service=service, applicant_name="李建国", place=world.grid_b.pk,
                             walk_in=True)
    assert app.channel == "walk_in" and app.applicant_id is None and app.registered_by_id == community_staff.pk
    with pytest.raises(Invalid):
        application_submit(actor=outsider, service=service, applicant_name="李建国", place=world.grid_b.pk,
                           walk_in=True)


def test_a_resident_cannot_register_a_walk_in(service, applicant, world):
    with pytest.raises(PermissionDenied):
        application_submit(actor=applicant, service=service, applicant_name="x", place=world.grid_a.pk, walk_in=True)


def test_grid_worker_cannot_apply_for_residents(service, grid_worker_a):
    with pytest.raises(PermissionDenied):
        application_submit(actor=grid_worker_a, service=service)


def test_an_unknown_service_is_invalid_and_writes_nothing(applicant):
    with pytest.raises(Invalid) as caught:
        application_submit(actor=applicant, service=999999)
    assert "service" in caught.value.fields
    assert not Application.objects.exists()


def test_accepting_sets_the_promise_in_working_days(app_in_state, community_staff, agency_service):
    app = app_in_state("accepted")
    assert app.due_on == add_working_days(app.accepted_at.astimezone().date(), agency_service.promised_days)
    assert app.due_on.weekday() < 5


def test_the_deadline_skips_national_day(db):
    # 2026-09-30 + 1 working day: the National Day holiday (1-7 October) lies between → 8 October
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_missing_materials_carry_their_list_and_resubmit_clears_it(app_in_state, applicant):
    app = app_in_state("missing")
    assert app.missing == ["户口簿原件及复印件"]
    app = application_transition(application=app, name="resubmit", actor=applicant)
    assert app.status == "submitted" and app.missing == []


def test_materials_missing_needs_the_list(app_in_state, community_staff):
    app = app_in_state("submitted")
    with pytest.raises(Invalid):
        application_transition(application=app, name="request_materials", actor=community_staff, data={"missing": ""})


def test_agency_steps_are_kept_in_order(app_in_state, community_staff):
    app = app_in_state("in_progress")
    application_transition(application=app, name="agency_step", actor=community_staff,
                           data={"note": "区残联已受理", "office": "区残联"})
    app.refresh_from_db()
    assert app.agency_office == "区残联"
    assert list(app.events.values_list("kind", flat=True)) == ["submit", "accept", "start_agency", "agency_step"]


def test_rating_needs_a_known_answer(app_in_state, applicant):
    app = app_in_state("done")
    with pytest.raises(Invalid):
        application_transition(application=app, name="rate", actor=applicant, data={"satisfaction": "great"})
    app = application_transition(application=app, name="rate", actor=applicant, data={"satisfaction": "basically"})
    assert app.status == "rated" and app.satisfaction == "basically"


def _told(user) -> list[tuple[str, str]]:
    """The notices the outbox (linli.notifications) holds for ``user``: (kind, text), oldest first."""
    from linli.notifications.models import Notice

    return list(Notice.objects.filter(user=user).order_by("id").values_list("kind", "text"))


def test_the_applicant_is_told_at_each_step_through_the_outbox(app_in_state, applicant, community_staff,
                                                               agency_service, submit):
    from linli.notifications.models import Notice

    app = submit(agency_service)
    assert _told(applicant) == []  # the desk is told of a new application, not the applicant
    assert Notice.objects.filter(user=community_staff, kind="submit", ref=f"hall.application:{app.pk}").exists()
    application_transition(application=app, name="request_materials", actor=community_staff,
                           data={"missing": ["结婚证"]})
    application_transition(application=app, name="resubmit", actor=applicant)
    application_transition(application=app, name="accept", actor=community_staff)
    application_transition(application=app, name="start_agency", actor=community_staff, data={"office": "街道民政科"})
    application_transition(application=app, name="agency_step", actor=community_staff, data={"note": "已送审"})
    application_transition(application=app, name="complete", actor=community_staff)
    told = _told(applicant)
    assert [k for k, _t in told] == ["missing", "accept", "agency", "agency_step", "done"]
    assert "结婚证" in told[0][1] and "街道民政科" in told[2][1]
    notice = Notice.objects.filter(user=applicant, kind="done").get()
    assert notice.ref == f"hall.application:{app.pk}" and notice.url.endswith(f"/hall/applications/{app.pk}/")
    other = app_in_state("submitted")
    application_transition(application=other, name="refuse", actor=community_staff, data={"reason": "不属本社区"})
    assert _told(applicant)[-1][0] == "refuse" and "不属本社区" in _told(applicant)[-1][1]


@pytest.mark.django_db(transaction=True)
def test_no_notice_for_a_rolled_back_step(app_in_state, applicant, community_staff):
    from django.db import transaction

    app = app_in_state("submitted")
    with pytest.raises(RuntimeError), transaction.atomic():
        application_transition(application=app, name="accept", actor=community_staff)
        assert [k for k, _t in _told(applicant)] == ["accept"]  # written in the step's transaction
        raise RuntimeError
    assert _told(applicant) == []
    app.refresh_from_db()
    assert app.status == "submitted"
