"""Every write of care goes through these functions (pages, API, tasks, demo)."""

from linli.care.actions.canteen import (
    canteen_save,
    deliveries,
    delivery_list,
    meal_order,
    meal_order_cancel,
    meal_price,
    menu_item_add,
    subsidy_rows,
    subsidy_xlsx,
)
from linli.care.actions.home import home_service_request, home_service_transition
from linli.care.actions.visits import (
    need_resolve,
    need_to_case,
    need_to_order,
    plan_assign,
    plans_sync,
    visit_log,
    visits_escalate_overdue,
)

__all__ = [
    "canteen_save",
    "deliveries",
    "delivery_list",
    "meal_order",
    "meal_order_cancel",
    "meal_price",
    "menu_item_add",
    "subsidy_rows",
    "subsidy_xlsx",
    "home_service_request",
    "home_service_transition",
    "need_resolve",
    "need_to_case",
    "need_to_order",
    "plan_assign",
    "plans_sync",
    "visit_log",
    "visits_escalate_overdue",
]
