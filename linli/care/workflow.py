"""Care (关爱): the visit rules as data, what a visit finds, the kinds of needs and where each goes, and the
small table of a home service request (health checks, haircuts at home).

Needs found on a visit become a case (through ``linli.cases.actions.case_create``, channel ``visit``) or a
party service order (``linli.orders.actions.order_place``) in one tap; ``NEED_KINDS`` says which category.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import covers, perms_of, table, transition

PERM_VISIT = "care.visit"
PERM_VIEW = "care.view"
PERM_MANAGE = "care.manage"

# The default visit rules (staff edit them): tag code → every how many days, and after how many days
# overdue the supervisor is told as well as the visitor.
DEFAULT_RULES: tuple[tuple[str, int, int], ...] = (
    ("living_alone", 7, 3),  # 独居老人: weekly
    ("special_difficulty", 30, 7),  # 特殊困难: monthly
)


class Found(models.TextChoices):
    WELL = "well", _("Well, nothing needed")
    NEEDS = "needs", _("Needs help")
    UNWELL = "unwell", _("Unwell")
    AWAY = "away", _("Not at home")
    HOSPITAL = "hospital", _("In hospital")


class NeedKind(models.TextChoices):
    CARE = "care", _("Daily care")
    MEALS = "meals", _("Meals")
    MEDICAL = "medical", _("Medical")
    REPAIR = "repair", _("Repairs at home")
    SAFETY = "safety", _("Safety hazard")
    POLICY = "policy", _("Benefits and policy")
    COMPANY = "company", _("Company and talk")
    OTHER = "other", _("Other")


# need kind → (case category code, party order category)
NEED_KINDS: dict[str, tuple[str, str]] = {
    NeedKind.CARE: ("ELDER.CARE", "escort"),
    NeedKind.MEALS: ("ELDER.MEAL", "meals"),
    NeedKind.MEDICAL: ("ELDER.CARE", "escort"),
    NeedKind.REPAIR: ("PROP.SERVICE", "plumbing"),
    NeedKind.SAFETY: ("SAFE", "other"),
    NeedKind.POLICY: ("POLICY.SOCIAL", "errands"),
    NeedKind.COMPANY: ("ELDER.CARE", "counsel"),
    NeedKind.OTHER: ("OTHER", "other"),
}


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CASE = "case", _("Became a case")
    ORDER = "order", _("Became a service order")
    RESOLVED = "resolved", _("Resolved on the spot")


class HomeServiceKind(models.TextChoices):
    HEALTH = "health", _("Health check at home")
    HAIRCUT = "haircut", _("Haircut at home")


class HomeServiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


H = HomeServiceStatus


def is_care_staff(obj: Any, user: Any) -> bool:
    return PERM_MANAGE in perms_of(user) and covers(user, obj.place_path)


def is_provider(obj: Any, user: Any) -> bool:
    return obj.provider_id is not None and obj.provider_id == user.pk


def is_requester(obj: Any, user: Any) -> bool:
    return obj.requester_id is not None and obj.requester_id == user.pk


HOME_SERVICE_TRANSITIONS = table(
    [
        transition("schedule", _("Schedule"), [H.REQUESTED, H.SCHEDULED], H.SCHEDULED, [is_care_staff],
                   required=["provider", "when"], style="primary"),
        transition("complete", _("Done, log the visit"), [H.SCHEDULED], H.DONE, [is_provider, is_care_staff],
                   required=["note"], style="success"),
        transition("cancel", _("Cancel"), [H.REQUESTED, H.SCHEDULED], H.CANCELLED,
                   [is_requester, is_care_staff], fields=["reason"], style="outline-danger"),
    ]
)


# --- the elders' canteen (老年幸福食堂) --------------------------------------------------------------------------

PERM_ORDER_MEAL = "canteen.order"
PERM_CANTEEN = "canteen.manage"

# The default price rules (rules as data, staff edit them): (code, label, minimum age, percent of the price).
DEFAULT_PRICE_RULES: tuple[tuple[str, str, int, int], ...] = (("age60", "60岁以上老人半价", 60, 50),)


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


class MealOrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    CANCELLED = "cancelled", _("Cancelled")
