"""Roles (PRODUCT.md "Who uses it") and what each may do. Data, not code paths: apps ask
``user_has_perm(user, "registry.unmask")`` and never test role names themselves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_HEAD = "building_head", _("Building head")
    PARTY_MEMBER = "party_member", _("Party member")
    VOLUNTEER = "volunteer", _("Volunteer")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    MEDIATOR = "mediator", _("Mediator")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    STREET_SUPERVISOR = "street_supervisor", _("Street supervisor")
    DISTRICT_SUPERVISOR = "district_supervisor", _("District supervisor")
    CITY_SUPERVISOR = "city_supervisor", _("City supervisor")
    DISPATCH_CENTRE = "dispatch_centre", _("12345 dispatch centre")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.MEDIATOR,
        Role.DEPARTMENT_STAFF,
        Role.STREET_SUPERVISOR,
        Role.DISTRICT_SUPERVISOR,
        Role.CITY_SUPERVISOR,
        Role.DISPATCH_CENTRE,
        *ADMIN_ROLES,
    }
)
# Roles over a district or a whole city (a city deployment). They work from lists and KPIs, never from a
# notice per case (a city's dispatch centre would get 20 million a year), and are bound to a city or
# district node (the dispatch centre of a district's own hotline to a district).
WIDE_ROLES = frozenset({Role.DISTRICT_SUPERVISOR, Role.CITY_SUPERVISOR, Role.DISPATCH_CENTRE})
WIDE_ROLE_KINDS: dict[str, frozenset[str]] = {
    Role.CITY_SUPERVISOR: frozenset({"city"}),
    Role.DISTRICT_SUPERVISOR: frozenset({"district"}),
    Role.DISPATCH_CENTRE: frozenset({"city", "district"}),
}
# Roles bound to a department rather than a place node.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_STAFF})
# Roles that hold no place or department: the three administrators work on the system, not on data.
UNBOUND_ROLES = ADMIN_ROLES

# Permission names are "<area>.<verb>".
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.RESIDENT: frozenset({"self.view", "cases.report"}),
    Role.BUILDING_HEAD: frozenset({"self.view", "registry.view", "cases.report"}),
    Role.PARTY_MEMBER: frozenset({"self.view", "cases.report", "cases.handle"}),
    Role.VOLUNTEER: frozenset({"self.view", "cases.report"}),
    Role.GRID_WORKER: frozenset(
        {"self.view", "registry.view", "registry.change", "registry.export",
         # the phones (never the ID numbers) of the persons of their own grid, each reveal audited
         "registry.reveal_phone",
         "cases.view", "cases.report", "cases.handle", "cases.verify"}
    ),
    Role.MEDIATOR: frozenset({"self.view", "registry.view", "cases.report"}),
    Role.COMMUNITY_STAFF: frozenset(
        {
            "self.view",
            "registry.view",
            "registry.change",
            "registry.export",
            "registry.unmask",
            "registry.view_sensitive",
            "places.change",
            "cases.view",
            "cases.report",
            "cases.dispatch",
            "cases.handle",
            "cases.verify",
            "cases.supervise",
            "cases.unmask",
            "categories.manage",
        }
    ),
    Role.DEPARTMENT_STAFF: frozenset({"self.view", "cases.handle"}),
    Role.STREET_SUPERVISOR: frozenset(
        {"self.view", "registry.view", "registry.export", "registry.unmask", "registry.view_sensitive", "places.change",
         "cases.view", "cases.report", "cases.dispatch", "cases.verify", "cases.supervise", "cases.unmask",
         "categories.manage"}
    ),
    # A district office oversees its streets as a street supervisor oversees its communities.
    Role.DISTRICT_SUPERVISOR: frozenset(
        {"self.view", "registry.view", "places.change", "cases.view", "cases.report", "cases.dispatch",
         "cases.verify", "cases.supervise", "categories.manage"}
    ),
    # The city: KPIs, rankings and supervision over every district; no personal data beyond the cases.
    Role.CITY_SUPERVISOR: frozenset({"self.view", "cases.view", "cases.supervise", "categories.manage"}),
    # 12345 dispatch centre (派单员): takes in hotline tickets for the whole city and dispatches them to the
    # streets and departments; sees the reporter's phone to call back (cases.unmask, audited); no registry.
    Role.DISPATCH_CENTRE: frozenset(
        {"self.view", "cases.view", "cases.report", "cases.dispatch", "cases.supervise", "cases.unmask"}
    ),
    Role.SYSTEM_ADMIN: frozenset({"self.view", "users.manage", "system.configure"}),
    Role.SECURITY_ADMIN: frozenset({"self.view", "security.policy", "security.unlock", "roles.grant_admin"}),
    Role.AUDIT_ADMIN: frozenset({"self.view", "audit.view"}),
}


# Party, volunteers and points (issue 5). Object-level rules (a branch secretary dispatches the orders of
# their branch, an organiser verifies the hours of their activity) live in each app's access.py.
_RESIDENT_SERVICE = frozenset({"orders.place", "wishes.post", "volunteers.join", "points.redeem"})
_SERVICE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.RESIDENT: _RESIDENT_SERVICE,
    Role.BUILDING_HEAD: _RESIDENT_SERVICE,
    Role.VOLUNTEER: _RESIDENT_SERVICE | {"wishes.adopt"},
    Role.PARTY_MEMBER: _RESIDENT_SERVICE | {"party.view", "orders.take", "wishes.adopt"},
    Role.GRID_WORKER: frozenset({"party.view", "orders.place", "wishes.post"}),
    Role.COMMUNITY_STAFF: frozenset(
        {"party.view", "party.manage", "orders.place", "orders.dispatch", "wishes.post", "wishes.manage",
         "volunteers.manage", "points.manage", "points.fulfil"}
    ),
    Role.STREET_SUPERVISOR: frozenset(
        {"party.view", "party.manage", "orders.dispatch", "wishes.manage", "volunteers.manage", "points.manage"}
    ),
}
ROLE_PERMISSIONS = {
    role: perms | _SERVICE_PERMISSIONS.get(role, frozenset()) for role, perms in ROLE_PERMISSIONS.items()
}

# Smart monitoring (linli/iot, issue 16): see devices and alarms, acknowledge and clear them, manage devices
# and rules; the big screens and the monthly reports (linli/dashboards) go with iot.view / reports.view.
_IOT_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({"iot.view", "iot.handle"}),
    Role.COMMUNITY_STAFF: frozenset({"iot.view", "iot.handle", "iot.manage", "reports.view"}),
    Role.STREET_SUPERVISOR: frozenset({"iot.view", "iot.handle", "iot.manage", "reports.view"}),
    Role.DISTRICT_SUPERVISOR: frozenset({"iot.view", "reports.view"}),
}
ROLE_PERMISSIONS = {
    role: perms | _IOT_PERMISSIONS.get(role, frozenset()) for role, perms in ROLE_PERMISSIONS.items()
}


# Deliberation (issue 13): residents raise and support topics and vote; staff run the agenda, meetings,
# votes, projects and funds of their places.
_DELIBERATION_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.RESIDENT: frozenset({"topics.raise"}),
    Role.BUILDING_HEAD: frozenset({"topics.raise"}),
    Role.PARTY_MEMBER: frozenset({"topics.raise"}),
    Role.VOLUNTEER: frozenset({"topics.raise"}),
    Role.GRID_WORKER: frozenset({"topics.raise", "deliberation.view"}),
    Role.COMMUNITY_STAFF: frozenset({"topics.raise", "deliberation.view", "deliberation.manage"}),
    Role.STREET_SUPERVISOR: frozenset({"deliberation.view", "deliberation.manage"}),
}
ROLE_PERMISSIONS = {
    role: perms | _DELIBERATION_PERMISSIONS.get(role, frozenset()) for role, perms in ROLE_PERMISSIONS.items()
}
# Disputes and mediation (issue 12): grid workers screen their grid and file disputes; mediators and community
# staff work them; community and street staff run the team and read the figures.
_MEDIATION_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({"mediation.view", "mediation.report"}),
    Role.MEDIATOR: frozenset({"mediation.view", "mediation.report", "mediation.handle", "mediation.unmask"}),
    Role.COMMUNITY_STAFF: frozenset(
        {"mediation.view", "mediation.report", "mediation.handle", "mediation.manage", "mediation.unmask"}
    ),
    Role.STREET_SUPERVISOR: frozenset({"mediation.view", "mediation.manage"}),
}
ROLE_PERMISSIONS = {
    role: perms | _MEDIATION_PERMISSIONS.get(role, frozenset()) for role, perms in ROLE_PERMISSIONS.items()
}


def permissions_of(roles) -> frozenset[str]:
    perms: set[str] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(perms)


# Evaluation (issue 15): building cross-evaluation rounds. Organising a round also falls to the secretary of
# the compound's party branch (an object rule in linli/evaluation/workflow.py).
_EVALUATION_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.BUILDING_HEAD: frozenset({"evaluation.score"}),
    Role.PARTY_MEMBER: frozenset({"evaluation.view"}),
    Role.GRID_WORKER: frozenset({"evaluation.view"}),
    Role.COMMUNITY_STAFF: frozenset({"evaluation.view", "evaluation.manage", "evaluation.campaign"}),
    Role.STREET_SUPERVISOR: frozenset({"evaluation.view", "evaluation.manage", "evaluation.campaign"}),
    Role.DISTRICT_SUPERVISOR: frozenset({"evaluation.view"}),
}
ROLE_PERMISSIONS = {
    role: perms | _EVALUATION_PERMISSIONS.get(role, frozenset()) for role, perms in ROLE_PERMISSIONS.items()
}


# Services and care (issue 14): the hall, rooms, the elders' canteen, care visits, classes. Object-level
# rules (staff act on their own area; a visitor logs the visits assigned to them) live in hall/care access.
_RESIDENT_HALL = frozenset({"hall.apply", "rooms.book", "canteen.order", "classes.enrol"})
_HALL_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.RESIDENT: _RESIDENT_HALL,
    Role.BUILDING_HEAD: _RESIDENT_HALL,
    Role.PARTY_MEMBER: _RESIDENT_HALL,
    Role.VOLUNTEER: _RESIDENT_HALL | {"care.visit"},
    Role.GRID_WORKER: frozenset({"rooms.book", "care.visit", "care.view"}),
    Role.COMMUNITY_STAFF: frozenset(
        {"hall.handle", "hall.manage", "rooms.book", "rooms.manage", "canteen.manage", "care.visit", "care.view",
         "care.manage", "classes.manage"}
    ),
    Role.STREET_SUPERVISOR: frozenset(
        {"hall.handle", "hall.manage", "rooms.manage", "canteen.manage", "care.view", "care.manage", "classes.manage"}
    ),
}
ROLE_PERMISSIONS = {
    role: perms | _HALL_PERMISSIONS.get(role, frozenset()) for role, perms in ROLE_PERMISSIONS.items()
}
