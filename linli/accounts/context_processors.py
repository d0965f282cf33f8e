"""Navigation by role: each entry names the permission or roles it needs. Entries whose URL does not
exist yet (an app not built yet) are left out, so the menu never shows a dead link."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.accounts.roles import STAFF_ROLES, Role

# Who takes part in deliberation (issue 13): the residents and staff of the communities.
_DELIBERATION_ROLES = {
    Role.RESIDENT, Role.BUILDING_HEAD, Role.PARTY_MEMBER, Role.VOLUNTEER, Role.GRID_WORKER, Role.COMMUNITY_STAFF,
    Role.STREET_SUPERVISOR,
}
# Who finds the progress boards in the menu: everyone bound to a place (administrators are not).
BOARD_ROLES = frozenset(Role) - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.DEPARTMENT_STAFF}

# (label, url name, icon, who: None for everyone, a permission "area.verb", or a set of roles)
NavItem = tuple[Any, str, str, Any]

# The menu in groups: a group whose entries the user may see more than one of becomes a drop-down; a
# group with one visible entry shows that entry alone (a grid worker sees "My cases", not "Cases ▾").
# A group label of None puts its entries on the bar itself.
NAV_GROUPS: list[tuple[Any, str, list[NavItem]]] = [
    (None, "", [(_("Home"), "accounts:home", "house", None)]),
    (pgettext_lazy("menu group", "Registry"), "person-vcard", [
        (_("Places"), "places:tree", "diagram-3", "registry.view"),
        (_("Registry"), "residents:person_list", "person-vcard", "registry.view"),
        (_("Community profile"), "dashboards:profile_picker", "bar-chart-line", "registry.view"),
    ]),
    (_("Cases"), "inbox", [
        (_("Dispatch desk"), "cases:dispatch", "inbox", "cases.dispatch"),
        (_("My cases"), "cases:worklist", "list-task", {Role.GRID_WORKER}),
        (_("Department inbox"), "cases:department", "inbox", {Role.DEPARTMENT_STAFF}),
        (_("Supervision"), "cases:supervise", "megaphone", "cases.supervise"),
        (_("Indicators"), "cases_kpi:kpi", "bar-chart-line", "cases.view"),
        (_("Progress boards"), "cases:boards", "clipboard-data", BOARD_ROLES),
        (_("Import 12345 tickets"), "cases_kpi:hotline_import", "telephone-inbound", "cases.dispatch"),
        (_("Open311 API keys"), "open311:keys", "key", "cases.dispatch"),
    ]),
    (_("Disputes"), "people", [
        (_("Dispute ledger"), "mediation:disputes", "people", "mediation.view"),
    ]),
    (_("Party-led service"), "flag", [
        (_("Party organisations"), "party:home", "flag", "party.view"),
        (_("Service orders"), "orders:order_list", "clipboard-check", "party.view"),
        (_("My orders"), "orders:my_orders", "bag-heart", "orders.place"),
        (_("Wish wall"), "orders:wish_wall", "stars", None),
        (_("My wishes"), "orders:my_wishes", "heart", "wishes.post"),
    ]),
    (_("Volunteers and points"), "people-fill", [
        (_("Volunteer activities"), "volunteers:activity_list", "people-fill", None),
        (_("My points"), "points:my_points", "coin", "points.redeem"),
        (_("Points shop"), "points:shop", "shop", "points.redeem"),
        (_("Points ledger"), "points:ledger", "journal-check", "points.manage"),
    ]),
    (_("Evaluation"), "trophy", [
        (_("Building evaluation"), "evaluation:list", "trophy", "evaluation.view"),
        (_("Rankings"), "evaluation:rankings", "bar-chart-steps", "evaluation.manage"),
        (_("Satisfaction surveys"), "evaluation:surveys", "emoji-smile", "evaluation.manage"),
        (_("Staff training"), "evaluation:training", "mortarboard", "evaluation.manage"),
        (_("Score the buildings"), "evaluation:mine", "flag", "evaluation.score"),
        (_("Inspection campaigns"), "evaluation:campaigns", "clipboard2-check", "evaluation.view"),
        (_("Party members' service"), "evaluation:members", "person-check", "evaluation.manage"),
        (_("Commitments"), "evaluation:commitments", "star", "evaluation.view"),
    ]),
    (_("Deliberation"), "chat-square-text", [
        (_("Community topics"), "deliberation:topics", "chat-square-text", _DELIBERATION_ROLES),
        (_("Meetings"), "deliberation:meetings", "people", _DELIBERATION_ROLES),
        (_("Votes"), "deliberation:votes", "check2-square", _DELIBERATION_ROLES),
        (_("Community projects"), "deliberation:projects", "tree", _DELIBERATION_ROLES),
        (_("Community funds"), "deliberation:funds", "piggy-bank", _DELIBERATION_ROLES),
        (_("Honours chosen by residents"), "deliberation:honours", "award", _DELIBERATION_ROLES),
        (_("Think tank"), "deliberation:experts", "mortarboard", _DELIBERATION_ROLES),
    ]),
    (_("Services and care"), "building-check", [
        (_("Community services"), "hall:services", "building-check", None),
        (_("My applications"), "hall:mine", "card-checklist", "hall.apply"),
        (_("Hall desk"), "hall:desk", "inbox", "hall.handle"),
        (_("Book a room"), "hall:rooms", "door-open", None),
        (_("Room bookings"), "hall:room_approvals", "calendar-check", "rooms.manage"),
        (_("Classes"), "hall:classes", "mortarboard", None),
        (_("Classes: totals"), "hall:class_totals", "bar-chart", "classes.manage"),
        (_("Visits"), "care:visits", "heart-pulse", "care.visit"),
        (_("Needs list"), "care:needs", "list-check", "care.view"),
        (_("Home services"), "care:home_services", "scissors", None),
        (_("Elders' canteen"), "care:canteen", "cup-hot", None),
    ]),
    (_("Smart community"), "broadcast", [
        (_("Alarms"), "iot:alarms", "bell", "iot.view"),
        (_("Devices"), "iot:devices", "cpu", "iot.view"),
        (_("Alarm rules"), "iot:rules", "sliders", "iot.manage"),
        (_("Facilities"), "iot:facilities", "geo-alt", "iot.manage"),
        (_("One map"), "dashboards:map_picker", "map", "iot.view"),
        (_("Big screen"), "dashboards:screen_picker", "display", "reports.view"),
        (_("Monthly reports"), "dashboards:reports", "file-earmark-bar-graph", "reports.view"),
    ]),
    (_("Administration"), "gear", [
        (_("Users"), "accounts:user_list", "people", "users.manage"),
        (_("Security policy"), "accounts:policy", "shield-lock", "security.policy"),
        (_("Locked accounts"), "accounts:locks", "lock", "security.unlock"),
        (_("Audit log"), "core:audit_log", "journal-text", "audit.view"),
        (_("Holiday calendar"), "core:calendar", "calendar3",
         {Role.SYSTEM_ADMIN, Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF}),
    ]),
]
NAV_ITEMS: list[NavItem] = [item for _group, _icon, items in NAV_GROUPS for item in items]

# The order in which a user's roles are named in the top bar (the most senior first).
ROLE_ORDER = [
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
    Role.CITY_SUPERVISOR,
    Role.DISPATCH_CENTRE,
    Role.DISTRICT_SUPERVISOR,
    Role.STREET_SUPERVISOR,
    Role.COMMUNITY_STAFF,
    Role.DEPARTMENT_STAFF,
    Role.GRID_WORKER,
    Role.MEDIATOR,
    Role.BUILDING_HEAD,
    Role.PARTY_MEMBER,
    Role.VOLUNTEER,
    Role.RESIDENT,
]


def allowed(user, who) -> bool:
    if who is None:
        return True
    if isinstance(who, str):
        return who in user.perms
    return bool(set(who) & user.role_set)


def _entry(user, item: NavItem) -> dict | None:
    label, name, icon, who = item
    if not allowed(user, who):
        return None
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return {"label": label, "url": url, "icon": icon, "active": False}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict] = []
    leaves: list[dict] = []
    for group, icon, members in NAV_GROUPS:
        entries = [e for e in (_entry(user, m) for m in members) if e is not None]
        leaves += entries
        if group is None or len(entries) < 2:
            items += entries
        else:
            items.append({"label": group, "icon": icon, "children": entries, "active": False})
    # The entry whose URL is the longest prefix of the path is the active one (/party/orders/ marks
    # "Service orders", not also "Party organisations" at /party/), and so is its group.
    path = request.path
    matches = [e for e in leaves if path == e["url"] or (e["url"] != "/" and path.startswith(e["url"]))]
    if matches:
        best = max(matches, key=lambda e: len(str(e["url"])))
        best["active"] = True
        for item in items:
            if best in item.get("children", ()):
                item["active"] = True
    roles = user.role_set
    labels = [Role(r).label for r in ROLE_ORDER if r in roles]
    return {
        "nav_items": items,
        "user_role_labels": labels,
        "user_initial": (str(user) or "?")[:1].upper(),
        # Two-factor is for staff (and whoever has it on, to turn it off); residents are not offered it.
        "user_offers_totp": bool(roles & STAFF_ROLES) or user.totp_enabled,
        "user_is_staff": bool(roles & STAFF_ROLES),  # staff export lists: "My exports" in the account menu
    }
