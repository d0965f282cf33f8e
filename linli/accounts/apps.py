from typing import Any

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
        # A permission checked (pii.unmask: perm), and how a login or a password change was made.
        from linli.accounts.permissions import PERMISSION_LABELS

        audit_value_labels_register("perm", lambda: PERMISSION_LABELS)
        audit_value_labels_register("by", _by_labels, actions="accounts.")
        # A user's phone revealed (pii.unmask: field).
        audit_value_labels_register("field", lambda: {"phone": _("Phone")}, actions="pii.")


def _by_labels() -> dict[str, Any]:
    return {"phone": _("Phone and code"), "username": _("User name and password"), "self": _("The user"),
            "console": _("Command line"), "administrator": _("An administrator")}
