"""No log line carries a full ID number or phone.

- ``MaskPersonalDataFilter`` (every handler of ``LOGGING``): masks ID numbers and mobile numbers in the
  message (``mask_text``) and redacts the values of query strings (``redact_urls``), so the request
  lines of the development server (``django.server``) and any URL a message quotes are safe.
- ``RedactingGunicornLogger`` (``gunicorn.conf.py``): gunicorn's access log writes the request line, the
  query string and the referrer with query values redacted; its error log goes through the same filter.

Query values are redacted whatever their parameter, except a few that never carry personal data
(paging, filters by id or code): a search word may be a full number written in any way (full-width
digits, spaces, ``%20``), which no pattern could promise to catch.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

from linli.core.masking import mask_text

REDACTED = "-"
# Parameters whose values are ids, codes, flags or cursors, kept for debugging.
SAFE_PARAMS = frozenset({
    "after", "size", "page", "status", "tag", "place", "full", "kind", "tab", "format", "lang", "category",
    "month", "year", "community", "grid", "street", "district", "ordering", "order", "level", "day", "state",
})
_QUERY_RE = re.compile(r"\?([^\s\"'<>#]*)")


def redact_query_string(query: str) -> str:
    """``q=13812345678&after=5`` → ``q=-&after=5``."""
    if not query:
        return query
    parts = []
    for pair in query.split("&"):
        key, sep, value = pair.partition("=")
        name = unquote_plus(key).strip().lower()
        if not sep:
            parts.append(REDACTED if pair else pair)
        elif name in SAFE_PARAMS and value.replace("-", "").replace("_", "").isalnum() and len(value) <= 32:
            parts.append(pair)
        else:
            parts.append(f"{key}={REDACTED}" if len(key) <= 32 and key.replace("_", "").isalnum() else REDACTED)
    return "&".join(parts)


def redact_urls(text: str) -> str:
    """Every ``?query`` in ``text`` with its values redacted (paths stay)."""
    if not text or "?" not in text:
        return text
    return _QUERY_RE.sub(lambda m: "?" + redact_query_string(m.group(1)), text)


def redact(text: str) -> str:
    return mask_text(redact_urls(text))


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        # A traceback quotes what the failing code held (an exception's message with a row's ID number):
        # format it now, masked; the formatter then writes this text instead of formatting it again.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


try:  # gunicorn is a production dependency; the development server does not need it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingGunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with query values redacted from the access log and the error log masked."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(MaskPersonalDataFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact(atoms.get("r", ""))
        atoms["q"] = redact_query_string(atoms.get("q", ""))
        atoms["f"] = redact(atoms.get("f", ""))
        # {raw_uri} and headers are not in the default format; an operator who adds them gets them masked.
        return {k: (redact(v) if isinstance(v, str) and k not in ("r", "q", "f") and "?" in v else v)
                for k, v in atoms.items()}
