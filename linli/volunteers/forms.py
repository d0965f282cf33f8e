"""Forms of the volunteers pages; ``status`` is never a field (only the actions move it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.ui import StyledForm
from linli.volunteers.models import Skill, Team
from linli.volunteers.workflow import ActivityArea, VolunteerKind

DT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control form-control-lg"}, format="%Y-%m-%dT%H:%M"
)


class JoinForm(forms.Form):
    kind = forms.ChoiceField(label=_("I am"), choices=VolunteerKind.choices, widget=forms.RadioSelect)
    skills = forms.ModelMultipleChoiceField(
        label=_("What I can offer"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Anything else"), max_length=200, required=False)


class ActivityForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    location = forms.CharField(label=_("Location"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=DT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    quota = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000)
    waitlist = forms.BooleanField(label=_("Keep a waiting list"), required=False, initial=True)
    area = forms.ChoiceField(label=_("Area"), choices=ActivityArea.choices)
    points = forms.IntegerField(
        label=_("Points per attendance"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to use the points rule for activities."),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)

    def __init__(self, *args, teams=None, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["community"].queryset = communities


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))


class StaffRegisterForm(forms.Form):
    person = forms.IntegerField(label=_("Registry person number"), min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=VolunteerKind.choices)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
