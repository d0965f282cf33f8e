"""The place tree: street → community → (area | residents group) → grid → compound → building →
entrance → house. Each node keeps a materialised path (``/1/4/9/``) so that "everything under this
node" is one indexed prefix test."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.places.access import PlaceQuerySet


class PlaceKind(models.TextChoices):
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    AREA = "area", _("Area")
    RESIDENTS_GROUP = "residents_group", _("Residents group")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Compound")
    BUILDING = "building", _("Building")
    ENTRANCE = "entrance", _("Entrance")
    HOUSE = "house", _("House")


class Place(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

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
        parts = [p for p in self.path.split("/") if p]
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
