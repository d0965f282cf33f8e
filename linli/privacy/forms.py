"""Forms of the personal-data pages. They only collect input; the actions validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.privacy.actions import NOTE_MAX
from linli.privacy.workflow import CORRECTABLE_FIELDS

CONTROL = {"class": "form-control form-control-lg"}


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("What is wrong"), choices=[("", "—"), *CORRECTABLE_FIELDS.items()],
                              widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    value = forms.CharField(label=_("The right value"), max_length=200,
                            widget=forms.TextInput(attrs={**CONTROL, "autocomplete": "off"}))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={**CONTROL, "rows": 2}))


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX,
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))
