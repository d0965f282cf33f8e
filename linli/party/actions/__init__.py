"""Every write of the party part: ``org``, ``members``, ``registrations``, ``meetings``, ``partners``.
The 三单制 orders and 微心愿 wishes are their own app (``linli.orders``)."""

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
