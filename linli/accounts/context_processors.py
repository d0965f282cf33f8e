"""Navigation by role: each entry names the permission or roles it needs."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Role

# (label, url name, icon, who: a permission "area.verb" or a set of roles)
NAV_ITEMS = [
    (_("Home"), "accounts:home", "house", None),
    (_("Places"), "places:tree", "diagram-3", "registry.view"),
    (_("Users"), "accounts:user_list", "people", "users.manage"),
    (_("Security policy"), "accounts:policy", "shield-lock", "security.policy"),
    (_("Locked accounts"), "accounts:locks", "lock", "security.unlock"),
    (_("Audit log"), "core:audit_log", "journal-text", "audit.view"),
    (_("Holiday calendar"), "core:calendar", "calendar3", {Role.SYSTEM_ADMIN, Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, icon, who in NAV_ITEMS:
        if isinstance(who, str) and who not in user.perms:
            continue
        if isinstance(who, set) and not (who & user.role_set):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "icon": icon, "active": request.path == url})
    return {"nav_items": items}
