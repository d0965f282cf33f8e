"""A resident's correction request (PIPL Art. 46): requested → accepted (applied to the registry through
``linli.residents.actions.person_update``) or refused with a reason; the resident may withdraw it while
it waits. The table is ``CORRECTION_TRANSITIONS``, run by the one runner (``linli.core.workflow``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import covers, perms_of, table, transition

# Community staff who may change the registry decide on corrections of the persons in their scope.
PERM_DECIDE = "registry.change"

# The fields a resident may ask to correct (the registry's own editable fields, less the staff's notes):
# field → its label. Sex follows the ID number (GB 11643), so it is corrected through the ID number.
CORRECTABLE_FIELDS: dict[str, Any] = {
    "name": _("Name"),
    "id_number": _("ID number"),
    "phone": _("Phone"),
    "ethnicity": _("Ethnicity"),
    "political_status": _("Political status"),
    "registered_address": _("Household registration address"),
    "current_address": _("Current address"),
}
# At most this many requests of one person wait at a time (a bound, not a queue to flood).
OPEN_PER_PERSON = 5


class CorrectionStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting")
    ACCEPTED = "accepted", _("Corrected")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


C = CorrectionStatus
OPEN_STATES = (C.REQUESTED,)


def is_registry_staff(obj: Any, user: Any) -> bool:
    """Staff who may change the registry over the person decide; never on their own request."""
    return (PERM_DECIDE in perms_of(user) and "registry.view" in perms_of(user) and covers(user, obj.place_path)
            and obj.requester_id != user.pk)


def is_requester(obj: Any, user: Any) -> bool:
    return obj.requester_id is not None and obj.requester_id == user.pk


CORRECTION_TRANSITIONS = table(
    [
        transition("accept", _("Accept and correct"), [C.REQUESTED], C.ACCEPTED, [is_registry_staff],
                   style="success"),
        transition("refuse", _("Refuse"), [C.REQUESTED], C.REFUSED, [is_registry_staff], required=["reason"],
                   style="outline-danger"),
        transition("withdraw", _("Withdraw"), [C.REQUESTED], C.WITHDRAWN, [is_requester], style="outline-secondary"),
    ]
)
