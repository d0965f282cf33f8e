"""Issue 10, item 3: the audit log's details read in the user's language, coded values included. The test
walks every ``audit_record(...)`` written in the code (ast) and every ``pii_reveal(...)``: a literal coded
value, or a field with choices put in a detail, must read by its label (``core.views.detail_text``); so must
every permission a reveal may check. A new audit key whose values no label covers fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from linli.core.views import audit_value_labels, detail_text

LINLI = Path(settings.BASE_DIR) / "linli"
# Values that are not codes: names, numbers, dates, paths, free text.
CODE = re.compile(r"^[a-z][a-z0-9]*(?:[._][a-z0-9]+)*$")


def _calls(name: str):
    for path in LINLI.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == name
            ):
                yield path, node


def _kw(node: ast.Call, name: str):
    return next((k.value for k in node.keywords if k.arg == name), None)


def _app_of(action: str):
    label = {"registry": "residents", "pii": "core"}.get(action.split(".")[0], action.split(".")[0])
    try:
        return apps.get_app_config(label)
    except LookupError:
        return None


def _choices_named(config, attr: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for model in config.get_models():
        for f in model._meta.concrete_fields:
            if f.name == attr and f.choices:
                out.update({str(v): str(lbl) for v, lbl in f.flatchoices})
    return out


def _literals(node: ast.expr) -> list[str]:
    """The strings a detail value may be: a constant, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _audited_values():
    """(where, action, key, value) of every coded value the code writes into an audit detail."""
    for path, node in _calls("audit_record"):
        action_node, detail = _kw(node, "action"), _kw(node, "detail")
        if not isinstance(action_node, ast.Constant) or not isinstance(detail, ast.Dict):
            continue
        action = action_node.value
        where = f"{path.relative_to(LINLI)}:{node.lineno}"
        for key_node, value in zip(detail.keys, detail.values, strict=True):
            if not isinstance(key_node, ast.Constant):
                continue
            key = key_node.value
            for literal in _literals(value):
                if CODE.match(literal):
                    yield where, action, key, literal
            # A field with choices (place.kind, job.status, rule.device_kind): every choice of that name in
            # the writing app.
            if isinstance(value, ast.Attribute) and (config := _app_of(action)) is not None:
                for choice in _choices_named(config, value.attr):
                    yield where, action, key, choice


@pytest.mark.django_db
def test_every_coded_value_written_to_the_audit_log_reads_by_its_label():
    raw = []
    seen = 0
    with translation.override("zh-hans"):
        for where, action, key, value in _audited_values():
            seen += 1
            if value not in audit_value_labels(action, key) and not isinstance(
                _value_label(action, key, value), str
            ):
                raw.append(f"{where} {action} {key}={value}")
    assert seen > 50, "the walk found the audit calls"
    assert not raw, "coded values shown raw in the audit log:\n" + "\n".join(sorted(set(raw)))


def _value_label(action: str, key: str, value: str):
    """The label detail_text shows for one value, or None when it shows the value itself."""
    text = detail_text(action, {key: value})
    shown = text.split(": ", 1)[1]
    return None if shown == value else shown


@pytest.mark.django_db
def test_every_permission_and_revealed_field_reads_by_name():
    from linli.accounts.roles import ROLE_PERMISSIONS

    perms = set().union(*ROLE_PERMISSIONS.values())
    fields = set()
    for _path, node in _calls("pii_reveal"):
        field = _kw(node, "field")
        if isinstance(field, ast.Constant):
            fields.add(field.value)
    fields |= {"id_number", "phone", "name"}
    with translation.override("zh-hans"):
        assert [p for p in sorted(perms) if _value_label("pii.unmask", "perm", p) is None] == []
        assert [f for f in sorted(fields) if _value_label("pii.unmask", "field", f) is None] == []
        # Several fields revealed at once (a dispute's party: name and phone) read by name too.
        text = detail_text("pii.unmask", {"field": "name,phone", "perm": "mediation.unmask"})
        assert "name" not in text and "mediation.unmask" not in text and "权限" in text and "项目" in text


@pytest.mark.django_db
def test_a_raw_code_is_caught():
    """The check itself: a value nobody registered shows raw and is found."""
    assert _value_label("pii.unmask", "perm", "nobody.registered_this") is None
    assert _value_label("pii.unmask", "perm", "registry.unmask") not in (None, "registry.unmask")


def _audited_keys():
    """(where, key) of every literal key the code writes into an audit detail (audit_record, pii_reveal)."""
    for name in ("audit_record", "audit_record_many", "pii_reveal"):
        for path, node in _calls(name):
            detail = _kw(node, "detail")
            if isinstance(detail, ast.Dict):
                for key_node in detail.keys:
                    if isinstance(key_node, ast.Constant):
                        yield f"{path.relative_to(LINLI)}:{node.lineno}", key_node.value


def test_every_key_written_to_the_audit_log_reads_in_the_users_language():
    """The detail's keys, not only its coded values: 金额: 5, never amount: 5."""
    with translation.override("zh-hans"):
        raw = sorted({f"{where} {key}" for where, key in _audited_keys()
                      if detail_text("any.action", {key: 1}).split(": ", 1)[0] == key})
        shown = detail_text("points.award", {"amount": 5, "reporter_phone": "***"})
    assert len({key for _where, key in _audited_keys()}) > 100, "the walk found the audit calls"
    assert not raw, "keys shown raw in the audit log:\n" + "\n".join(raw)
    assert shown == "金额: 5; 反映人电话: ***"
