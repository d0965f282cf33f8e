"""Every write of the party part. Organisation side: ``org``, ``members``, ``registrations``, ``meetings``,
``partners``; the orders and wishes side adds its own modules below."""

from linli.party.actions.meetings import meeting_create, meeting_problem_file, meeting_update
from linli.party.actions.members import member_create, member_leave, member_update, role_assign, role_end
from linli.party.actions.org import org_close, org_create, org_move, org_set_secretary
from linli.party.actions.partners import (
    activity_create,
    agreement_create,
    partner_create,
    partner_set_active,
    partner_update,
    resource_create,
)
from linli.party.actions.registrations import (
    registration_approve,
    registration_reject,
    registration_submit,
    registration_transition,
    registration_withdraw,
)

__all__ = [
    "activity_create",
    "agreement_create",
    "meeting_create",
    "meeting_problem_file",
    "meeting_update",
    "member_create",
    "member_leave",
    "member_update",
    "org_close",
    "org_create",
    "org_move",
    "org_set_secretary",
    "partner_create",
    "partner_set_active",
    "partner_update",
    "registration_approve",
    "registration_reject",
    "registration_submit",
    "registration_transition",
    "registration_withdraw",
    "resource_create",
    "role_assign",
    "role_end",
]

# --- orders and wishes (the service part) -----------------------------------------------------------------
from linli.party.actions.orders import (  # noqa: E402
    order_accept,
    order_cancel,
    order_close,
    order_decline,
    order_dispatch,
    order_done,
    order_place,
    order_publish,
    order_rate,
    order_recall,
    order_return,
    order_take,
    order_transition,
    orders_close_unrated,
)
from linli.party.actions.wishes import (  # noqa: E402
    wish_adopt,
    wish_confirm,
    wish_fulfil,
    wish_post,
    wish_publish,
    wish_reject,
    wish_release,
    wish_transition,
    wish_withdraw,
)

__all__ += [
    "order_accept",
    "order_cancel",
    "order_close",
    "order_decline",
    "order_dispatch",
    "order_done",
    "order_place",
    "order_publish",
    "order_rate",
    "order_recall",
    "order_return",
    "order_take",
    "order_transition",
    "orders_close_unrated",
    "wish_adopt",
    "wish_confirm",
    "wish_fulfil",
    "wish_post",
    "wish_publish",
    "wish_reject",
    "wish_release",
    "wish_transition",
    "wish_withdraw",
]
