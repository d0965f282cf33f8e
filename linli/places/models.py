"""The place tree: (city → district →) street → community → (area | residents group) → grid → compound → building →
entrance → house. Each node keeps a materialised path (``/1/4/9/``) so that "everything under this
node" is one indexed prefix test."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.places.access import PlaceQuerySet
from linli.places.kinds import (  # noqa: F401 (the vocabulary lives in kinds.py; the app's own code imports it here too)
    ADMIN_KINDS,
    ATTRIBUTE_FIELDS,
    KIND_FIELDS,
    POINT_KINDS,
    POLYGON_KINDS,
    CompoundKind,
    HouseUsage,
    PlaceKind,
)


class Place(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    # City and district: the 6-digit GB/T 2260 code; street and community: the 12-digit statistical code;
    # grid: its grid code; others: optional.
    code = models.CharField(_("code"), max_length=32, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    # Street: the 6-digit county (district) code, GB/T 2260.
    district_code = models.CharField(_("district code"), max_length=6, blank=True)
    # A GeoJSON geometry (WGS 84 lon/lat): Polygon or MultiPolygon for areas, Point for buildings.
    geometry = models.JSONField(_("boundary"), null=True, blank=True, editable=False)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True, editable=False)
    compound_kind = models.CharField(
        _("compound kind"), max_length=16, choices=CompoundKind.choices, blank=True
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    usage = models.CharField(_("usage"), max_length=16, choices=HouseUsage.choices, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    # Building: the stable public code printed in its QR code (/r/<public_code>).
    public_code = models.CharField(
        _("public code"), max_length=16, null=True, blank=True, unique=True, editable=False
    )
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
