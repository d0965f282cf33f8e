"""A resident who reported by phone without an account (a 12345 call, the QR form) is told by SMS when
the case is accepted, answered and closed, with the link to follow it; nothing else goes to the phone."""

from __future__ import annotations

import logging

import pytest

from linli.cases.actions import case_transition
from linli.cases.workflow import CaseStatus
from linli.notifications.models import Delivery, Notice

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def test_a_phone_only_reporter_gets_an_sms_at_each_step(
    make_case, actors, settings, caplog, django_capture_on_commit_callbacks
):
    settings.LINLI_PUBLIC_URL = "https://linli.example.cn"
    with django_capture_on_commit_callbacks(execute=True):  # committed, as in use: its wake-up has run
        case = make_case(actor=None, channel="hotline", reporter_phone=PHONE)
    assert case.reporter_id is None
    steps = [
        ("accept", "staff", {}),
        ("dispatch", "staff", {}),
        ("sign", "worker", {}),
        ("handle", "worker", {}),
        ("report", "worker", {"reply": "已修复"}),
        ("verify", "staff", {}),
        ("rate", None, {"satisfaction": "satisfied", "solved": True}),
        ("close", "staff", {}),
    ]
    with caplog.at_level(logging.INFO, logger="linli.notifications"):
        for name, who, data in steps:
            with django_capture_on_commit_callbacks(execute=True):
                case = case_transition(case=case, name=name, actor=actors[who] if who else None, data=data)
    sms = Notice.objects.filter(ref=f"cases.case:{case.pk}", user__isnull=True)
    assert list(sms.order_by("id").values_list("kind", flat=True)) == ["accept", "verify", "close"]
    assert {n.phone for n in sms} == {PHONE}
    # Each names the state the case moved to, not the one it left.
    assert str(CaseStatus.ACCEPTED.label) in sms.get(kind="accept").text
    assert str(CaseStatus.CLOSED.label) in sms.get(kind="close").text
    assert set(Delivery.objects.filter(notice__in=sms).values_list("channel", "status")) == {("sms", "sent")}
    lines = [r.getMessage() for r in caplog.records if r.name == "linli.notifications"]
    link = f"https://linli.example.cn/cases/mine/{case.number}"
    assert len(lines) == 3 and all(link in line and "139****5678" in line for line in lines)
    assert PHONE not in " ".join(lines)


def test_a_reporter_with_an_account_is_told_in_the_inbox_not_by_sms(case_in_state, resident):
    case = case_in_state("accepted")
    notice = Notice.objects.get(user=resident, kind="accept")
    assert notice.url == f"/cases/mine/{case.number}"
    assert not Notice.objects.filter(user__isnull=True).exists()
