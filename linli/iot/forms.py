"""Forms of the rules and facilities pages. They only carry the input: the actions check it (and say
what is wrong in the user's language)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.ui import StyledForm
from linli.iot.models import DeviceKind, FacilityKind, Operator, RuleKind

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RuleForm(StyledForm):
    name = forms.CharField(label=_("Rule name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind of rule"), choices=RuleKind.choices)
    device_kind = forms.ChoiceField(label=_("For every device of this kind"), required=False,
                                    choices=[("", "—")] + DeviceKind.choices)
    device = forms.CharField(label=_("Or for one device (its code)"), required=False, max_length=32)
    place = forms.ChoiceField(label=_("Under"), required=False)
    operator = forms.ChoiceField(label=_("Operator"), choices=Operator.choices)
    threshold = forms.CharField(label=_("Threshold (for a rate: change per minute)"), required=False, max_length=20,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    duration_s = forms.CharField(label=_("Held for (seconds)"), required=False, max_length=10,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    offline_minutes = forms.CharField(label=_("Offline after (minutes)"), required=False, max_length=10,
                                      widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    silence_from = forms.CharField(label=_("Silent from"), required=False, max_length=8, widget=TIME)
    silence_to = forms.CharField(label=_("Silent until"), required=False, max_length=8, widget=TIME)
    emergency = forms.BooleanField(label=_("Emergency (an emergency notice goes out with the case)"), required=False)
    category_code = forms.CharField(label=_("Case category code (empty: by the device's kind)"), required=False,
                                    max_length=32)


class FacilityForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    name = forms.CharField(label=_("Facility name"), max_length=100)
    place = forms.ChoiceField(label=_("Place"))
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    lon = forms.CharField(label=_("Longitude"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lat = forms.CharField(label=_("Latitude"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    hours = forms.CharField(label=_("Opening hours"), required=False, max_length=100)
