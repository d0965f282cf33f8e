"""Every transition table in the code runs through the one runner (linli.core.workflow): the test walks
every app's workflow modules for tables and fails for one that no registered ``Spec`` runs."""

from __future__ import annotations

import importlib
import pkgutil

from django.apps import apps

from linli.core.workflow import SPECS, Transition


def _build_specs(module) -> None:
    """Call the module's spec builders (``def <name>spec() -> Spec``, no arguments): a Spec registers
    itself when built."""
    import inspect

    for name, value in vars(module).items():
        builder = name.endswith("spec") and inspect.isfunction(value) and value.__module__ == module.__name__
        if builder and not any(p.default is p.empty for p in inspect.signature(value).parameters.values()):
            value()


def _import_actions() -> None:
    """Import every app's actions (a module or a package) and build their specs."""
    for app in apps.get_app_configs():
        if not app.name.startswith("linli."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.actions")
        except ModuleNotFoundError:
            continue
        _build_specs(module)
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            _build_specs(importlib.import_module(f"{module.__name__}.{info.name}"))


def _tables() -> dict[str, dict[str, Transition]]:
    found = {}
    for app in apps.get_app_configs():
        if not app.name.startswith("linli."):
            continue
        for name in ("workflow",):
            try:
                module = importlib.import_module(f"{app.name}.{name}")
            except ModuleNotFoundError:
                continue
            for attr, value in vars(module).items():
                if isinstance(value, dict) and value and all(isinstance(v, Transition) for v in value.values()):
                    found[f"{module.__name__}.{attr}"] = value
    return found


def test_every_transition_table_runs_through_the_one_runner():
    _import_actions()
    tables = _tables()
    assert len(tables) >= 8  # cases, registrations, orders, wishes, activities, volunteers, redemptions, selections
    run_by = {id(spec.table): prefix for prefix, spec in SPECS.items()}
    missing = sorted(name for name, table in tables.items() if id(table) not in run_by)
    assert not missing, f"tables with no Spec on the runner: {missing}"


def test_every_spec_fits_its_models():
    _import_actions()
    for prefix, spec in SPECS.items():
        fields = {f.name for f in spec.model._meta.concrete_fields}
        assert "status" in fields, prefix
        choices = {value for value, _label in spec.model._meta.get_field("status").choices}
        for t in spec.table.values():
            assert t.sources <= choices, (prefix, t.name)
            assert t.target is None or t.target in choices, (prefix, t.name)
            assert t.name in spec.apply, (prefix, t.name)
        event_fields = {f.name for f in spec.event_model._meta.concrete_fields}
        assert {spec.event_fk, "kind", "at"} <= event_fields, prefix
