"""One view renders a workflow's buttons from its table: ``{% transition_forms %}`` (partials/transitions.html).

A page that writes its own buttons for a transition (a ``btn-{{ t.style }}`` button labelled ``{{ t.label }}``)
fails here: there is no allowance. Whether a transition asks "Are you sure?" is the table's (``Transition.confirms``),
the same on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # linli/
PARTIALS = {"templates/partials/transitions.html", "templates/partials/transition_field.html"}

# A transition's button written by hand: class "… btn-{{ x.style }} …" and the text "{{ x.label }}".
BUTTON = re.compile(
    r'class="[^"]*\bbtn-\{\{\s*([\w.]+)\.style\b[^}]*\}\}[^"]*"[^>]*>\s*(?:<[^>]*>\s*)*\{\{\s*\1\.label\s*\}\}'
)


def _templates() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in ROOT.glob("**/templates/**/*.html")
        if str(p.relative_to(ROOT)) not in PARTIALS
    }


def test_no_page_writes_a_transitions_buttons_by_hand():
    templates = _templates()
    assert len(templates) > 100, "the templates are not where this test looks"
    by_hand = sorted(name for name, text in templates.items() if BUTTON.search(text))
    assert not by_hand, f"pages writing workflow buttons by hand instead of {{% transition_forms %}}: {by_hand}"


def test_the_pattern_sees_a_hand_written_button():
    page = '{% for t in buttons %}<form><button class="btn btn-{{ t.style }}" type="submit">{{ t.label }}</button>'
    assert BUTTON.search(page)
    assert not BUTTON.search('<span class="badge text-bg-{{ b.style }}">{{ b.label }}</span>')


@pytest.mark.parametrize(
    ("template", "door"),
    [
        ("cases/templates/cases/case.html", "cases:act"),
        ("orders/templates/orders/order_detail.html", "orders:order_act"),
        ("orders/templates/orders/order_pool.html", "orders:order_act"),
        ("orders/templates/orders/wish_detail.html", "orders:wish_act"),
        ("orders/templates/orders/my_wishes.html", "orders:wish_act"),
        ("orders/templates/orders/wish_adopt.html", "orders:wish_act"),
        ("hall/templates/hall/application_detail.html", "hall:application_transition"),
        ("hall/templates/hall/class_detail.html", "hall:class_transition"),
        ("hall/templates/hall/class_detail.html", "hall:enrolment_transition"),
        ("evaluation/templates/evaluation/members.html", "evaluation:member_transition"),
        ("evaluation/templates/evaluation/commitments.html", ""),  # post_to the list page
        ("mediation/templates/mediation/dispute_detail.html", "mediation:dispute_act"),
        ("party/templates/party/registration_detail.html", ""),  # post_to the page: its form checks grid and reason
        ("points/templates/points/redemption.html", "points:redemption_action"),
        ("privacy/templates/privacy/correction.html", "privacy:correction_action"),
        ("privacy/templates/privacy/my_data.html", ""),  # post_to the resident's own withdraw address
    ],
)
def test_the_converted_pages_use_the_tag(template, door):
    text = (ROOT / template).read_text(encoding="utf-8")
    tag = r'\{%\s*transition_forms\s+[\w.]+\s+"' + re.escape(door) + '"' + (r"[^%]*\bpost_to=" if not door else "")
    assert re.search(tag, text), template


def test_no_page_decides_confirmation_itself():
    for name, text in _templates().items():
        for tag in re.findall(r"\{%\s*transition_forms\b[^%]*%\}", text):
            assert "confirm" not in tag, f"{name}: whether to confirm is the table's (Transition.confirms)"


class _Var(str):
    """An option given as a template variable, not a string."""


def _render(transitions, obj, door="cases:act", extra=None, **args):
    from django.template import Context, Template

    options = " ".join(f'{k}="{v}"' if isinstance(v, str) and not isinstance(v, _Var) else f"{k}={v}"
                       for k, v in args.items())
    context = {"transitions": transitions, "obj": obj, "csrf_token": "tok", "satisfactions": [("ok", "满意")],
               **(extra or {})}
    return Template(
        '{% load workflow %}{% transition_forms transitions "' + door + '" obj ' + options + " %}"
    ).render(Context(context))


class _Obj:
    pk = 7
    version = 3


def _row(name, required=(), fields=(), style="secondary"):
    from linli.core.workflow import transition

    return transition(name, name.title(), ["a"], "b", [], required, style=style, fields=fields)


def _forms(html):
    return {f.split('data-testid="form-', 1)[1].split('"', 1)[0]: f for f in html.split("<form")[1:]}


def test_a_panel_opens_a_form_for_inputs_and_posts_at_once_without(db):
    rows = [_row("sign"), _row("refuse", ["reason"], style="danger"), _row("rate", ["satisfaction"], ["comment", "photo"])]
    html = _render(rows, _Obj(), layout="panel")
    toggles = re.findall(r'data-bs-target="#act-7-(\w+)"', html)
    assert toggles == ["refuse", "rate"]  # a button that opens its form, for the two that ask for inputs
    forms = _forms(html)
    assert list(forms) == ["sign", "refuse", "rate"]
    assert 'class="d-grid"' in forms["sign"] and 'data-testid="submit-sign"' in forms["sign"]  # posts at once
    for name in ("refuse", "rate"):
        assert f'id="act-7-{name}" class="collapse' in forms[name] and f'<h3 class="h6">{name.title()}</h3>' in forms[name]
        assert 'name="version" value="3"' in forms[name] and 'enctype="multipart/form-data"' in forms[name]
    assert '<label class="form-label" for="reason-refuse-7">' in forms["refuse"]  # labelled, not a placeholder
    assert '<textarea class="form-control mb-2" id="reason-refuse-7" name="reason" rows="2" required' in forms["refuse"]
    assert "data-confirm" in forms["refuse"] and "data-confirm" not in forms["rate"]
    assert 'type="radio" name="satisfaction" value="ok"' in forms["rate"] and 'name="photo"' in forms["rate"]
    assert 'name="comment"' in forms["rate"] and 'name="comment" rows="2" required' not in forms["rate"]
    big = _render(rows, _Obj(), layout="panel", big=True)
    assert "btn-lg" in big and "form-control-lg" in big


def test_the_pages_own_inputs_come_from_its_template(db):
    rows = [_row("dispatch", fields=["owner", "note"])]
    own = _render(rows, _Obj(), layout="panel", fields="cases/_transition_fields.html", own="note")
    assert 'name="owner" id="owner-dispatch-7"' in own  # a name the shared inputs do not know
    assert "内部备注" in own or "Internal note" in own  # "note" claimed by the page: its own label
    shared = _render(rows, _Obj(), layout="panel", fields="cases/_transition_fields.html")
    assert "Internal note" not in shared and "内部备注" not in shared


def test_an_unknown_layout_is_an_error(db):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        _render([_row("sign")], _Obj(), layout="grid")


def test_stacked_shows_each_form_labelled_one_under_the_other(db):
    rows = [_row("sign", style="success"), _row("return", ["reason"])]
    html = _render(rows, _Obj(), layout="stacked")
    forms = _forms(html)
    assert list(forms) == ["sign", "return"] and "collapse" not in html and "data-bs-toggle" not in html
    assert '<label class="form-label" for="reason-return-7">' in forms["return"]  # labelled, shown at once
    assert 'name="reason" rows="2" required' in forms["return"] and 'placeholder=' not in forms["return"]
    assert '<div class="d-grid d-sm-block"><button class="btn btn-success' in forms["sign"]  # across a phone
    assert 'data-testid="do-sign"' in forms["sign"]
    big = _render(rows, _Obj(), layout="stacked", big=True)
    assert '<div class="d-grid"><button class="btn btn-success text-nowrap btn-lg"' in big
    assert "form-control-lg" in big


def test_forms_post_to_a_given_address_with_the_action_and_the_object(db):
    rows = [_row("approve"), _row("withdraw", ["reason"])]
    html = _render(rows, _Obj(), door="", post_to="/list/?year=2026", testid="c")
    forms = _forms(html)
    for name in ("approve", "withdraw"):
        assert 'action="/list/?year=2026"' in forms[name]
        assert f'name="action" value="{name}"' in forms[name] and 'name="object" value="7"' in forms[name]
    assert 'id="reason-withdraw-c-7"' in forms["withdraw"]  # a testid scopes the ids (two objects on a page)
    plain = _render(rows, _Obj())
    assert 'action="/cases/7/' in plain and 'name="action"' not in plain


def test_a_route_or_an_address_exactly_one(db):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        _render([_row("sign")], _Obj(), post_to="/x/")
    with pytest.raises(TemplateSyntaxError):
        _render([_row("sign")], _Obj(), door="")


def test_a_bound_forms_errors_and_values_show_at_its_inputs(db):
    from django import forms

    class Refuse(forms.Form):
        reason = forms.CharField()
        grid = forms.CharField(required=False)

        def clean(self):
            raise forms.ValidationError("整体错误")

    bound = Refuse({"reason": "", "grid": "3"})
    assert not bound.is_valid()
    rows = [_row("accept"), _row("refuse", ["reason"], style="danger")]
    for layout in ("panel", "stacked", "inline"):
        html = _render(rows, _Obj(), extra={"bound": bound}, layout=layout, errors=_Var("bound"))
        forms_ = _forms(html)
        assert "整体错误" in html.split("<form")[0]  # the form's general errors above the forms
        assert 'data-testid="error-reason"' in forms_["refuse"] and "is-invalid" in forms_["refuse"]
        assert "error-reason" not in forms_["accept"]
    panel = _forms(_render(rows, _Obj(), extra={"bound": bound}, layout="panel", errors=_Var("bound")))
    assert 'class="collapse show' in panel["refuse"]  # the form holding the error is open
    typed = Refuse({"reason": "<b>太晚</b>"})
    typed.is_valid()
    html = _render(rows, _Obj(), extra={"bound": typed}, layout="stacked", errors=_Var("bound"))
    assert "&lt;b&gt;太晚&lt;/b&gt;</textarea>" in html  # what was typed stays, escaped
    fresh = _render(rows, _Obj(), extra={"bound": Refuse()}, layout="panel", errors=_Var("bound"))
    assert "is-invalid" not in fresh and "collapse show" not in fresh and "alert" not in fresh


@pytest.mark.parametrize("style", ["danger", "outline-danger", "warning", "secondary", "outline-secondary"])
def test_one_confirmation_rule_from_the_table(db, style):
    """A destructive transition asks before it posts in every layout, with or without inputs; nothing else asks."""
    rows = [_row("go", style=style), _row("stop", ["reason"], style=style)]
    destructive = style in ("danger", "outline-danger")
    assert all(t.confirms is destructive for t in rows)
    for layout in ("panel", "stacked", "inline"):
        forms = _forms(_render(rows, _Obj(), layout=layout))
        for name in ("go", "stop"):
            assert ("data-confirm" in forms[name]) is destructive, (layout, name)


def test_a_page_cannot_turn_confirmation_off(db):
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        _render([_row("stop", style="danger")], _Obj(), layout="panel", confirm=False)


def test_every_tables_destructive_rows_confirm():
    """The rule read over the project's tables: each row styled danger asks; the cases' and the hall's too."""
    from linli.cases.workflow import TRANSITIONS as CASES
    from linli.hall.workflow import COURSE_TRANSITIONS, ENROLMENT_TRANSITIONS

    assert CASES["refuse"].confirms and COURSE_TRANSITIONS["cancel"].confirms
    assert ENROLMENT_TRANSITIONS["cancel"].confirms and not ENROLMENT_TRANSITIONS["complete"].confirms
