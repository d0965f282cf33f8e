"""Applying, the deadline on the working-day calendar, the missing-materials list, agency steps, rating,
and the applicant told at each step (after commit only)."""

from __future__ import annotations

import datetime as dt
import logging

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


@pytest.mark.django_db(transaction=True)
def test_the_applicant_is_told_at_each_step_after_commit(app_in_state, applicant, community_staff, caplog):
    caplog.set_level(logging.INFO, logger="linli.hall.notify")
    app = app_in_state("submitted")
    caplog.clear()
    application_transition(application=app, name="request_materials", actor=community_staff,
                           data={"missing": ["结婚证"]})
    told = [r.getMessage() for r in caplog.records if f"user {applicant.pk}:" in r.getMessage()]
    assert len(told) == 1 and "结婚证" in told[0]
    caplog.clear()
    application_transition(application=app, name="resubmit", actor=applicant)
    application_transition(application=app, name="accept", actor=community_staff)
    told = [r.getMessage() for r in caplog.records if f"user {applicant.pk}:" in r.getMessage()]
    assert len(told) == 1 and "accept" in told[0]


@pytest.mark.django_db(transaction=True)
def test_no_notice_for_a_rolled_back_step(app_in_state, applicant, community_staff, caplog):
    from django.db import transaction

    app = app_in_state("submitted")
    caplog.set_level(logging.INFO, logger="linli.hall.notify")
    caplog.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        application_transition(application=app, name="accept", actor=community_staff)
        raise RuntimeError
    assert not [r for r in caplog.records if f"user {applicant.pk}:" in r.getMessage()]
    app.refresh_from_db()
    assert app.status == "submitted"
