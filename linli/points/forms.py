"""Forms of the points pages. ``status`` is never a field; every write goes through the actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from linli.core.ui import Styled as BaseStyled
from linli.points.models import Area, EntryKind, ItemKind, PointsRule


class Styled(BaseStyled):
    large_widgets = False


class LedgerFilterForm(Styled, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"), required=False, choices=[("", "—"), *EntryKind.choices]
    )
    area = forms.ChoiceField(
        label=gettext_lazy("area"), required=False, choices=[("", "—"), *Area.choices[1:]]
    )
    rule = forms.CharField(label=gettext_lazy("rule"), required=False, max_length=32)
    since = forms.DateField(
        label=gettext_lazy("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person_id = forms.IntegerField(label=gettext_lazy("person number"), required=False, min_value=1)


class CorrectForm(Styled, forms.Form):
    person_id = forms.IntegerField(label=gettext_lazy("person number"), min_value=1)
    amount = forms.IntegerField(label=gettext_lazy("points (+ or −)"))
    note = forms.CharField(label=gettext_lazy("reason"), max_length=200)


class RuleForm(Styled, forms.ModelForm):
    class Meta:
        model = PointsRule
        fields = ["name", "area", "points", "description", "active"]


class ItemForm(Styled, forms.Form):
    community = forms.ChoiceField(label=gettext_lazy("community"))
    name = forms.CharField(label=gettext_lazy("name"), max_length=64)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ItemKind.choices)
    cost = forms.IntegerField(label=gettext_lazy("points cost"), min_value=1)
    stock = forms.IntegerField(
        label=gettext_lazy("stock"), required=False, min_value=0, help_text=gettext_lazy("Empty: unlimited.")
    )
    provider_name = forms.CharField(label=gettext_lazy("provider"), max_length=100, required=False)
    description = forms.CharField(label=gettext_lazy("description"), max_length=200, required=False)
    active = forms.BooleanField(label=gettext_lazy("on offer"), required=False, initial=True)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.pk), c.name) for c in communities]


class SelectionForm(Styled, forms.Form):
    community = forms.ChoiceField(label=gettext_lazy("community"))
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    half = forms.ChoiceField(
        label=gettext_lazy("half"),
        choices=[("H1", gettext_lazy("First half")), ("H2", gettext_lazy("Second half"))],
    )
    title = forms.CharField(label=gettext_lazy("title"), max_length=100, required=False)
    points_weight = forms.DecimalField(label=gettext_lazy("weight of points"), min_value=0, initial=1)
    hours_weight = forms.DecimalField(label=gettext_lazy("weight of hours"), min_value=0, initial=1)
    size = forms.IntegerField(label=gettext_lazy("shortlist size"), min_value=1, max_value=100, initial=10)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.pk), c.name) for c in communities]
