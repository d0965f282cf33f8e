"""A logging filter that masks ID numbers and phone numbers in every record."""

from __future__ import annotations

import logging

from linli.core.masking import mask_text


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
