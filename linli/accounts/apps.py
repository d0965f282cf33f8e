from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # A role granted or revoked reads by its name in the audit log.
        from linli.accounts.roles import Role
        from linli.core.views import audit_value_labels_register

        audit_value_labels_register("role", lambda: dict(Role.choices))
