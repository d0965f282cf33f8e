"""Hall test helpers: a resident with a registry person in grid A, applications driven through the actions."""

from __future__ import annotations

import itertools

import pytest

_phones = itertools.count(13700000001)


@pytest.fixture
def applicant(world):
    """A resident account with their registry person (same phone) living in grid A."""
    from linli.core.testing.personas import make_user
    from linli.residents.actions import person_create

    phone = str(next(_phones))
    user = make_user("applicant_a", "resident", place=world.grid_a, phone=phone)
    person_create(actor=None, name="王秀英", place=world.grid_a, phone=phone, current_address="幸福里3幢2单元101")
    return user


@pytest.fixture
def catalog(db):
    """The default catalog (made by a migration; made again after a transactional test flushed it)."""
    from linli.hall.catalog import ensure_default_catalog
    from linli.hall.models import ServiceItem

    ensure_default_catalog(ServiceItem)


@pytest.fixture
def service(catalog):
    from linli.hall.models import ServiceItem

    return ServiceItem.objects.get(code="residence_proof", place__isnull=True)


@pytest.fixture
def agency_service(catalog):
    from linli.hall.models import ServiceItem

    return ServiceItem.objects.get(code="minimum_living", place__isnull=True)


@pytest.fixture
def submit(applicant, service):
    from linli.hall.actions import application_submit

    def _submit(svc=None, **kwargs):
        return application_submit(actor=applicant, service=svc or service, details=kwargs.pop("details", "办理入学"),
                                  **kwargs)

    return _submit


# How to reach each state through the real actions: (action, who) steps from "submitted".
PATHS: dict[str, list[tuple[str, str]]] = {
    "submitted": [],
    "missing": [("request_materials", "staff")],
    "accepted": [("accept", "staff")],
    "in_progress": [("accept", "staff"), ("start_agency", "staff")],
    "done": [("accept", "staff"), ("complete", "staff")],
    "rated": [("accept", "staff"), ("complete", "staff"), ("rate", "applicant")],
    "refused": [("refuse", "staff")],
    "withdrawn": [("withdraw", "applicant")],
}
DATA: dict[str, dict] = {
    "request_materials": {"missing": ["户口簿原件及复印件"]},
    "start_agency": {"office": "街道民政科"},
    "agency_step": {"note": "材料已送街道民政科审核"},
    "refuse": {"reason": "不属于本社区办理范围"},
    "rate": {"satisfaction": "satisfied"},
    "resubmit": {"note": "已补交"},
    "complete": {"purpose": "子女入学"},
}
WHO = {"accept": "staff", "request_materials": "staff", "resubmit": "applicant", "start_agency": "staff",
       "agency_step": "staff", "complete": "staff", "refuse": "staff", "withdraw": "applicant", "rate": "applicant"}


@pytest.fixture
def app_in_state(submit, applicant, community_staff, agency_service):
    from linli.hall.actions import application_transition

    def _make(state: str, svc=None):
        app = submit(svc or agency_service)
        for name, who in PATHS[state]:
            actor = applicant if who == "applicant" else community_staff
            app = application_transition(application=app, name=name, actor=actor, data=DATA.get(name))
        assert app.status == state
        return app

    return _make
