"""Forms of the care pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.care.workflow import Found, HomeServiceKind, NeedKind


class VisitForm(forms.Form):
    found = forms.ChoiceField(label=_("What did you find?"), choices=Found.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-lg"}))
    photo = forms.FileField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment", "class": "form-control form-control-lg"}))
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)

    NEED_ROWS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.NEED_ROWS):
            self.fields[f"need_kind_{i}"] = forms.ChoiceField(
                label=_("Kind"), choices=NeedKind.choices, required=False,
                widget=forms.Select(attrs={"class": "form-select"}))
            self.fields[f"need_text_{i}"] = forms.CharField(
                label=_("Need"), required=False, max_length=300,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("A need raised (optional)")}))

    def needs(self) -> list[dict[str, str]]:
        return [{"kind": self.cleaned_data.get(f"need_kind_{i}") or "other",
                 "text": self.cleaned_data.get(f"need_text_{i}") or ""} for i in range(self.NEED_ROWS)]


class HomeServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=HomeServiceKind.choices,
                             widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    wanted_on = forms.DateField(label=_("Wanted on"), widget=forms.DateInput(
        attrs={"type": "date", "class": "form-control form-control-lg"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}))
