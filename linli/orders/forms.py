"""Forms of the order and wish pages. ``status`` is never a field: the actions move it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.orders.workflow import OrderCategory, Satisfaction

_BIG = {"class": "form-control form-control-lg"}


def _photo_field() -> forms.FileField:
    return forms.FileField(  # checked and re-encoded by the action (linli.core.uploads)
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-lg", "accept": "image/*"}),
    )


class ForResident:
    """Staff entering for a resident: after the resident's name, the place (``places``: where staff may enter)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.fields["place"] = forms.ChoiceField(
            label=_("Place"),
            choices=[(p.pk, p.name) for p in places],
            widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        )


def _name_field() -> forms.CharField:
    return forms.CharField(label=_("Resident's name"), max_length=64, widget=forms.TextInput(attrs=_BIG))


class OrderForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Service"),
        choices=OrderCategory.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    description = forms.CharField(
        label=_("What do you need?"), max_length=4000, widget=forms.Textarea(attrs={**_BIG, "rows": 3})
    )
    wanted_at = forms.DateTimeField(
        label=_("When would you like it?"),
        required=False,
        widget=forms.DateTimeInput(attrs={**_BIG, "type": "datetime-local"}),
    )
    address = forms.CharField(
        label=_("Address or building"), max_length=200, widget=forms.TextInput(attrs=_BIG)
    )
    photo = _photo_field()


class StaffOrderForm(ForResident, OrderForm):
    requester_name = _name_field()


class WishForm(forms.Form):
    title = forms.CharField(label=_("Your wish"), max_length=80, widget=forms.TextInput(attrs=_BIG))
    description = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**_BIG, "rows": 3}),
    )
    photo = _photo_field()


class StaffWishForm(ForResident, WishForm):
    poster_name = _name_field()


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=1000)


class ActionForm(forms.Form):
    """The inputs any button of the tables may send (each action reads its own)."""

    note = forms.CharField(required=False, max_length=4000)
    reason = forms.CharField(required=False, max_length=2000)
    comment = forms.CharField(required=False, max_length=1000)
    hours = forms.DecimalField(required=False, min_value=0, max_value=24, decimal_places=1)
    satisfaction = forms.ChoiceField(required=False, choices=[("", "")] + list(Satisfaction.choices))
    member = forms.IntegerField(required=False)
    partner = forms.IntegerField(required=False)
    photo = forms.FileField(required=False)  # checked and re-encoded by the action (linli.core.uploads)
