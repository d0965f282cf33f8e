"""One piece styles form widgets (core.ui.Styled); an app that writes its own widget-class loop again fails here."""

from __future__ import annotations

import re
from pathlib import Path

from django import forms

from linli.core.ui import Styled, StyledForm


class Big(StyledForm):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    agree = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
    own = forms.CharField(widget=forms.TextInput(attrs={"class": "mine"}))


class Small(Big):
    large_widgets = False


def _classes(form):
    return {name: field.widget.attrs.get("class") for name, field in form.fields.items()}


def test_widgets_get_bootstraps_classes_large_for_the_phone():
    assert _classes(Big()) == {
        "name": "form-control form-control-lg", "kind": "form-select form-select-lg", "agree": "form-check-input",
        "pick": None, "many": None, "own": "mine",
    }


def test_a_form_can_ask_for_normal_sized_widgets():
    assert _classes(Small())["name"] == "form-control"
    assert _classes(Small())["kind"] == "form-select"


def test_the_mixin_styles_a_model_form_too():
    from linli.places.models import Place

    class PlaceForm(Styled, forms.ModelForm):
        class Meta:
            model = Place
            fields = ["name"]

    assert _classes(PlaceForm()) == {"name": "form-control form-control-lg"}


def test_no_app_styles_widgets_by_itself():
    root = Path(__file__).resolve().parents[2]
    own = [
        str(path.relative_to(root)) for path in root.glob("*/**/*.py")
        if "tests" not in path.parts and path.name != "ui.py"
        and re.search(r"attrs\.setdefault\(\s*\"class\"", path.read_text(encoding="utf-8"))
    ]
    assert own == []
