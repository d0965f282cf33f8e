"""The vocabulary of the place tree: the kinds of place, of compound and of house use, and which kinds carry
what. Other apps import these from here (a public module); the models import them too."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    # A city deployment puts the streets under districts (区/县) under a city (市); a street or district
    # deployment starts lower. Codes: city and district the 6-digit GB/T 2260 code, street and community
    # the 12-digit statistical code.
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    AREA = "area", _("Area")
    RESIDENTS_GROUP = "residents_group", _("Residents group")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Compound")
    BUILDING = "building", _("Building")
    ENTRANCE = "entrance", _("Entrance")
    HOUSE = "house", _("House")


class CompoundKind(models.TextChoices):
    """The kind of a compound sets the focus of the work there (三区 and the rest)."""

    RENTED = "rented", _("Rented housing")
    RELOCATION = "relocation", _("Relocation housing")
    COMMERCIAL = "commercial", _("Commercial housing")
    OLD = "old", _("Old compound")
    WORK_UNIT = "work_unit", _("Work-unit compound")


class HouseUsage(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    SHOP = "shop", _("Shop")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


# Kinds above the street (a city deployment): they hold streets, never people or cases directly.
ADMIN_KINDS = frozenset({PlaceKind.CITY, PlaceKind.DISTRICT})
# Kinds whose boundary is a polygon, and kinds located by a point.
POLYGON_KINDS = frozenset(
    {
        PlaceKind.CITY,
        PlaceKind.DISTRICT,
        PlaceKind.STREET,
        PlaceKind.COMMUNITY,
        PlaceKind.AREA,
        PlaceKind.RESIDENTS_GROUP,
        PlaceKind.GRID,
        PlaceKind.COMPOUND,
    }
)
POINT_KINDS = frozenset({PlaceKind.BUILDING})
# Attributes that only some kinds carry.
KIND_FIELDS: dict[str, frozenset[str]] = {
    PlaceKind.STREET: frozenset({"district_code"}),
    PlaceKind.COMPOUND: frozenset({"compound_kind"}),
    PlaceKind.BUILDING: frozenset({"floors"}),
    PlaceKind.HOUSE: frozenset({"usage", "floor", "area_m2"}),
}
ATTRIBUTE_FIELDS = frozenset().union(*KIND_FIELDS.values())
