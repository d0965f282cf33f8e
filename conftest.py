"""Test set-up shared by every app: a fresh random data key for the run, personas in a small street."""

from __future__ import annotations

import pytest

from linli.core.crypto import new_key_line

# A key made for this test run only: no key is ever written in the repository.
TEST_DATA_KEY = new_key_line()

pytest_plugins = ["linli.core.testing.personas"]


@pytest.fixture(autouse=True)
def _test_data_key_and_caches(settings):
    from django.core.cache import cache

    from linli.core import crypto

    settings.LINLI_DATA_KEY = TEST_DATA_KEY
    cache.clear()
    crypto.reset_key_ring()
    yield
    cache.clear()
    crypto.reset_key_ring()
