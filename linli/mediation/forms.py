"""Forms of the mediation pages (``status`` is never a field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.mediation.workflow import DisputeKind, DisputeSource, Method, RiskLevel


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


class DisputeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    place = forms.TypedChoiceField(label=_("Where"), coerce=int, choices=())
    title = forms.CharField(label=_("Title"), max_length=100, required=False,
                            help_text=_("A few words; the start of the facts when left empty."))
    facts = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    applicant_name = forms.CharField(label=_("Applicant's name"), max_length=64)
    applicant_phone = forms.CharField(label=_("Applicant's phone"), max_length=20, required=False)
    respondent_name = forms.CharField(label=_("Respondent's name"), max_length=64, required=False)
    respondent_phone = forms.CharField(label=_("Respondent's phone"), max_length=20, required=False)
    respondent_organisation = forms.CharField(
        label=_("Or the respondent organisation"), max_length=120, required=False,
        help_text=_("A property company, an owners' committee, a shop."))
    source = forms.ChoiceField(label=_("Source"), choices=DisputeSource.choices, initial=DisputeSource.WALK_IN)
    risk = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    amount = forms.DecimalField(label=_("Amount at stake (yuan)"), required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args: Any, places: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = list(places)

    def parties(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = [{"role": "applicant", "name": d["applicant_name"], "phone": d.get("applicant_phone", "")}]
        if d.get("respondent_name") or d.get("respondent_organisation"):
            out.append({"role": "respondent", "name": d.get("respondent_name", ""),
                        "phone": d.get("respondent_phone", ""),
                        "organisation": d.get("respondent_organisation", "")})
        return out


TRIAGE_CHOICES = [(m.value, m.label) for m in Method if m != Method.REFERRAL]
