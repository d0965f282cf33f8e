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

        # The substring index's function on every SQLite connection (its triggers call it).
        from django.db.backends.signals import connection_created

        from linli.residents.search_index import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="residents_search_text")

        # Imports whose worker died are ended, not left "writing 52%" forever.
        from linli.core.jobs import job_reaper_register
        from linli.residents.actions.imports import import_jobs_reap

        job_reaper_register("residents.import", import_jobs_reap)


def _person_field_labels() -> dict[str, str]:
    from linli.residents.models import Person

    return {f.name: str(f.verbose_name) for f in Person._meta.concrete_fields}
