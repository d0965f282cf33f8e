"""Forms of the party pages. ``status`` and ``active`` are never form fields: the actions move them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.ui import StyledForm as BaseStyledForm
from linli.party.models import MemberRoleKind, PartyOrgKind, ResourceKind
from linli.party.workflow import RegistrationKind

DATE = forms.DateInput(attrs={"type": "date"})


class StyledForm(BaseStyledForm):
    large_widgets = False


class OrgCreateForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[c for c in PartyOrgKind.choices if c[0] != "unit"])
    name = forms.CharField(label=_("name"), max_length=120)
    place = forms.IntegerField(label=_("place"), help_text=_("community, compound, building or house"))
    parent = forms.IntegerField(label=_("parent"), required=False)

    def __init__(self, *args, places=(), parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"] = forms.TypedChoiceField(
            label=_("place"),
            coerce=int,
            choices=[(p.pk, f"{p.get_kind_display()} · {p.name}") for p in places],
        )
        self.fields["parent"] = forms.TypedChoiceField(
            label=_("parent"),
            coerce=int,
            required=False,
            empty_value=None,
            choices=[("", "—")] + [(o.pk, f"{o.get_kind_display()} · {o.name}") for o in parents],
        )
        for name in ("place", "parent"):
            self.fields[name].widget.attrs["class"] = "form-select"


class SecretaryForm(StyledForm):
    username = forms.CharField(
        label=_("account"),
        max_length=150,
        required=False,
        help_text=_("The login name; leave empty to clear."),
    )


class MemberCreateForm(StyledForm):
    person = forms.IntegerField(label=_("person (registry number)"), min_value=1)
    org = forms.TypedChoiceField(label=_("party organisation"), coerce=int, required=False, empty_value=None)
    grid = forms.TypedChoiceField(label=_("grid"), coerce=int, required=False, empty_value=None)
    joined_on = forms.DateField(label=_("joined on"), required=False, widget=DATE)

    def __init__(self, *args, orgs=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "—")] + [(o.pk, o.name) for o in orgs]
        self.fields["grid"].choices = [("", "—")] + [(g.pk, g.name) for g in grids]


class RoleAssignForm(StyledForm):
    role = forms.ChoiceField(label=_("role"), choices=MemberRoleKind.choices)
    place = forms.TypedChoiceField(label=_("place"), coerce=int)
    since = forms.DateField(label=_("since"), required=False, widget=DATE)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(p.pk, f"{p.get_kind_display()} · {p.name}") for p in places]


class RegistrationForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=RegistrationKind.choices)
    community = forms.TypedChoiceField(label=_("community"), coerce=int)
    unit_name = forms.CharField(
        label=_("unit"), max_length=120, help_text=_("The unit registering, or the unit you work for.")
    )
    contact_name = forms.CharField(label=_("contact person"), max_length=64, required=False)
    person = forms.IntegerField(
        label=_("person (registry number)"),
        required=False,
        min_value=1,
        help_text=_("Staff only: register somebody else."),
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, communities=(), staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        if not staff:
            del self.fields["person"]


class DecisionForm(StyledForm):
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    grid = forms.TypedChoiceField(label=_("grid"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", "—")] + [(g.pk, g.name) for g in grids]


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=_("date"), widget=DATE)
    title = forms.CharField(label=_("title"), max_length=120)
    attendees = forms.TypedMultipleChoiceField(
        label=_("units present"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label=_("minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(u.pk, u.name) for u in units]


class ProblemForm(StyledForm):
    title = forms.CharField(label=_("problem"), max_length=100)
    category = forms.TypedChoiceField(label=_("category"), coerce=int)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    partner = forms.TypedChoiceField(label=_("unit assigned"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, categories=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]
        self.fields["partner"].choices = [("", "—")] + [(u.pk, u.name) for u in units]


class PartnerForm(StyledForm):
    name = forms.CharField(label=_("name"), max_length=120)
    big_committee = forms.BooleanField(label=_("member unit of the joint party committee"), required=False)
    rotation_order = forms.IntegerField(label=_("rotation order"), min_value=0, initial=0)
    contact_name = forms.CharField(label=_("contact person"), max_length=64, required=False)


class AgreementForm(StyledForm):
    title = forms.CharField(label=_("title"), max_length=120)
    signed_on = forms.DateField(label=_("signed on"), widget=DATE)
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=DATE)
    content = forms.CharField(label=_("content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResourceForm(StyledForm):
    kind = forms.ChoiceField(label=_("kind"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("name"), max_length=120)
    description = forms.CharField(label=_("description"), required=False)


class ActivityForm(StyledForm):
    held_on = forms.DateField(label=_("date"), widget=DATE)
    title = forms.CharField(label=_("title"), max_length=120)
    partners = forms.TypedMultipleChoiceField(
        label=_("units"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    participants = forms.IntegerField(label=_("participants"), min_value=0, initial=0)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].choices = [(u.pk, u.name) for u in units]


class ReportForm(StyledForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("half year"), coerce=int, choices=[(1, _("H1 (January–June)")), (2, _("H2 (July–December)"))]
    )


class OrgMoveForm(StyledForm):
    parent = forms.TypedChoiceField(label=_("parent"), coerce=int)

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(o.pk, f"{o.get_kind_display()} · {o.name}") for o in parents]


class MemberPlaceForm(StyledForm):
    org = forms.TypedChoiceField(label=_("party organisation"), coerce=int, required=False, empty_value=None)
    grid = forms.TypedChoiceField(label=_("grid"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, orgs=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "—")] + [(o.pk, o.name) for o in orgs]
        self.fields["grid"].choices = [("", "—")] + [(g.pk, g.name) for g in grids]
