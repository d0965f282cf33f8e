"""Forms of the hall's pages. ``status`` is never a field: the transitions change it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.ui import StyledForm
from linli.hall.workflow import CourseKind, ServiceCategory


class ApplyForm(StyledForm):
    details = forms.CharField(label=_("What it is for"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("Address"), required=False, max_length=200)


class WalkInForm(StyledForm):
    service = forms.ChoiceField(label=_("Service"))
    applicant_name = forms.CharField(label=_("Applicant"), max_length=64)
    place = forms.ChoiceField(label=_("Place (grid or compound)"))
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    details = forms.CharField(label=_("What it is for"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    person = forms.IntegerField(label=_("Registry person number (optional)"), required=False, min_value=1)


class ServiceForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    materials = forms.CharField(label=_("Materials to bring (one a line)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    window = forms.CharField(label=_("Window or centre"), required=False, max_length=80)
    promised_days = forms.IntegerField(label=_("Promised working days"), min_value=0, max_value=120)
    agency = forms.BooleanField(label=_("Agency (代办) offered"), required=False)
    agency_office = forms.CharField(label=_("Office the agency goes to"), required=False, max_length=80)
    certificate = forms.BooleanField(label=_("Issues a certificate"), required=False)
    certificate_text = forms.CharField(label=_("Certificate text ({name}, {address}, {purpose})"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


class BookingForm(StyledForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, max_value=2000, required=False)
    weekly = forms.BooleanField(label=_("Every week at this time"), required=False)
    until = forms.DateField(label=_("Every week until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RoomForm(StyledForm):
    place = forms.ChoiceField(label=_("Place"))
    centre = forms.CharField(label=_("Centre"), max_length=80)
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=2000)
    opens = forms.TimeField(label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes = forms.TimeField(label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    weekdays = forms.MultipleChoiceField(label=_("Open on"), widget=forms.CheckboxSelectMultiple)
    needs_approval = forms.BooleanField(label=_("Bookings need approval"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from linli.hall.workflow import RoomKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = RoomKind.choices
        self.fields["weekdays"].choices = [(str(i), d) for i, d in enumerate(WEEKDAYS)]
        self.fields["weekdays"].widget.attrs = {}


WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


class CourseForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    title = forms.CharField(label=_("Title"), max_length=80)
    place = forms.ChoiceField(label=_("Community"), required=False)
    lecturer = forms.CharField(label=_("Lecturer (讲师团)"), max_length=80, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=80, required=False)
    quota = forms.IntegerField(label=_("Quota"), min_value=1, max_value=1000)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    min_attendance = forms.IntegerField(label=_("Attendance needed for the certificate (%)"), min_value=0,
                                        max_value=100, initial=80)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class SessionForm(StyledForm):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    topic = forms.CharField(label=_("Topic"), max_length=120, required=False)


class WalkInEnrolForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    person = forms.IntegerField(label=_("Registry person number (optional)"), required=False, min_value=1)
