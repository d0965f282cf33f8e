"""Who sees what in the registry.

- Persons, households and organisations: the user must hold ``registry.view`` and the row's
  ``place_path`` must lie under one of the user's scope nodes.
- Tags: built-in tags and the custom tags of communities on the user's scope paths; sensitive tags
  only for holders of ``registry.view_sensitive`` (PIPL Art. 28).
- Import jobs: their creator only.

``access_<entity>(user, pk)`` returns the object or raises Http404 (missing and forbidden look the same).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from linli.core.access import Scope, ScopedQuerySet, access_object, path_prefixes

VIEW = "registry.view"
CHANGE = "registry.change"
EXPORT = "registry.export"
UNMASK = "registry.unmask"
REVEAL_PHONE = "registry.reveal_phone"  # a grid worker: the phones of the persons of their grid
VIEW_SENSITIVE = "registry.view_sensitive"

NOTHING = Q(pk__in=[])


def has_perm(user: Any, perm: str) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and perm in getattr(user, "perms", ()))


def can_view_registry(user: Any) -> bool:
    return has_perm(user, VIEW)


def can_change_registry(user: Any) -> bool:
    return has_perm(user, VIEW) and has_perm(user, CHANGE)


def can_export_registry(user: Any) -> bool:
    return has_perm(user, VIEW) and has_perm(user, EXPORT)


def can_unmask(user: Any) -> bool:
    return has_perm(user, VIEW) and has_perm(user, UNMASK)


def reveal_perm(user: Any, field: str) -> str:
    """The permission under which ``user`` may see ``field`` of a person in their scope unmasked:
    ``registry.unmask`` for everything; ``registry.reveal_phone`` (grid workers, for the elderly living
    alone they visit) for the phone only. The caller has checked the person is in the user's scope."""
    if field == "phone" and not has_perm(user, UNMASK) and has_perm(user, REVEAL_PHONE):
        return REVEAL_PHONE
    return UNMASK


def can_reveal(user: Any, field: str) -> bool:
    return has_perm(user, VIEW) and has_perm(user, reveal_perm(user, field))


def can_view_sensitive(user: Any) -> bool:
    return has_perm(user, VIEW) and has_perm(user, VIEW_SENSITIVE)


class RegistryQuerySet(ScopedQuerySet):
    scope_path_field = "place_path"

    def scope_q(self, scope: Scope, user: Any) -> Q:
        if not can_view_registry(user):
            return NOTHING
        return scope.place_q("place_path")


class PersonQuerySet(RegistryQuerySet):
    pass


class HouseholdQuerySet(RegistryQuerySet):
    pass


class OrganisationQuerySet(RegistryQuerySet):
    pass


class CompoundServiceQuerySet(RegistryQuerySet):
    pass


class TagQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        if not can_view_registry(user):
            return NOTHING
        q = Q(community__isnull=True)
        # Custom tags of any community on or under the user's scope paths.
        ancestors = {a for p in scope.place_paths for a in path_prefixes(p)}
        if ancestors:
            q |= Q(community__path__in=ancestors)
        q |= scope.place_q("community__path") & Q(community__isnull=False)
        if not can_view_sensitive(user):
            q &= ~Q(sensitivity="sensitive")
        return q


class ImportJobQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope, user: Any) -> Q:
        if not can_change_registry(user):
            return NOTHING
        return Q(created_by=user)


def access_person(user: Any, pk: Any):
    from linli.residents.models import Person

    return access_object(Person.objects.all(), user, pk)


def access_household(user: Any, pk: Any):
    from linli.residents.models import Household

    return access_object(Household.objects.all(), user, pk)


def access_organisation(user: Any, pk: Any):
    from linli.residents.models import Organisation

    return access_object(Organisation.objects.all(), user, pk)


def access_tag(user: Any, pk: Any):
    from linli.residents.models import Tag

    return access_object(Tag.objects.all(), user, pk)


def access_import_job(user: Any, pk: Any):
    from linli.residents.models import ImportJob

    return access_object(ImportJob.objects.all(), user, pk)
