"""The registry: persons, households and their members, occupancies (person ↔ house), organisations,
tags, and registry import jobs.

Scope: every row that holds personal data carries ``place_path``, the materialised path of the place
it belongs to (a person's main house, or the grid or community they are registered in when they have
no house), kept current by the actions, so ``visible_to(user)`` is one indexed prefix test.

Nothing here is ever deleted: moving out, death and moving in end rows with dates.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP, SEX
from linli.core.fields import EncryptedTextField, LookupHashField
from linli.residents.access import (
    CompoundServiceQuerySet,
    HouseholdQuerySet,
    ImportJobQuerySet,
    OrganisationQuerySet,
    PersonQuerySet,
    TagQuerySet,
)

PATH_OPS = ["varchar_pattern_ops"]  # PostgreSQL: LIKE 'prefix%' uses the index (ignored on SQLite)


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Person(models.Model):
    name = models.CharField(_("name"), max_length=64)
    # Search keys: "zs" and "zhangsan" for 张三 (lower case, no spaces).
    name_initials = models.CharField(max_length=64, blank=True, default="", editable=False)
    name_pinyin = models.CharField(max_length=255, blank=True, default="", editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=SEX.choices, blank=True, default="")
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITY.choices, blank=True, default="")
    political_status = models.CharField(
        _("political status"), max_length=2, choices=POLITICAL_STATUS.choices, blank=True, default=""
    )
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_number_hash = LookupHashField(source="id_number")
    # The last four characters, as keyed hashes: a copy of the database without the data key holds no
    # digit of an ID number or phone in clear (docs/privacy.md).
    id_tail_hash = LookupHashField(source="id_number", part="tail4")
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_hash = LookupHashField(source="phone")
    phone_tail_hash = LookupHashField(source="phone", part="tail4")
    # The first day of the month of birth, for the age groups (60+, the age pyramid). The day itself
    # stays inside the encrypted ID number: birth month, sex and the district code leave about 15,000
    # ID numbers to try, where the full date left 500.
    birth_month = models.DateField(_("month of birth"), null=True, blank=True, editable=False, db_index=True)
    registered_address = models.CharField(_("household registration address"), max_length=200, blank=True, default="")
    current_address = models.CharField(_("current address"), max_length=200, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE, editable=False
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True, editable=False)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True, editable=False)
    died_on = models.DateField(_("date of death"), null=True, blank=True, editable=False)
    # Where the person belongs for scope: their main house, or the grid/community they are registered in.
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"),
        editable=False,
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["place_path"], name="residents_person_path", opclasses=PATH_OPS),
            models.Index(fields=["name_initials"], name="residents_person_initials", opclasses=PATH_OPS),
            models.Index(fields=["name_pinyin"], name="residents_person_pinyin", opclasses=PATH_OPS),
            models.Index(fields=["name"], name="residents_person_name", opclasses=PATH_OPS),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="residents_person_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_repr(self) -> str:
        """How the audit log names the person: ``#id`` and the masked name (``张*``). The log is kept for
        years and cannot be rewritten; the full name stays in the registry, which anonymisation clears."""
        from linli.core.masking import mask_name

        return f"#{self.pk} {mask_name(self.name)}"

    @property
    def birth_date(self) -> datetime.date | None:
        """The exact date of birth, read from the (decrypted) ID number; None without one."""
        from linli.core.errors import Invalid
        from linli.core.idnumber import parse_id_number

        if not self.id_number:
            return None
        try:
            return parse_id_number(self.id_number).birth_date
        except Invalid:
            return None

    def age_on(self, day: datetime.date) -> int | None:
        b = self.birth_date or self.birth_month
        if not b:
            return None
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class Household(models.Model):
    number = models.CharField(_("household number"), max_length=32, blank=True, default="", db_index=True)
    head = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="headed_households",
        verbose_name=_("head of household"), editable=False,
    )
    house = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("registered house"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE, editable=False
    )
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    dissolved_on = models.DateField(null=True, blank=True, editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="residents_household_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        if self.number:
            return self.number
        return str(_("Household of %(name)s")) % {"name": self.head.name if self.head_id and self.head else "?"}

    @property
    def audit_repr(self) -> str:
        """The audit log's name for it: ``#id`` and its number, not its head's name (no free text that may name a person)."""
        return f"#{self.pk} {self.number}".strip()


HEAD_RELATIONSHIP = "02"  # GB/T 4761: 户主


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relationship = models.CharField(_("relationship to the head"), max_length=2, choices=RELATIONSHIP.choices)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "relationship", "id"]
        constraints = [
            # A person belongs to one household at a time; a household has one head at a time.
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="residents_member_one_current"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True, relationship=HEAD_RELATIONSHIP),
                name="residents_member_one_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.person_id}:{self.relationship}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class OccupancyKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    RESIDENT = "resident", pgettext_lazy("occupancy", "Resident")


class Occupancy(models.Model):
    """A person's link to a house (人房关系), with dates. Ended, never deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="occupancies")
    house = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("house"))
    kind = models.CharField(_("relation to the house"), max_length=16, choices=OccupancyKind.choices)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["house", "end_date"], name="residents_occupancy_house")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "house", "kind"], condition=Q(end_date__isnull=True),
                name="residents_occupancy_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.house_id}:{self.kind}"


class OrganisationKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    COMPANY = "company", _("Company")
    SCHOOL = "school", _("School")
    UNIT = "unit", _("Public unit")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PROPERTY_COMPANY = "property_company", _("Property company")
    OTHER = "other", _("Other")


# The kinds that serve compounds (业委会, 物业公司): linked to the compounds they serve, with dates.
SERVING_KINDS = frozenset({OrganisationKind.OWNERS_COMMITTEE, OrganisationKind.PROPERTY_COMPANY})


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices, default=OrganisationKind.SHOP)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True, default="")
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    contact_phone_hash = LookupHashField(source="contact_phone")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True, editable=False)
    closed_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="residents_org_path", opclasses=PATH_OPS)]

    def __str__(self) -> str:
        return self.name


class CompoundService(models.Model):
    """An owners' committee or a property company serving a compound, from one date until another. A
    property company may serve several compounds; a compound has at most one current owners' committee
    and one current property company (``kind`` copies the organisation's kind for that constraint).
    ``place_path`` is the compound's path: the compound's staff see who serves it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    compound = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("compound"))
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices, editable=False)
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompoundServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("compound service")
        verbose_name_plural = _("compound services")
        ordering = ["id"]
        indexes = [models.Index(fields=["place_path"], name="residents_service_path", opclasses=PATH_OPS)]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "kind"], condition=Q(end_date__isnull=True), name="residents_service_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}→{self.compound_id}"


class TagSensitivity(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    SENSITIVE = "sensitive", _("Sensitive")


class Tag(models.Model):
    """A group that needs care or attention. Built-in tags have no community; custom tags belong to one.
    A computed tag (60+) has no PersonTag rows: it is derived from the date of birth."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=32)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=16, choices=TagSensitivity.choices, default=TagSensitivity.INTERNAL
    )
    builtin = models.BooleanField(default=False, editable=False)
    computed = models.BooleanField(default=False, editable=False)
    community = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("community"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["-builtin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(community__isnull=True), name="residents_tag_builtin_code_unique"
            ),
            models.UniqueConstraint(
                fields=["community", "code"], condition=Q(community__isnull=False), name="residents_tag_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sensitive(self) -> bool:
        return self.sensitivity == TagSensitivity.SENSITIVE


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="person_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="person_tags")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person tag")
        verbose_name_plural = _("person tags")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["tag", "person"], name="residents_persontag_tag")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking rows")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Problems found")
    FAILED = "failed", _("Failed")


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons")
    ORGANISATIONS = "organisations", _("Organisations")


class ImportJob(models.Model):
    """One upload of a registry workbook: its options, progress, counts and problems."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    filename = models.CharField(max_length=200, blank=True, default="")
    file = models.CharField(max_length=255, blank=True, default="")  # storage name; removed when done
    report = models.CharField(max_length=255, blank=True, default="")  # storage name of the error report
    kind = models.CharField(max_length=16, choices=ImportKind.choices, default=ImportKind.PERSONS)
    create_houses = models.BooleanField(default=False)
    update_existing = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # the first problems: [row, column, message]
    counts = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who runs it (linli.core.jobs.runner_stamp) and when it last showed life: a job whose runner died
    # is ended by the reaper instead of saying "writing 52%" forever.
    runner = models.CharField(max_length=100, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


RUNNING_IMPORT_STATES = (ImportStatus.VALIDATING, ImportStatus.WRITING)
