from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "linli.residents"
    label = "residents"
    verbose_name = _("Registry")

    def restore_after_flush(self, using: str) -> None:
        """Put the built-in tags back after a flush (transactional tests): later tests read them."""
        from linli.residents.builtin import ensure_builtin_tags
        from linli.residents.models import Tag

        ensure_builtin_tags(Tag)

    def ready(self) -> None:
        # A revealed field reads by its name in the audit log (身份证号, not id_number).
        from linli.core.views import audit_value_labels_register

        audit_value_labels_register("field", _person_field_labels)
        audit_value_labels_register("field", _organisation_field_labels, actions="pii.")
        audit_value_labels_register("tag", _tag_labels, actions="residents.")
        audit_value_labels_register("relationship", _relationship_labels, actions="residents.")
        # The organisations' sheet (imported, exported) beside the registry's persons.
        for key in ("kind", "what"):
            audit_value_labels_register(key, _sheet_labels, actions="registry.")
            audit_value_labels_register(key, _sheet_labels, actions="residents.import")

        # The substring index's function on every SQLite connection (its triggers call it).
        from django.db.backends.signals import connection_created

        from linli.residents.search_index import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="residents_search_text")

        # Imports whose worker died are ended, not left "writing 52%" forever.
        from linli.core.jobs import job_reaper_register
        from linli.residents.actions.imports import import_jobs_reap

        job_reaper_register("residents.import", import_jobs_reap)

        # Large registry exports run in the worker (linli.core.export_jobs).
        from linli.residents.exports import export_kinds_register

        export_kinds_register()


def _person_field_labels() -> dict[str, str]:
    from linli.residents.models import Person

    return {f.name: str(f.verbose_name) for f in Person._meta.concrete_fields}


def _organisation_field_labels() -> dict[str, str]:
    from linli.residents.models import Organisation

    return {f.name: str(f.verbose_name) for f in Organisation._meta.concrete_fields}


def _tag_labels() -> dict[str, str]:
    from linli.residents.models import Tag

    return {code: name for code, name in Tag.objects.values_list("code", "name")}


def _relationship_labels() -> dict[str, str]:
    from linli.core.codes import RELATIONSHIP

    return dict(RELATIONSHIP.entries)


def _sheet_labels() -> dict[str, Any]:
    from linli.residents.models import ImportKind

    return dict(ImportKind.choices)
