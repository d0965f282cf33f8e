"""One view renders a workflow's buttons from its table: ``{% transition_forms %}`` (partials/transitions.html).

A page that writes its own buttons for a transition (a ``btn-{{ t.style }}`` button labelled ``{{ t.label }}``)
fails here unless it is named in ``HAND_WRITTEN`` with the reason; the list may only shrink."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # linli/
PARTIALS = {"templates/partials/transitions.html", "templates/partials/transition_field.html"}

# Templates still writing a transition's button by hand, and why. May only shrink.
HAND_WRITTEN = {
    "evaluation/templates/evaluation/members.html": "open: the comment form's grade select and the rows' layout",
    "evaluation/templates/evaluation/commitments.html": "open: a commitment's buttons post to the list page",
    "hall/templates/hall/class_detail.html": "open: a course's and an enrolment's buttons",
    "mediation/templates/mediation/dispute_detail.html": "open: the mediation forms (session, settle) not examined",
    "party/templates/party/registration_detail.html": "open: one form with the grid and the reason for every button",
    "points/templates/points/redemption.html": "open: refund's reason (posted as note) is not in the table",
    "privacy/templates/privacy/correction.html": "open: refuse's reason is a Django form with its errors",
    "privacy/templates/privacy/my_data.html": "open: a resident's withdraw posts to its own address",
}

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
    by_hand = sorted(name for name, text in templates.items() if BUTTON.search(text))
    assert by_hand, "the pattern finds nothing: it no longer matches how a button is written"
    new = [name for name in by_hand if name not in HAND_WRITTEN]
    assert not new, f"pages writing workflow buttons by hand instead of {{% transition_forms %}}: {new}"
    stale = sorted(set(HAND_WRITTEN) - set(by_hand))
    assert not stale, f"converted or gone, take them off HAND_WRITTEN: {stale}"


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
    ],
)
def test_the_converted_pages_use_the_tag(template, door):
    text = (ROOT / template).read_text(encoding="utf-8")
    assert re.search(r'\{%\s*transition_forms\s+[\w.]+\s+"' + re.escape(door) + '"', text), template


def _render(transitions, obj, **args):
    from django.template import Context, Template

    options = " ".join(f'{k}="{v}"' if isinstance(v, str) else f"{k}={v}" for k, v in args.items())
    return Template(
        '{% load workflow %}{% transition_forms transitions "cases:act" obj ' + options + " %}"
    ).render(Context({"transitions": transitions, "obj": obj, "csrf_token": "tok", "satisfactions": [("ok", "满意")]}))


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
    assert "data-confirm" not in _render(rows, _Obj(), layout="panel", confirm=False)
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
