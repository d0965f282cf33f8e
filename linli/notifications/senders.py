"""Pluggable senders, one per outside channel, chosen by settings (config/settings.py reads the env):

- SMS: ``HttpSmsSender`` posts JSON to ``LINLI_SMS_GATEWAY_URL`` (bearer ``LINLI_SMS_GATEWAY_TOKEN``)
  with ``{"phone", "text", "dedupe_key"}``; the gateway (the operator's adapter in front of the carrier
  account) drops a repeated dedupe key;
- WeChat: ``WechatTemplateSender`` sends a template message (``LINLI_WECHAT_APPID``/``_SECRET``/
  ``_TEMPLATE_ID``) to the recipient's OpenID, with the dedupe key as ``client_msg_id``;
- e-mail: ``EmailSender`` through Django's mail (``EMAIL_*`` settings) with the dedupe key as the
  Message-ID, so a repeat is one message in the recipient's client;
- ``ConsoleSender`` for every channel not configured: one log line, the phone number masked.

A sender raises ``Retry`` for a failure worth trying again (the gateway is down, a 5xx) and ``Reject``
for one that is not (no address, a 4xx); anything else counts as ``Retry``.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from linli.core.masking import mask_phone

logger = logging.getLogger("linli.notifications")


class Retry(Exception):
    """Try again later (with backoff)."""


class Reject(Exception):
    """Give up: trying again would fail the same way."""


@dataclass(frozen=True)
class Message:
    channel: str
    text: str
    url: str  # absolute, or "" (the SMS carries it at the end)
    kind: str
    ref: str
    dedupe_key: str
    user_id: int | None = None
    phone: str = ""
    email: str = ""
    wechat_openid: str = ""
    name: str = ""

    @property
    def body(self) -> str:
        return f"{self.text} {self.url}".strip() if self.url else self.text


class Sender(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleSender:
    """The default: the message goes to the log (a demo, a development machine)."""

    def send(self, message: Message) -> None:
        to = mask_phone(message.phone) if message.phone else f"user {message.user_id}"
        logger.info("%s to %s [%s]: %s", message.channel.upper(), to, message.dedupe_key, message.body)


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (the operator's configured https URL)
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise Reject(f"HTTP {exc.code}") from exc
        raise Retry(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Retry(str(exc)[:200]) from exc
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {}


class HttpSmsSender:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10.0):
        self.url = url or settings.LINLI_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.LINLI_SMS_GATEWAY_TOKEN
        self.timeout = timeout

    def send(self, message: Message) -> None:
        if not message.phone:
            raise Reject("no phone number")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers["Idempotency-Key"] = message.dedupe_key
        _post_json(
            self.url,
            {"phone": message.phone, "text": message.body, "dedupe_key": message.dedupe_key},
            headers,
            self.timeout,
        )


class WechatTemplateSender:
    """WeChat Official Account template messages (``message/template/send``); the access token is
    fetched with the app id and secret and kept until shortly before it expires."""

    API = "https://api.weixin.qq.com/cgi-bin"

    def __init__(self) -> None:
        self._token = ""
        self._token_until = 0.0

    def _access_token(self) -> str:
        if self._token and time.time() < self._token_until:
            return self._token
        url = (
            f"{self.API}/token?grant_type=client_credential"
            f"&appid={settings.LINLI_WECHAT_APPID}&secret={settings.LINLI_WECHAT_SECRET}"
        )
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise Retry(str(exc)[:200]) from exc
        if "access_token" not in answer:
            raise Retry(f"token: {answer.get('errcode')}")
        self._token = answer["access_token"]
        self._token_until = time.time() + int(answer.get("expires_in", 7200)) - 300
        return self._token

    def send(self, message: Message) -> None:
        if not message.wechat_openid:
            raise Reject("no WeChat OpenID")
        payload = {
            "touser": message.wechat_openid,
            "template_id": settings.LINLI_WECHAT_TEMPLATE_ID,
            "url": message.url,
            "client_msg_id": message.dedupe_key,
            "data": {"thing1": {"value": message.text[:20]}, "thing2": {"value": message.text[20:40] or "-"}},
        }
        answer = _post_json(
            f"{self.API}/message/template/send?access_token={self._access_token()}", payload, {}, 10
        )
        code = int(answer.get("errcode", 0) or 0)
        if code in (40001, 42001):  # token expired: fetch a new one next time
            self._token = ""
            raise Retry(f"errcode {code}")
        if code == 43004:  # the user no longer follows the account
            raise Reject(f"errcode {code}")
        if code:
            raise Retry(f"errcode {code}")


class EmailSender:
    def send(self, message: Message) -> None:
        from django.core.mail import EmailMessage

        if not message.email:
            raise Reject("no e-mail address")
        domain = (settings.DEFAULT_FROM_EMAIL.rsplit("@", 1) + ["linli"])[1].strip(">") or "linli"
        mail = EmailMessage(
            subject=message.text[:60],
            body=message.body,
            to=[message.email],
            headers={"Message-ID": f"<{message.dedupe_key}@{domain}>"},
        )
        try:
            mail.send(fail_silently=False)
        except OSError as exc:
            raise Retry(str(exc)[:200]) from exc


_cache: dict[str, Sender] = {}


def sender_for(channel: str) -> Sender:
    """The configured sender of ``channel`` (``LINLI_NOTICE_SENDERS``), the console one by default."""
    path = settings.LINLI_NOTICE_SENDERS.get(channel) or "linli.notifications.senders.ConsoleSender"
    key = f"{channel}:{path}"
    if key not in _cache:
        _cache[key] = import_string(path)()
    return _cache[key]


def senders_reset() -> None:
    _cache.clear()


def sms_send_now(phone: str, text: str, *, dedupe_key: str) -> None:
    """An SMS that cannot wait for the outbox and must not be stored (a one-time login code): sent at
    once through the configured SMS sender."""
    sender_for("sms").send(
        Message(channel="sms", text=text, url="", kind="code", ref="", dedupe_key=dedupe_key, phone=phone)
    )
