"""Reads about users: their scope, their roles, the security policy."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from linli.accounts.models import RoleAssignment, SecurityPolicy, User
from linli.accounts.roles import permissions_of
from linli.core.access import Scope, path_prefixes, scope_of

POLICY_CACHE_KEY = "accounts:security-policy:v1"


def user_scope(user: User) -> Scope:
    """Place paths (outermost only), departments and roles of the user's role assignments."""
    rows = RoleAssignment.objects.filter(user=user).values_list("role", "place__path", "department_id")
    roles: set[str] = set()
    paths: set[str] = set()
    departments: set[int] = set()
    for role, path, department_id in rows:
        roles.add(role)
        if path:
            paths.add(path)
        if department_id:
            departments.add(department_id)
    # Drop paths covered by another path of the same user.
    outer = tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))
    return Scope(place_paths=outer, department_ids=frozenset(departments), roles=frozenset(roles))


def user_has_perm(user, perm: str) -> bool:
    return perm in permissions_of(scope_of(user).roles)


def security_policy() -> SecurityPolicy:
    policy = cache.get(POLICY_CACHE_KEY)
    if policy is None:
        policy, _ = SecurityPolicy.objects.get_or_create(pk=1)
        cache.set(POLICY_CACHE_KEY, policy, 60)
    return policy


def forget_security_policy() -> None:
    cache.delete(POLICY_CACHE_KEY)


def users_with_role_over(path: str, role: str, *, limit: int = 20) -> list[User]:
    """Active users holding ``role`` on the place ``path`` or a place above it, nearest first (the grid
    worker of a compound's grid)."""
    from linli.accounts.models import RoleAssignment

    prefixes = path_prefixes(path)
    rows = (
        RoleAssignment.objects.filter(role=role, place__path__in=prefixes, user__is_active=True)
        .select_related("user", "place")
        .order_by("-place__depth", "user_id")[:limit]
    )
    return [r.user for r in rows]


def users_with_roles(user_ids, roles) -> set[int]:
    """Which of ``user_ids`` hold one of ``roles`` (notifications: who is staff, for the digest)."""
    return set(
        RoleAssignment.objects.filter(user_id__in=list(user_ids), role__in=list(roles)).values_list("user_id", flat=True)
    )


def users_with_roles_all(roles, *, exclude=None) -> list[User]:
    """The active users holding one of ``roles``, less the ids of ``exclude`` (a subquery)
    (notifications: the staff who get a daily digest)."""
    ids = RoleAssignment.objects.filter(role__in=list(roles), user__is_active=True).values("user_id")
    qs = User.objects.filter(pk__in=ids)
    if exclude is not None:
        qs = qs.exclude(pk__in=exclude)
    return list(qs.order_by("pk"))


def users_over(
    path: str,
    perm: str,
    *,
    kinds: frozenset[str] | set[str] | None = None,
    roles: frozenset[str] | set[str] | None = None,
    nearest_first: bool = False,
) -> list[int]:
    """Active users holding ``perm`` through a role bound at or above ``path``: the people told about an
    object there (cases, disputes, applications, visits ...). District and city roles (``WIDE_ROLES``) work
    from their lists and are never told per object. ``kinds`` keeps only roles bound to places of these
    kinds (an escalation ladder: the grid's people, then the community's, then the street's); ``roles``
    only these roles (the grid worker of a place). By user id, or ``nearest_first``: those bound closest to
    ``path`` first (the one to assign)."""
    from linli.accounts.roles import ROLE_PERMISSIONS, WIDE_ROLES

    prefixes = path_prefixes(path)
    if not prefixes:
        return []
    wanted = sorted(
        r for r, perms in ROLE_PERMISSIONS.items()
        if perm in perms and r not in WIDE_ROLES and (roles is None or r in roles)
    )
    rows = RoleAssignment.objects.filter(role__in=wanted, place__path__in=prefixes, user__is_active=True)
    if kinds is not None:
        rows = rows.filter(place__kind__in=sorted(kinds))
    if nearest_first:
        ordered = sorted(rows.values_list("user_id", "place__depth"), key=lambda r: (-r[1], r[0]))
        return list(dict.fromkeys(uid for uid, _depth in ordered))
    return sorted(set(rows.values_list("user_id", flat=True)))


# The reads other apps make of users and departments (never through the models' managers:
# docs/architecture.md).


def user_get(value, *, active: bool = True) -> User | None:
    """The user with this id (a user passes through the id check too); None when missing, not an id, or
    inactive while ``active``."""
    pk = getattr(value, "pk", value)
    if not str(pk if pk is not None else "").strip().isdigit():
        return None
    qs = User.objects.filter(pk=int(str(pk).strip()))
    return (qs.filter(is_active=True) if active else qs).first()


def user_by_username(username: str, *, active: bool = True) -> User | None:
    if not username:
        return None
    qs = User.objects.filter(username=username)
    return (qs.filter(is_active=True) if active else qs).first()


def users_by_ids(ids, *, active: bool = False):
    """The users with these ids (a QuerySet; only the active ones when ``active``)."""
    qs = User.objects.filter(pk__in=ids)
    return qs.filter(is_active=True) if active else qs


def user_ids_by_phone_hashes(hashes, *, active: bool = False) -> list[int]:
    """The ids of the users whose phone has one of these lookup hashes (core.lookups.lookup_hashes)."""
    qs = User.objects.filter(phone_hash__in=list(hashes))
    if active:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("id").values_list("pk", flat=True))


def users_with_roles_under(roles, path: str):
    """The active users holding one of ``roles`` bound at ``path`` or below it (a QuerySet)."""
    ids = RoleAssignment.objects.filter(role__in=list(roles), place__path__startswith=path).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def user_has_role_under(user, roles, path: str) -> bool:
    return RoleAssignment.objects.filter(user=user, role__in=list(roles), place__path__startswith=path).exists()


def user_ids_with_roles_at(roles, paths) -> list[int]:
    """The ids of active users holding one of ``roles`` bound exactly at one of ``paths``."""
    return list(
        RoleAssignment.objects.filter(role__in=list(roles), place__path__in=list(paths), user__is_active=True)
        .values_list("user_id", flat=True).distinct()
    )


def user_ids_of_department(department_id: int) -> list[int]:
    """The ids of the active users bound to the department."""
    return list(
        RoleAssignment.objects.filter(department_id=department_id, user__is_active=True)
        .values_list("user_id", flat=True).distinct()
    )


def user_ids_with_role_at_place(role: str, place_id: int) -> list[int]:
    """The ids of the active users holding ``role`` bound to this very place, by id."""
    return list(
        User.objects.filter(is_active=True, role_assignments__role=role, role_assignments__place_id=place_id)
        .distinct().order_by("id").values_list("pk", flat=True)
    )


def users_by_role_place(role: str) -> dict[int, list[User]]:
    """Every place's active users holding ``role`` bound to it, by user id (one query for all places)."""
    out: dict[int, list[User]] = {}
    rows = (RoleAssignment.objects.filter(role=role, place__isnull=False, user__is_active=True)
            .select_related("user").only("place_id", "user__username", "user__display_name")
            .order_by("place_id", "user_id"))
    for row in rows:
        if row.place_id is not None:
            out.setdefault(row.place_id, []).append(row.user)
    return out


def users_over_index(perm: str) -> dict[str, frozenset[int]]:
    """Place path -> the active users holding ``perm`` through a role bound there (``WIDE_ROLES`` left out,
    as ``users_over`` leaves them): one query for every place, so that ``users_over(path, perm)`` is the
    union over the path's prefixes (``users_over_from``)."""
    from linli.accounts.roles import ROLE_PERMISSIONS, WIDE_ROLES

    wanted = sorted(r for r, perms in ROLE_PERMISSIONS.items() if perm in perms and r not in WIDE_ROLES)
    out: dict[str, set[int]] = {}
    rows = RoleAssignment.objects.filter(role__in=wanted, place__isnull=False, user__is_active=True)
    for path, user_id in rows.values_list("place__path", "user_id"):
        out.setdefault(path, set()).add(user_id)
    return {path: frozenset(ids) for path, ids in out.items()}


def users_over_from(index: dict[str, frozenset[int]], path: str) -> list[int]:
    """``users_over(path, perm)`` read from ``users_over_index(perm)``."""
    return sorted({uid for prefix in path_prefixes(path) for uid in index.get(prefix, ())})


def users_with_any_role(*, limit: int = 500):
    """Active users holding at least one role, by id (bounded)."""
    return User.objects.filter(is_active=True, role_assignments__isnull=False).distinct().order_by("id")[:limit]


def department_get(value):
    from linli.accounts.models import Department

    pk = getattr(value, "pk", value)
    if not str(pk if pk is not None else "").strip().isdigit():
        return None
    return Department.objects.filter(pk=int(str(pk).strip())).first()


def user_name_of(column: str) -> Subquery:
    """The name of the user whose id is in ``column`` of the outer query, as ``str(user)`` writes it (the
    display name, else the username): a scalar subquery for a list's rows, planned apart from its joins."""
    names = User.objects.filter(pk=OuterRef(column)).values(
        name=Coalesce(NullIf("display_name", Value("")), "username"))
    return Subquery(names[:1])


def department_name_of(column: str) -> Subquery:
    """The name of the department whose id is in ``column`` of the outer query (see ``user_name_of``)."""
    from linli.accounts.models import Department

    return Subquery(Department.objects.filter(pk=OuterRef(column)).values("name")[:1])


def departments_by_ids(ids):
    from linli.accounts.models import Department

    return Department.objects.filter(pk__in=ids)


def department_choices() -> list[tuple[int, str]]:
    """Every department as (id, name), by name."""
    from linli.accounts.models import Department

    return list(Department.objects.order_by("name").values_list("id", "name"))
