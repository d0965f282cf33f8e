from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "linli.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")

    # The money ledger's append-only triggers: the test-suite's ``flush`` (linli/core) lifts them for the flush.
    append_only_triggers = ["linli.deliberation.migrations.0007_ledger_redactable"]

    def ready(self) -> None:
        from linli.core.media import media_register
        from linli.deliberation.media import project_photo_visible

        media_register("deliberation/projects/", project_photo_visible)
