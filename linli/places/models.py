"""The place tree: (city → district →) street → community → (area | residents group) → grid → compound → building →
entrance → house. Each node keeps a materialised path (``/1/4/9/``) so that "everything under this
node" is one indexed prefix test."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.places.access import PlaceQuerySet


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
    {PlaceKind.CITY, PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.AREA, PlaceKind.RESIDENTS_GROUP, PlaceKind.GRID, PlaceKind.COMPOUND}
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


class Place(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    # City and district: the 6-digit GB/T 2260 code; street and community: the 12-digit statistical code;
    # grid: its grid code; others: optional.
    code = models.CharField(_("code"), max_length=32, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    # Street: the 6-digit county (district) code, GB/T 2260.
    district_code = models.CharField(_("district code"), max_length=6, blank=True)
    # A GeoJSON geometry (WGS 84 lon/lat): Polygon or MultiPolygon for areas, Point for buildings.
    geometry = models.JSONField(_("boundary"), null=True, blank=True, editable=False)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True, editable=False)
    compound_kind = models.CharField(_("compound kind"), max_length=16, choices=CompoundKind.choices, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    usage = models.CharField(_("usage"), max_length=16, choices=HouseUsage.choices, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    # Building: the stable public code printed in its QR code (/r/<public_code>).
    public_code = models.CharField(_("public code"), max_length=16, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="places_place_path", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~models.Q(code=""), name="places_place_kind_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors_and_self_paths(self) -> list[str]:
        from linli.core.access import path_prefixes

        return path_prefixes(self.path)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (not this node)."""
        return [int(p) for p in self.path.split("/") if p][:-1]


class BoundaryVersion(models.Model):
    """One row (pk=1): a counter that every boundary change increments in its own transaction. Each
    process's point-to-grid index rebuilds when the counter moves (linli/places/geo.py)."""

    n = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"boundary version {self.n}"
