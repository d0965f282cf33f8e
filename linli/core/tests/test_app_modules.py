"""One way to reach the apps' extension modules (home, demo, privacy): core.apps.app_modules."""

from __future__ import annotations

import pytest
from django.conf import settings

from linli.core.apps import app_modules


def test_the_modules_come_in_installed_apps_order_without_the_one_asking():
    names = [m.__name__ for m in app_modules("privacy", skip="linli.privacy")]
    order = [a for a in settings.INSTALLED_APPS if f"{a}.privacy" in names]
    assert names == [f"{a}.privacy" for a in order] and "linli.privacy.privacy" not in names
    assert "linli.residents.privacy" in names and all(n.startswith("linli.") for n in names)
    assert app_modules("no_such_extension") == []


def test_an_import_error_inside_an_extension_is_not_taken_for_its_absence(monkeypatch):
    def broken_find(name, *args, **kwargs):
        if name == "linli.cases.home":
            raise ModuleNotFoundError("No module named 'a_missing_dependency'", name="a_missing_dependency")
        return real(name, *args, **kwargs)

    import importlib

    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", broken_find)
    with pytest.raises(ModuleNotFoundError):
        app_modules("home", skip="linli.accounts")
