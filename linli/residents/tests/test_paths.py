"""The registry's place paths follow the place tree when a subtree moves."""

from __future__ import annotations

from linli.places.paths import place_paths_follow
from linli.residents.models import Person


def test_registry_paths_follow_persons_with_their_compound(people, houses, world):
    old = houses.compound_a.path
    new = f"{world.grid_b.path}{houses.compound_a.pk}/"
    place_paths_follow(old_path=old, new_path=new)
    zhang = Person.objects.get(pk=people.zhang.pk)
    assert zhang.place_path.startswith(new) and zhang.place_path.endswith(f"/{houses.house_a1.pk}/")
    assert Person.objects.get(pk=people.wang.pk).place_path == people.wang.place_path


def test_place_move_keeps_registry_scope(people, houses, world, grid_worker_b, community_staff):
    from linli.places import actions as place_actions

    place_actions.place_move(place=houses.compound_a, new_parent=world.grid_b, actor=community_staff)
    assert set(Person.objects.visible_to(grid_worker_b)) == {people.zhang, people.li, people.old, people.wang}
