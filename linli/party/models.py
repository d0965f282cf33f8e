"""Party-led service (PRODUCT.md §3): the organisation tree, members and partner units.

The 三单制 orders and 微心愿 wishes live in ``models_service.py`` (imported at the bottom)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_OPS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index (ignored on SQLite)


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Community party committee")  # 社区党委
    BRANCH = "branch", _("Compound party branch")  # 小区党支部
    GROUP = "group", _("Building party group")  # 楼栋党小组
    HOUSEHOLD_POST = "household_post", _("Party member central household")  # 党员中心户
    UNIT = "unit", _("Unit party organisation")  # 单位党组织 (双报到, 大党委 member units)


class PartyOrg(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyOrgKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    # The place the organisation is tied to: the community (committee), compound (branch), building (group).
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    # The account that runs the organisation's work in Linli (the branch secretary dispatches its orders).
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("secretary"),
    )
    active = models.BooleanField(_("active"), default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="party_org_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name


class PartyMemberKind(models.TextChoices):
    LOCAL = "local", _("Member of a community organisation")  # 组织关系在社区
    REGISTERED = "registered", _("Serving member registered with the community")  # 在职党员双报到


class PartyMember(models.Model):
    person = models.ForeignKey("residents.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    # The member's login, when they have one (members take orders and wishes in Linli).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="party_members",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PartyMemberKind.choices, default=PartyMemberKind.LOCAL)
    # The organisation the member serves in (their branch or group in the community).
    org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    # For registered (serving) members: the unit they work for, to whom hours are reported.
    employer = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_members",
        verbose_name=_("employer unit"),
    )
    # The grid the member was placed in (双报到 placement), for finding members near an order.
    grid = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="party_member_path", opclasses=PATH_OPS)]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(active=True), name="party_member_one_active_per_person"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class Partner(models.Model):
    """A co-building unit (共建单位) of a community; ``big_committee`` marks a 大党委 member unit."""

    name = models.CharField(_("name"), max_length=120)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("unit party organisation"),
    )
    big_committee = models.BooleanField(_("member unit of the joint party committee"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True, default="")
    active = models.BooleanField(_("active"), default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="party_partner_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name


# --- owned by the orgs/members/registration work above this line; orders and wishes below ---------------------
from linli.party.models_service import *  # noqa: E402,F401,F403
