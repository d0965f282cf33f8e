"""``users_over``: the one reading of "who is over this place" (cases, mediation, hall, care)."""

from __future__ import annotations

from linli.accounts.selectors import users_over
from linli.core.testing.personas import make_user


def test_who_is_over_a_place_by_permission_role_and_nearness(world, grid_worker_a, grid_worker_b, community_staff,
                                                               street_supervisor):
    volunteer = make_user("helper_a", "volunteer", place=world.grid_a)
    path = world.grid_a.path + "99/"  # a home in grid A
    # care.visit: the grid's worker and volunteer and the community's staff; not grid B's worker, not the street.
    assert users_over(path, "care.visit") == sorted([grid_worker_a.pk, volunteer.pk, community_staff.pk])
    # care.manage: the community's staff and the street's supervisor, by user id.
    assert users_over(path, "care.manage") == sorted([community_staff.pk, street_supervisor.pk])
    # The grid worker to assign: that role only, the one bound closest first.
    above = make_user("worker_c1", "grid_worker", place=world.community)
    near = make_user("worker_a2", "grid_worker", place=world.grid_a)  # made after ``above``: a higher id
    assert users_over(path, "care.visit", roles={"grid_worker"}, nearest_first=True) == [
        grid_worker_a.pk, near.pk, above.pk]
    assert users_over(path, "care.visit", roles={"grid_worker"}) == [grid_worker_a.pk, above.pk, near.pk]
    # Only roles bound to a community (an escalation ladder's second rung).
    assert users_over(path, "care.visit", kinds={"community"}) == sorted([community_staff.pk, above.pk])
    assert users_over("", "care.visit") == []
