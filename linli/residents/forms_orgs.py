"""Forms of the organisation pages. They only collect input; the actions validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.places.kinds import CompoundKind
from linli.residents.forms import CONTROL, DATE, SELECT, _choices
from linli.residents.models import OrganisationKind
from linli.residents.selectors_orgs import STATUS_ALL, STATUS_CLOSED


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={**CONTROL, "type": "search", "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=forms.Select(attrs=SELECT),
                             choices=[("", _("All kinds")), *OrganisationKind.choices])
    compound = forms.ChoiceField(label=_("Compound"), required=False, widget=forms.Select(attrs=SELECT))
    compound_kind = forms.ChoiceField(label=_("Compound kind"), required=False, widget=forms.Select(attrs=SELECT),
                                      choices=[("", _("All compound kinds")), *CompoundKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, widget=forms.Select(attrs=SELECT),
                               choices=[("", pgettext_lazy("organisation", "Open")),
                                        (STATUS_CLOSED, pgettext_lazy("organisation", "Closed")), (STATUS_ALL, _("All"))])

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "compound", [("", _("All compounds")), *[(str(c.pk), c.name) for c in compounds]])


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=CONTROL))
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices, widget=forms.Select(attrs=SELECT))
    compound = forms.ChoiceField(label=_("Compound"), widget=forms.Select(attrs=SELECT),
                                 help_text=_("Where it sits. A committee or a property office can sit at the compound "
                                             "itself: leave the building empty."))
    building = forms.CharField(label=_("Building"), max_length=100, required=False, widget=forms.TextInput(attrs=CONTROL))
    entrance = forms.CharField(label=_("Entrance"), max_length=100, required=False, widget=forms.TextInput(attrs=CONTROL))
    house = forms.CharField(label=_("House number"), max_length=100, required=False,
                            widget=forms.TextInput(attrs=CONTROL))
    contact_name = forms.CharField(label=_("Contact person"), max_length=64, required=False,
                                   widget=forms.TextInput(attrs=CONTROL))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={**CONTROL, "inputmode": "tel"}))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False,
                                  widget=forms.TextInput(attrs=CONTROL))
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={**CONTROL, "rows": 2}))

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "compound", [(str(c.pk), c.name) for c in compounds])


class OrganisationCreateForm(OrganisationForm):
    serves = forms.MultipleChoiceField(
        label=_("Compounds it serves"), required=False, widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}),
        help_text=_("For an owners' committee or a property company."))
    serves_from = forms.DateField(label=_("Serving since"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, compounds=compounds, **kwargs)
        _choices(self, "serves", [(str(c.pk), c.name) for c in compounds])


class ServeForm(forms.Form):
    compound = forms.ChoiceField(label=_("Compound"), widget=forms.Select(attrs=SELECT))
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "compound", [(str(c.pk), c.name) for c in compounds])


class ServeEndForm(forms.Form):
    on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE))
