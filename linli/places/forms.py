"""Forms of the place pages. They only collect input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.places.actions import child_kinds
from linli.places.models import KIND_FIELDS, CompoundKind, HouseUsage, Place, PlaceKind

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _attribute_fields() -> dict[str, forms.Field]:
    return {
        "district_code": forms.CharField(
            label=_("County code"), required=False, max_length=6,
            help_text=_("6 digits, GB/T 2260; taken from the street code when left empty."),
            widget=forms.TextInput(attrs={**CONTROL, "inputmode": "numeric"}),
        ),
        "compound_kind": forms.ChoiceField(
            label=_("Compound kind"), required=False, choices=[("", "—"), *CompoundKind.choices],
            widget=forms.Select(attrs=SELECT),
        ),
        "floors": forms.IntegerField(
            label=_("Floors"), required=False, min_value=1, max_value=300, widget=forms.NumberInput(attrs=CONTROL)
        ),
        "usage": forms.ChoiceField(
            label=_("Usage"), required=False, choices=[("", "—"), *HouseUsage.choices], widget=forms.Select(attrs=SELECT)
        ),
        "floor": forms.IntegerField(
            label=_("Floor"), required=False, min_value=-10, max_value=300, widget=forms.NumberInput(attrs=CONTROL)
        ),
        "area_m2": forms.DecimalField(
            label=_("Floor area (m²)"), required=False, min_value=0, max_digits=9, decimal_places=2,
            widget=forms.NumberInput(attrs={**CONTROL, "step": "0.01"}),
        ),
    }


def _code_help(kind: str) -> Any:
    helps: dict[str, Any] = {
        PlaceKind.CITY: _("6-digit GB/T 2260 code ending in 00 (e.g. 330100)."),
        PlaceKind.DISTRICT: _("6-digit GB/T 2260 county code (e.g. 330106)."),
        PlaceKind.STREET: _("12-digit statistical code."),
        PlaceKind.COMMUNITY: _("12-digit statistical code; starts with the first 9 digits of the street's code."),
        PlaceKind.GRID: _("The community code, a hyphen and 2–3 digits (e.g. 330102001001-01), or your own code."),
    }
    return helps.get(kind, _("Optional."))


class PlaceEditForm(forms.Form):
    """Name, code and the attributes of this node's kind."""

    prefix = "edit"

    name = forms.CharField(label=pgettext_lazy("place", "Name"), max_length=100, widget=forms.TextInput(attrs=CONTROL))
    code = forms.CharField(label=_("Code"), max_length=32, required=False, widget=forms.TextInput(attrs=CONTROL))

    def __init__(self, *args: Any, place: Place, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {"name": place.name, "code": place.code, **{f: getattr(place, f) for f in KIND_FIELDS.get(place.kind, ())}},
        )
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _code_help(place.kind)
        extra = _attribute_fields()
        for name in sorted(KIND_FIELDS.get(place.kind, ())):
            self.fields[name] = extra[name]


class PlaceChildForm(forms.Form):
    """A new node under ``parent``; the attribute fields show for the kinds that carry them."""

    prefix = "child"

    kind = forms.ChoiceField(label=_("Kind"), widget=forms.Select(attrs={**SELECT, "data-kind-select": ""}))
    name = forms.CharField(label=pgettext_lazy("place", "Name"), max_length=100, widget=forms.TextInput(attrs=CONTROL))
    code = forms.CharField(label=_("Code"), max_length=32, required=False, widget=forms.TextInput(attrs=CONTROL))

    def __init__(self, *args: Any, parent: Place, **kwargs: Any):
        super().__init__(*args, **kwargs)
        kinds = child_kinds(parent.kind)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, PlaceKind(k).label) for k in kinds]
        extra = _attribute_fields()
        for name in ("compound_kind", "floors", "usage", "floor", "area_m2"):
            owners = [k for k in kinds if name in KIND_FIELDS.get(k, ())]
            if owners:
                f = extra[name]
                f.widget.attrs["data-kinds"] = " ".join(owners)
                self.fields[name] = f

    def attributes(self) -> dict[str, Any]:
        kind = self.cleaned_data["kind"]
        return {
            name: self.cleaned_data.get(name)
            for name in KIND_FIELDS.get(kind, ())
            if name in self.cleaned_data and self.cleaned_data.get(name) not in (None, "")
        }


class PlaceMoveForm(forms.Form):
    prefix = "move"
    new_parent = forms.TypedChoiceField(label=_("New parent"), coerce=int, widget=forms.Select(attrs=SELECT))
    code = forms.CharField(
        label=_("New code"), max_length=32, required=False, widget=forms.TextInput(attrs=CONTROL),
        help_text=_("Leave empty to keep the code."),
    )

    def __init__(self, *args: Any, targets: list[Place], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p.pk, f"{p.get_kind_display()} · {p.name}") for p in targets]


class BoundaryForm(forms.Form):
    geojson = forms.CharField(
        label=_("GeoJSON"), required=False,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 6, "spellcheck": "false", "data-geojson-input": ""}),
        help_text=_("A Polygon or MultiPolygon (a Point for a building), a Feature, or a FeatureCollection of one feature; longitude before latitude."),
    )
    file = forms.FileField(
        label=_("Or upload a GeoJSON file"), required=False,
        widget=forms.ClearableFileInput(attrs={**CONTROL, "accept": ".geojson,.json,application/geo+json,application/json"}),
    )

    def geometry(self) -> Any:
        if self.cleaned_data.get("file"):
            return self.cleaned_data["file"]
        return self.cleaned_data.get("geojson") or None
