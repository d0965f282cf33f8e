"""三单制 orders and 微心愿 wishes (PRODUCT.md §3)."""

from __future__ import annotations

from django.db import models  # noqa: F401

__all__: list[str] = []
