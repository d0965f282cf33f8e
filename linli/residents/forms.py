"""Forms of the registry pages. They only collect input; the actions validate and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP
from linli.places.kinds import CompoundKind
from linli.residents.models import ImportKind, OccupancyKind, PersonStatus, TagSensitivity
from linli.residents.selectors import STATUS_ALL

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}


def _choices(form: forms.Form, name: str, choices: list) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=64,
        widget=forms.TextInput(attrs={**CONTROL, "type": "search", "autocomplete": "off",
                                      "placeholder": _("Name, pinyin initials (zs), last 4 digits of phone or ID, "
                                                       "full ID number, address")}),
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False, widget=forms.Select(attrs=SELECT))
    place = forms.ChoiceField(label=_("Grid"), required=False, widget=forms.Select(attrs=SELECT))
    compound_kind = forms.ChoiceField(label=_("Compound kind"), required=False, widget=forms.Select(attrs=SELECT),
                                      choices=[("", _("All compound kinds")), *CompoundKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[*PersonStatus.choices, (STATUS_ALL, _("All"))],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, tags=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "tag", [("", _("All tags")), *[(t.code, t.name) for t in tags]])
        _choices(self, "place", [("", _("All grids")), *[(str(g.pk), g.name) for g in grids]])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={**CONTROL, "accept": ".xlsx"}),
        help_text=_("Fill in the template; the first row holds its headers."),
    )
    community = forms.ChoiceField(label=_("Community"), widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(
        label=_("The workbook holds"), choices=ImportKind.choices, initial=ImportKind.PERSONS, required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Organisations: shops along the street, companies, schools, units, owners' committees and "
                    "property companies, in the organisations template."),
    )
    create_houses = forms.BooleanField(
        label=_("Create missing houses"), required=False,
        help_text=_("Buildings, entrances and houses not yet in the place tree are created under their compound."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    update_existing = forms.BooleanField(
        label=_("Update registered persons"), required=False,
        help_text=_("Rows whose ID number is already registered update that person instead of being reported "
                    "as problems."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, communities=(), can_create_houses=False, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "community", [(str(c.pk), c.name) for c in communities])
        if not can_create_houses:
            del self.fields["create_houses"]

    def clean_kind(self):
        return self.cleaned_data.get("kind") or ImportKind.PERSONS

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload


def _today():
    return timezone.localdate()


class DateForm(forms.Form):
    on = forms.DateField(label=_("Date"), initial=_today, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class MoveOutForm(DateForm):
    destination = forms.CharField(label=_("Moved to"), required=False, max_length=100,
                                  widget=forms.TextInput(attrs=CONTROL))


class AddressFields(forms.Form):
    compound = forms.CharField(label=_("Compound"), max_length=100, widget=forms.TextInput(attrs=CONTROL))
    building = forms.CharField(label=_("Building"), max_length=100, required=False, widget=forms.TextInput(attrs=CONTROL))
    entrance = forms.CharField(label=_("Entrance"), max_length=100, required=False, widget=forms.TextInput(attrs=CONTROL))
    house = forms.CharField(label=_("House number"), max_length=100, required=False, widget=forms.TextInput(attrs=CONTROL))
    kind = forms.ChoiceField(label=_("Relation to the house"), choices=OccupancyKind.choices,
                             initial=OccupancyKind.RESIDENT, widget=forms.Select(attrs=SELECT))


class MoveInForm(AddressFields, DateForm):
    pass


def _code_choices(table):
    return [("", "—"), *[(code, name) for code, name in table]]


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, widget=forms.TextInput(attrs=CONTROL))
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False,
                                widget=forms.TextInput(attrs={**CONTROL, "autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={**CONTROL, "autocomplete": "off", "inputmode": "tel"}))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), required=False, choices=_code_choices(ETHNICITY),
                                  widget=forms.Select(attrs=SELECT))
    political_status = forms.ChoiceField(label=_("Political status"), required=False,
                                         choices=_code_choices(POLITICAL_STATUS), widget=forms.Select(attrs=SELECT))
    registered_address = forms.CharField(label=_("Household registration address"), max_length=200, required=False,
                                         widget=forms.TextInput(attrs=CONTROL))
    current_address = forms.CharField(label=_("Current address"), max_length=200, required=False,
                                      widget=forms.TextInput(attrs=CONTROL))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={**CONTROL, "rows": 3}))


class PersonCreateForm(PersonForm, AddressFields):
    community = forms.ChoiceField(label=_("Community"), widget=forms.Select(attrs=SELECT))

    field_order = ["name", "id_number", "phone", "ethnicity", "political_status", "registered_address",
                   "community", "compound", "building", "entrance", "house", "kind", "current_address", "notes"]

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "community", [(str(c.pk), c.name) for c in communities])
        self.fields["compound"].required = False
        self.fields["compound"].help_text = _("Leave the address empty to register the person in the community "
                                              "without a house.")


class PersonTagForm(forms.Form):
    tag = forms.ChoiceField(label=_("Tag"), widget=forms.Select(attrs=SELECT))
    valid_from = forms.DateField(label=_("Valid from"), initial=_today, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    source = forms.CharField(label=_("Source"), max_length=200, required=False,
                             help_text=_("Where this comes from, e.g. the civil affairs office's list of 2026."),
                             widget=forms.TextInput(attrs=CONTROL))

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "tag", [(str(t.pk), t.name) for t in tags if not t.computed])


class MemberForm(forms.Form):
    id_number = forms.CharField(label=_("ID number of the member"), max_length=18,
                                widget=forms.TextInput(attrs={**CONTROL, "autocomplete": "off"}))
    relationship = forms.ChoiceField(label=_("Relationship to the head"),
                                     choices=[(c, n) for c, n in RELATIONSHIP if c not in ("01", "02")],
                                     widget=forms.Select(attrs=SELECT))


class TagForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32, widget=forms.TextInput(attrs=CONTROL))
    name = forms.CharField(label=_("Name"), max_length=32, widget=forms.TextInput(attrs=CONTROL))
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=TagSensitivity.choices,
                                    initial=TagSensitivity.INTERNAL, widget=forms.Select(attrs=SELECT))
    community = forms.ChoiceField(label=_("Community"), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, communities=(), sensitive=False, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "community", [(str(c.pk), c.name) for c in communities])
        if not sensitive:
            _choices(self, "sensitivity", [(v, label) for v, label in TagSensitivity.choices
                                           if v != TagSensitivity.SENSITIVE])
