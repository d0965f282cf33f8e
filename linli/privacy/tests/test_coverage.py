"""The anonymisation after the retention period covers every model (the class of defect, not the instance):

- every model of a Linli app that may hold something of a person — a key to a registry person or a login,
  free text, JSON or a file — is declared in its app's ``privacy.py``: in ``ANONYMISED`` (its ``anonymise``
  rewrites it) or in ``NOTHING_PERSONAL`` with why. A new model that is in neither fails here;
- the append-only tables let the anonymisation blank their free-text columns and nothing else, and only
  inside its redaction window (``core.append_only.Redactable``, the audit log's migration 0008); the
  SQLite triggers list every other column, and fail here when the table gains one they do not list.

That the declared models really lose the person is ``test_anonymise.py`` (every text column of every
table read with SQL after a history in every app).
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from linli.core.append_only import redact, redaction

REDACTABLE_MIGRATIONS = {
    "core.AuditEntry": "linli.core.migrations.0009_redaction",
    "points.PointsEntry": "linli.points.migrations.0006_ledger_redactable",
    "points.HoursEntry": "linli.points.migrations.0007_hours_redactable",
    "deliberation.LedgerEntry": "linli.deliberation.migrations.0007_ledger_redactable",
}


def _may_hold_a_person(model) -> list[str]:
    from linli.accounts.models import User
    from linli.residents.models import Person

    return [
        f.name for f in model._meta.concrete_fields
        if (f.is_relation and f.related_model in (Person, User))
        or (isinstance(f, models.CharField | models.TextField) and not f.choices)
        or isinstance(f, models.JSONField | models.FileField)
    ]


def _declarations() -> dict[str, tuple[str, str]]:
    """label → (ANONYMISED | NOTHING_PERSONAL, what or why), from every app's privacy.py."""
    from linli.privacy import actions as privacy_actions
    from linli.privacy.selectors import privacy_modules

    found: dict[str, tuple[str, str]] = {}
    doubled = []
    for module in [*privacy_modules(), privacy_actions]:
        app = module.__name__.split(".")[1]
        for kind in ("ANONYMISED", "NOTHING_PERSONAL"):
            for name, text in getattr(module, kind, {}).items():
                label = f"{app}.{name}"
                if label in found:
                    doubled.append(label)
                found[label] = (kind, text)
    assert doubled == [], f"declared twice: {doubled}"
    return found


def test_every_model_that_may_hold_a_person_is_declared():
    declared = _declarations()
    missing = sorted(
        m._meta.label for m in apps.get_models()
        if m.__module__.startswith("linli.") and _may_hold_a_person(m) and m._meta.label not in declared
    )
    assert missing == [], (
        "declare these in their app's privacy.py: ANONYMISED (and blank them in anonymise) or NOTHING_PERSONAL "
        f"with why: {missing}"
    )
    stale = sorted(label for label in declared if not _model(label))
    assert stale == [], f"declared but no such model: {stale}"
    assert all(text.strip() for _kind, text in declared.values()), "every declaration says what or why"


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def test_every_app_that_anonymises_a_model_has_the_hook():
    from linli.privacy.selectors import privacy_modules

    without = [m.__name__ for m in privacy_modules()
               if getattr(m, "ANONYMISED", None) and not hasattr(m, "anonymise")
               and m.__name__ != "linli.core.privacy"]  # the audit log: linli.privacy rewrites it itself
    assert without == []


def test_the_check_can_fail(monkeypatch):
    """Take one declaration away: the first test's check names the model."""
    from linli.mediation import privacy as mediation

    monkeypatch.delitem(mediation.ANONYMISED, "Agreement")
    declared = _declarations()
    assert "mediation.Agreement" not in declared
    assert _may_hold_a_person(apps.get_model("mediation.Agreement"))


@pytest.mark.parametrize("label", sorted(REDACTABLE_MIGRATIONS))
def test_the_redactable_triggers_name_every_column(label):
    model = apps.get_model(label)
    module = import_module(REDACTABLE_MIGRATIONS[label])
    if label == "core.AuditEntry":
        kept, redactable = module.KEPT, module.REDACTABLE
    else:
        kept, redactable = module.TRIGGERS.kept, module.TRIGGERS.redactable
    assert model._meta.db_table == module.TABLE
    columns = {f.column for f in model._meta.concrete_fields}
    assert set(kept) | set(redactable) == columns, "a new column must be listed in a new trigger migration"
    assert not set(kept) & set(redactable)
    assert tuple(model.redactable_fields) == tuple(redactable)
    # The flush of the test-suite restores these triggers, not older ones.
    from linli.core.management.commands import flush

    declared = [import_module(p).TABLE for c in apps.get_app_configs() for p in flush._trigger_modules(c)]
    if label != "core.AuditEntry":
        assert module.TABLE in declared
        config = apps.get_app_config(model._meta.app_label)
        assert REDACTABLE_MIGRATIONS[label] in flush._trigger_modules(config)
    else:
        assert flush._TRIGGERS is module


def _raw_update(model, pk, **values) -> None:
    models.QuerySet.update(model._base_manager.filter(pk=pk), **values)


def _refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db
def test_append_only_tables_let_the_anonymisation_blank_free_text_only(world):
    from linli.core.audit import audit_record
    from linli.core.models import AuditEntry
    from linli.points.models import EntryKind, PointsEntry
    from linli.residents.actions import person_create

    person = person_create(actor=None, name="上官守拙", place=world.grid_a)
    entry = PointsEntry.objects.create(person=person, amount=5, kind=EntryKind.AWARD, source="test:1",
                                       note="上官守拙帮邻居修水管", at=timezone.now())
    audit = audit_record(action="test.old_row", actor=None, actor_name="system", target_type="residents.person",
                         target_id=person.pk, target_repr="上官守拙")

    # Outside a redaction window: nothing changes, not even a note.
    assert _refused(lambda: _raw_update(PointsEntry, entry.pk, note=""))
    assert _refused(lambda: _raw_update(AuditEntry, audit.pk, target_repr=""))
    # Inside: the free text, and only that.
    with transaction.atomic(), redaction():
        assert _refused(lambda: _raw_update(PointsEntry, entry.pk, amount=500))
        assert _refused(lambda: _raw_update(PointsEntry, entry.pk, note="", amount=500))
        assert _refused(lambda: _raw_update(AuditEntry, audit.pk, action="test.other"))
        assert _refused(lambda: models.QuerySet.delete(PointsEntry._base_manager.filter(pk=entry.pk)))
        with pytest.raises(ValueError):
            redact(PointsEntry._base_manager.filter(pk=entry.pk), amount=1)
        assert redact(PointsEntry._base_manager.filter(pk=entry.pk), note="", actor_name="") == 1
        assert redact(AuditEntry.objects.filter(pk=audit.pk), target_repr="#1 已**") == 1
    entry = PointsEntry.objects.get(pk=entry.pk)
    assert (entry.note, entry.amount) == ("", 5)
    assert AuditEntry.objects.get(pk=audit.pk).target_repr == "#1 已**"
    # The window closed with its transaction: refused again.
    from linli.core.models import Redaction

    assert not Redaction.objects.exists()
    assert _refused(lambda: _raw_update(PointsEntry, entry.pk, note="again"))


@pytest.mark.django_db
def test_the_money_ledger_keeps_its_amounts(world):
    from linli.deliberation.models import Ledger, LedgerEntry

    ledger = Ledger.objects.create(name="公益金", kind="fund", community=world.community, community_path=world.community.path)
    row = LedgerEntry.objects.create(ledger=ledger, kind="donation", amount_fen=1000, balance_after_fen=1000,
                                     counterparty="上官守拙", note="上官守拙捐款", at=timezone.now())
    assert _refused(lambda: _raw_update(LedgerEntry, row.pk, counterparty=""))
    with transaction.atomic(), redaction():
        assert _refused(lambda: _raw_update(LedgerEntry, row.pk, counterparty="", amount_fen=1))
        redact(LedgerEntry._base_manager.filter(pk=row.pk), counterparty="", note="")
    row = LedgerEntry._base_manager.get(pk=row.pk)
    assert (row.counterparty, row.note, row.amount_fen, row.balance_after_fen) == ("", "", 1000, 1000)
