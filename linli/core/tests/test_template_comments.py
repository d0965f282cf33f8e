"""Django's ``{# … #}`` comment ends at the end of its line: one that runs over two lines is not a comment and
prints its text on the page (the shared transitions partial showed its own notes above every case's buttons)."""

from pathlib import Path

import linli

ROOT = Path(linli.__file__).resolve().parent


def unclosed_comments(text: str) -> list[int]:
    """The lines on which a ``{#`` opens without its ``#}`` on the same line."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        rest = line
        while "{#" in rest:
            rest = rest[rest.index("{#") + 2:]
            if "#}" not in rest:
                found.append(number)
                break
            rest = rest[rest.index("#}") + 2:]
    return found


def test_the_check_finds_a_comment_over_two_lines():
    assert unclosed_comments("{% load i18n %}{# one\n two #}\n<p>{# fine #}</p>") == [1]
    assert unclosed_comments("{# a #} {# b #}\n{% comment %}\nmany\n{% endcomment %}") == []


def test_no_template_has_a_one_line_comment_over_several_lines():
    templates = [p for p in ROOT.rglob("*.html") if "templates" in p.parts]
    assert len(templates) > 100
    bad = {
        str(p.relative_to(ROOT)): lines
        for p in templates
        if (lines := unclosed_comments(p.read_text(encoding="utf-8")))
    }
    assert bad == {}, "use {% comment %} … {% endcomment %} for a comment over several lines"
