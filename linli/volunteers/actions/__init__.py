"""Every write of the volunteers app: ``<entity>_<verb>(*, ..., actor)``; each writes its own audit row.

- volunteers, teams, talent pools: ``volunteer_register``, ``volunteer_update``, ``volunteer_set_status``,
  ``team_create``, ``team_member_add``, ``team_member_remove``, ``team_set_leader``, ``pool_create``,
  ``pool_member_add``, ``pool_member_remove``;
- activities: ``activity_create``, ``activity_update`` and one ``activity_<action>`` per row of
  ``workflow.TRANSITIONS`` (the generic door: ``activity_transition``);
- sign-ups: ``signup_create``, ``signup_cancel``, ``signup_checkin_by_token``, ``signup_checkout_by_token``,
  ``signup_checkin``, ``signup_checkout``, ``signup_verify``.
"""

from linli.volunteers.actions.activities import (
    activity_cancel,
    activity_close,
    activity_create,
    activity_finish,
    activity_publish,
    activity_reopen,
    activity_start,
    activity_transition,
    activity_update,
    activity_verify,
)
from linli.volunteers.actions.signups import (
    computed_hours,
    signup_cancel,
    signup_checkin,
    signup_checkin_by_token,
    signup_checkout,
    signup_checkout_by_token,
    signup_create,
    signup_verify,
    volunteer_of,
)
from linli.volunteers.actions.volunteers import (
    pool_create,
    pool_member_add,
    pool_member_remove,
    skill_save,
    team_create,
    team_member_add,
    team_member_remove,
    team_set_leader,
    volunteer_register,
    volunteer_set_status,
    volunteer_transition,
    volunteer_update,
)

__all__ = [
    "activity_cancel",
    "activity_close",
    "activity_create",
    "activity_finish",
    "activity_publish",
    "activity_reopen",
    "activity_start",
    "activity_transition",
    "activity_update",
    "activity_verify",
    "computed_hours",
    "pool_create",
    "pool_member_add",
    "pool_member_remove",
    "signup_cancel",
    "signup_checkin",
    "signup_checkin_by_token",
    "signup_checkout",
    "signup_checkout_by_token",
    "signup_create",
    "signup_verify",
    "skill_save",
    "team_create",
    "team_member_add",
    "team_member_remove",
    "team_set_leader",
    "volunteer_of",
    "volunteer_register",
    "volunteer_set_status",
    "volunteer_transition",
    "volunteer_update",
]
