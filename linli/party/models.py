"""Party-led service (PRODUCT.md §3): the organisation tree, members and partner units.

The 三单制 orders and 微心愿 wishes are their own app (``linli.orders``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.party.access import (
    JointActivityQuerySet,
    JointMeetingQuerySet,
    MemberRoleQuerySet,
    PartnerChildQuerySet,
    PartnerQuerySet,
    PartyMemberQuerySet,
    PartyOrgQuerySet,
    RegistrationQuerySet,
)
from linli.party.workflow import RegistrationKind, RegistrationStatus

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
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # The place the organisation is tied to: the community (committee), compound (branch), building (group).
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    # The account that runs the organisation's work in Linli (the branch secretary dispatches its orders).
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("secretary"),
    )
    active = models.BooleanField(_("active"), default=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartyOrgQuerySet.as_manager()

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
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    # The member's login, when they have one (members take orders and wishes in Linli).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
        verbose_name=_("account"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=PartyMemberKind.choices, default=PartyMemberKind.LOCAL
    )
    # The organisation the member serves in (their branch or group in the community).
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    # For registered (serving) members: the unit they work for, to whom hours are reported.
    employer = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_members",
        verbose_name=_("employer unit"),
    )
    # The grid the member was placed in (双报到 placement), for finding members near an order.
    grid = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid"),
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, editable=False)
    left_on = models.DateField(_("left on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartyMemberQuerySet.as_manager()

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
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit party organisation"),
    )
    big_committee = models.BooleanField(_("member unit of the joint party committee"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True, default="")
    # The unit's place in the 大党委's rotation (按月轮值): units chair in this order, then by id.
    rotation_order = models.PositiveSmallIntegerField(_("rotation order"), default=0)
    active = models.BooleanField(_("active"), default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="party_partner_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name


class MemberRoleKind(models.TextChoices):
    # 两长三员 of a building
    GROUP_LEADER = "group_leader", _("Party group leader")  # 党小组长
    BUILDING_HEAD = "building_head", _("Building head")  # 楼栋长
    SAFETY = "safety", _("Safety officer")  # 安全员
    HYGIENE = "hygiene", _("Hygiene officer")  # 卫生员
    PROPERTY = "property", _("Property liaison")  # 物管员
    # posts (岗)
    POLICY_POST = "policy_post", _("Policy publicity post")  # 政策宣传岗
    TRAFFIC_POST = "traffic_post", _("Traffic safety post")  # 交通安全责任岗


BUILDING_ROLES = frozenset(
    {
        MemberRoleKind.GROUP_LEADER,
        MemberRoleKind.BUILDING_HEAD,
        MemberRoleKind.SAFETY,
        MemberRoleKind.HYGIENE,
        MemberRoleKind.PROPERTY,
    }
)


class MemberRole(models.Model):
    """A member's role on a building (两长三员) or post (岗), held from ``since`` until ``until``."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="roles", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRoleKind.choices)
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("member role")
        verbose_name_plural = _("member roles")
        ordering = ["place_path", "role", "-since"]
        indexes = [models.Index(fields=["place_path"], name="party_role_path", opclasses=PATH_OPS)]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "role"],
                condition=models.Q(until__isnull=True),
                name="party_role_one_current_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member}"


class Registration(models.Model):
    """双报到: a unit's party organisation, or a serving member, registers with a community."""

    kind = models.CharField(_("kind"), max_length=8, choices=RegistrationKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.SUBMITTED,
        editable=False,
    )
    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    # unit: the unit's name and its party organisation (made or found on approval)
    unit_name = models.CharField(_("unit"), max_length=120, blank=True, default="")
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True, default="")
    # member: the person (lives in the community) and the unit they work for
    person = models.ForeignKey(
        "residents.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    employer = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer unit"),
    )
    note = models.TextField(_("note"), blank=True, default="")
    # outcome
    grid = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid"),
        editable=False,
    )
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("unit party organisation"),
        editable=False,
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    member = models.ForeignKey(
        PartyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    reason = models.TextField(_("reason"), blank=True, default="", editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["place_path"], name="party_reg_path", opclasses=PATH_OPS),
            models.Index(
                fields=["status", "id"], name="party_reg_open", condition=models.Q(status="submitted")
            ),
        ]

    def __str__(self) -> str:
        return self.unit_name if self.kind == RegistrationKind.UNIT else str(self.person or "")


class RegistrationEvent(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind}"


class JointMeeting(models.Model):
    """The 大党委's monthly joint meeting (联席会), chaired by the month's rotating unit."""

    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=120)
    chair = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair unit"),
        editable=False,
    )
    attendees = models.ManyToManyField(
        Partner, blank=True, related_name="meetings", verbose_name=_("units present")
    )
    minutes = models.TextField(_("minutes"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JointMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["place_path"], name="party_meeting_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.title


class MeetingProblem(models.Model):
    """A problem the joint meeting assigned: filed as a case (channel joint_meeting) and tracked there."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="problems")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit assigned"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.case_id}"


class PartnerAgreement(models.Model):
    """共建协议 between the community and a co-building unit."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    title = models.CharField(_("title"), max_length=120)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    content = models.TextField(_("content"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerChildQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICE = "service", _("Service")


class PartnerResource(models.Model):
    """A resource a co-building unit shares (资源共享)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="resources")
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerChildQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class JointActivity(models.Model):
    """A joint activity of the community and its co-building units (共驻共建)."""

    community = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=120)
    partners = models.ManyToManyField(Partner, blank=True, related_name="activities", verbose_name=_("units"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JointActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

