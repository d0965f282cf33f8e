from __future__ import annotations

import pytest

from linli.notifications.senders import senders_reset


@pytest.fixture(autouse=True)
def _fresh_senders():
    senders_reset()
    yield
    senders_reset()


@pytest.fixture
def sms_gateway(settings):
    """The HTTP SMS sender pointed at a fake gateway on loopback."""
    from linli.notifications.tests.gateway import Gateway

    with Gateway() as gw:
        settings.LINLI_SMS_GATEWAY_URL = gw.url
        settings.LINLI_SMS_GATEWAY_TOKEN = "t0ken"
        settings.LINLI_NOTICE_SENDERS = {**settings.LINLI_NOTICE_SENDERS, "sms": "linli.notifications.senders.HttpSmsSender"}
        senders_reset()
        yield gw
