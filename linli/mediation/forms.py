"""Forms of the mediation pages (``status`` is never a field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.selectors import user_by_username
from linli.core.ui import StyledForm as BaseStyledForm
from linli.mediation.workflow import DisputeKind, DisputeSource, Method, RiskLevel


class StyledForm(BaseStyledForm):
    large_widgets = False


class DisputeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    place = forms.TypedChoiceField(label=_("Where"), coerce=int, choices=(), required=False, empty_value=None)
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
    case = forms.CharField(label=_("From a case (its number)"), max_length=32, required=False,
                           help_text=_("The case keeps the link; its timeline comes first."))

    def __init__(self, *args: Any, places: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = list(places)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("place") and not data.get("case"):
            self.add_error("place", _("Where did it happen? Choose the place."))
        return data

    def parties(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = [{"role": "applicant", "name": d["applicant_name"], "phone": d.get("applicant_phone", "")}]
        if d.get("respondent_name") or d.get("respondent_organisation"):
            out.append({"role": "respondent", "name": d.get("respondent_name", ""),
                        "phone": d.get("respondent_phone", ""),
                        "organisation": d.get("respondent_organisation", "")})
        return out


TRIAGE_CHOICES = [(m.value, m.label) for m in Method if m != Method.REFERRAL]


class MediatorForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    kinds = forms.MultipleChoiceField(label=_("Serves as"), choices=(), widget=forms.CheckboxSelectMultiple)
    place = forms.TypedChoiceField(label=_("Serves"), coerce=int, choices=())
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, choices=(), required=False, empty_value=None)
    organisation = forms.CharField(label=_("Organisation"), max_length=120, required=False,
                                   help_text=_("A law firm, the police station, the judicial office."))
    account = forms.CharField(label=_("Login (user name)"), max_length=150, required=False,
                              help_text=_("When the mediator works the ledger in Linli."))

    def __init__(self, *args: Any, places: Any = (), teams: Any = (), **kwargs: Any) -> None:
        from linli.mediation.models import MediatorKind

        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = MediatorKind.choices
        self.fields["kinds"].widget.attrs.pop("class", None)
        self.fields["place"].choices = list(places)
        self.fields["team"].choices = [("", "—"), *teams]

    def clean_account(self) -> Any:

        name = self.cleaned_data.get("account", "").strip()
        if not name:
            return None
        user = user_by_username(name)
        if user is None:
            raise forms.ValidationError(_("No such login."))
        return user


class TeamForm(StyledForm):
    name = forms.CharField(label=_("Team name"), max_length=120)
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, places: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = list(places)
