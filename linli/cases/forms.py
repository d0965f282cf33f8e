"""Forms of the case pages. They only clean input; every write goes through linli.cases.actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.cases.workflow import Channel, Satisfaction

STAFF_CHANNEL_CHOICES = [
    (Channel.PATROL.value, Channel.PATROL.label),
    (Channel.VISIT.value, Channel.VISIT.label),
    (Channel.PROXY.value, Channel.PROXY.label),
]


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    widget = MultiFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultiFileField, self).clean(d, initial) for d in items]


class ReportForm(forms.Form):
    """The resident's report (the category is chosen in the step before)."""

    description = forms.CharField(
        label=_("What is the problem?"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("For example: the street light at the gate has been off for three days")}),
    )
    photos = MultiFileField(label=_("Photos (up to 9)"), required=False,
                            widget=MultiFileInput(attrs={"accept": "image/*"}))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    private = forms.BooleanField(label=_("Keep it private (not shown on the public board)"), required=False)


class StaffIntakeForm(ReportForm):
    """Patrol report, door-knocking visit note, or entry on behalf of a resident who phoned or came in."""

    channel = forms.ChoiceField(label=_("How did it come in?"), choices=STAFF_CHANNEL_CHOICES)
    category = forms.ChoiceField(label=_("Category"), choices=())
    place_code = forms.CharField(label=_("Building code (optional)"), max_length=16, required=False)
    reporter_name = forms.CharField(label=_("Resident's name (for entries on their behalf)"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("Resident's mobile (optional)"), max_length=20, required=False)

    field_order = ["channel", "category", "description", "place_code", "reporter_name", "reporter_phone", "photos",
                   "private", "lon", "lat"]


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("The 6-digit code we sent"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Are you satisfied?"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    solved = forms.TypedChoiceField(label=_("Is the problem solved?"), choices=[("yes", _("Yes")), ("no", _("No"))],
                                    coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything to add? (optional)"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    """Every input a transition may need; the case page shows the ones its transition requires."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reply = forms.CharField(label=_("Reply to the resident (public)"), max_length=4000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Internal note (staff only)"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30, required=False)
    due = forms.DateField(label=_("New deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(label=_("Case number to merge into"), max_length=16, required=False)
    owner_kind = forms.CharField(required=False)
    owner_user = forms.IntegerField(label=_("Person"), required=False)
    owner_department = forms.IntegerField(label=_("Department"), required=False)
    departments = forms.TypedMultipleChoiceField(label=_("Departments"), coerce=int, required=False, choices=())
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=[("", "—"), *Satisfaction.choices], required=False)
    solved = forms.NullBooleanField(label=_("Solved"), required=False)
    photos = MultiFileField(label=_("Photos"), required=False, widget=MultiFileInput(attrs={"accept": "image/*"}))

    def __init__(self, *args, department_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = list(department_choices)


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    overdue = forms.ChoiceField(label=_("Deadline"), required=False,
                                choices=[("", _("Any")), ("warning", _("Yellow: due soon")), ("overdue", _("Red: overdue"))])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
