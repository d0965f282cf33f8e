"""Finding houses by the names people write: 小区 → 楼栋 → 单元 → 房号 inside one community.

"3栋", "3号楼", "3幢" and "3" name the same building; "2单元" and "2" the same entrance; "101室" and
"101" the same house.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from linli.places.kinds import PlaceKind
from linli.places.selectors import places_by_ids, places_of_kind

if TYPE_CHECKING:
    from linli.places.models import Place

_SUFFIXES: dict[str, tuple[str, ...]] = {
    PlaceKind.BUILDING: ("号楼", "栋", "幢", "座", "楼", "号"),
    PlaceKind.ENTRANCE: ("单元", "门"),
    PlaceKind.HOUSE: ("室", "号"),
}


def canon(kind: str, name: str) -> str:
    text = "".join(name.split()).lower()
    for suffix in _SUFFIXES.get(kind, ()):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


@dataclass(frozen=True)
class Node:
    id: int
    path: str
    kind: str
    name: str


class HouseIndex:
    """The community's compounds, buildings and entrances (loaded once) and houses (loaded per
    building or entrance when first needed, and forgotten again for the least recently used building
    once ``HOUSE_PARENTS`` are loaded, so a large file does not hold every house), looked up by
    normalised name."""

    HOUSE_PARENTS = 256

    def __init__(self, community: Place):
        self.community = community
        self.children: dict[tuple[int, str, str], Node] = {}
        self.compounds: dict[str, list[Node]] = {}
        self.grid_buildings: dict[str, list[Node]] = {}
        self._houses: OrderedDict[int, dict[str, Node]] = OrderedDict()  # parent id → houses by name
        grid_ids: set[int] = set()
        rows = (
            places_of_kind(PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.ENTRANCE, under=community.path)
            .values_list("id", "path", "kind", "name", "parent_id")
            .order_by("path")
        )
        for pk, path, kind, name, parent_id in rows:
            node = Node(pk, path, kind, name)
            if kind == PlaceKind.GRID:
                grid_ids.add(pk)
            elif kind == PlaceKind.COMPOUND:
                self.compounds.setdefault(canon(kind, name), []).append(node)
            else:
                self.children[(parent_id, kind, canon(kind, name))] = node
                if kind == PlaceKind.BUILDING and parent_id in grid_ids:
                    self.grid_buildings.setdefault(canon(kind, name), []).append(node)

    def _houses_of(self, parent_id: int) -> dict[str, Node]:
        houses = self._houses.get(parent_id)
        if houses is not None:
            self._houses.move_to_end(parent_id)
            return houses
        houses = {
            canon(PlaceKind.HOUSE, name): Node(pk, path, PlaceKind.HOUSE, name)
            for pk, path, name in places_of_kind(PlaceKind.HOUSE).filter(parent_id=parent_id).values_list(
                "id", "path", "name"
            )
        }
        self._houses[parent_id] = houses
        if len(self._houses) > self.HOUSE_PARENTS:
            self._houses.popitem(last=False)
        return houses

    def add(self, parent_id: int, node: Node) -> None:
        if node.kind == PlaceKind.HOUSE:
            self._houses_of(parent_id)[canon(node.kind, node.name)] = node
        else:
            self.children[(parent_id, node.kind, canon(node.kind, node.name))] = node

    def child(self, parent: Node, kind: str, name: str) -> Node | None:
        if kind == PlaceKind.HOUSE:
            return self._houses_of(parent.id).get(canon(kind, name))
        return self.children.get((parent.id, kind, canon(kind, name)))

    def compound(self, name: str) -> tuple[Node | None, str]:
        found = self.compounds.get(canon(PlaceKind.COMPOUND, name), [])
        if len(found) > 1:
            return None, _("Two compounds in this community have this name.")
        if not found:
            return None, _("This community has no compound of this name.")
        return found[0], ""




def find_place(community: Place, compound: str, building: str = "", entrance: str = "", house: str = "") -> Place | None:
    """The deepest place named (a house, or a building/compound when fewer names are given), or None."""
    index = HouseIndex(community)
    node, _message = index.compound(compound)
    if node is None:
        return None
    for kind, name in ((PlaceKind.BUILDING, building), (PlaceKind.ENTRANCE, entrance), (PlaceKind.HOUSE, house)):
        if not name:
            continue
        child = index.child(node, kind, name)
        if child is None:
            return None
        node = child
    return places_by_ids([node.id]).get()
