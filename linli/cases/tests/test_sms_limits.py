"""One-time SMS codes are limited per phone and per address, in the database: twenty sessions asking
for a code for one number send at most the allowed number of messages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

SENT: list[tuple[str, str]] = []


def record_sms(phone: str, text: str, *, dedupe_key: str = "") -> None:
    SENT.append((phone, text))


@pytest.fixture
def sms(monkeypatch):
    SENT.clear()
    monkeypatch.setattr("linli.notifications.senders.sms_send_now", record_sms)
    return SENT


def test_twenty_sessions_get_at_most_the_allowed_codes_for_one_phone(db, sms, settings):
    for i in range(20):
        client = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")  # a new session, and a new address, every time
        client.post(reverse("cases:phone_code"), {"phone": "13812345678", "next": "/cases/mine"})
    assert len(sms) == settings.LINLI_SMS_PER_PHONE_HOUR == 3
    assert {p for p, _ in sms} == {"13812345678"}


def test_one_address_gets_at_most_the_allowed_codes_for_many_phones(db, sms, settings):
    for i in range(20):
        client = Client(REMOTE_ADDR="10.9.9.9")
        client.post(reverse("cases:phone_code"), {"phone": f"1390000{i:04d}", "next": "/cases/mine"})
    assert len(sms) == settings.LINLI_SMS_PER_ADDRESS_HOUR == 10


def test_refused_request_says_so(db, sms, settings):
    settings.LINLI_SMS_PER_PHONE_HOUR = 1
    Client().post(reverse("cases:phone_code"), {"phone": "13812345678", "next": "/cases/mine"})
    response = Client().post(reverse("cases:phone_code"), {"phone": "13812345678", "next": "/cases/mine"},
                             follow=True)
    assert len(sms) == 1
    assert "请稍后再试" in response.content.decode() or "try again later" in response.content.decode()
