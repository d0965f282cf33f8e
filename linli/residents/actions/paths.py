"""Keeping the denormalised ``place_path`` columns current when the place tree changes shape.

``place_move`` (linli/places) rewrites the paths of a moved subtree. The registry keeps copies of
those paths (Person, Household, Organisation, ImportJob ``place_path``) so that scope is one prefix
test; ``registry_paths_rewrite`` moves them along in the same transaction. The places app cannot
import the registry (dependencies point one way), so the registry registers this function with the
places app at start-up when the places app offers a hook (``linli.places.actions.PATH_REWRITERS``).
"""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Concat, Substr


def registry_paths_rewrite(*, old_path: str, new_path: str) -> int:
    """Replace the prefix ``old_path`` by ``new_path`` in every registry ``place_path``; returns rows."""
    from linli.residents.models import Household, ImportJob, Organisation, Person

    if not old_path or old_path == new_path:
        return 0
    changed = 0
    for model in (Person, Household, Organisation, ImportJob):
        changed += model.objects.filter(place_path__startswith=old_path).update(
            place_path=Concat(Value(new_path), Substr("place_path", len(old_path) + 1))
        )
    return changed
