import pytest
from django.db import IntegrityError, transaction

from linli.accounts.models import RoleAssignment


@pytest.mark.parametrize("binding", ["place", "department", "unbound"])
def test_duplicate_role_assignment_refused_by_database(binding, world, grid_worker_a):
    role = {"place": "grid_worker", "department": "department_staff", "unbound": "system_admin"}[binding]
    kwargs = {
        "place": {"place": world.grid_a},
        "department": {"department": world.department},
        "unbound": {},
    }[binding]
    user = grid_worker_a
    if binding != "place":
        RoleAssignment.objects.filter(user=user).delete()
    RoleAssignment.objects.get_or_create(user=user, role=role, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=role, **kwargs)
    assert RoleAssignment.objects.filter(user=user, role=role).count() == 1
