"""Every message used in the code and templates has a Chinese translation, and the catalogue compiles."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from linli.core.management.commands.compile_translations import (
    compile_catalogue,
    missing_translations,
    scan_msgids,
    scan_python,
    scan_template,
)

ZH_PO = Path(settings.BASE_DIR) / "linli" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_msgid_in_code_and_templates_has_a_chinese_translation():
    msgs = scan_msgids()
    assert len(msgs) > 300  # the scanner really reads the project
    missing = missing_translations(ZH_PO, msgs)
    assert not missing, "No Chinese for:\n" + "\n".join(f"{m.where}: {m.msgid!r}" for m in missing)


def test_the_chinese_catalogue_has_no_duplicate_entries():
    seen: set[tuple[str, str]] = set()
    duplicates = []
    for entry in polib.pofile(str(ZH_PO)):
        key = (entry.msgctxt or "", entry.msgid)
        if key in seen:
            duplicates.append(entry.msgid)
        seen.add(key)
    assert not duplicates


def test_the_catalogue_declares_one_plural_form():
    assert polib.pofile(str(ZH_PO)).metadata["Plural-Forms"].startswith("nplurals=1;")


def test_scanner_reads_python_calls_and_concatenated_strings():
    source = '''
from django.utils.translation import gettext_lazy as _, ngettext, pgettext
a = _("One " "two")
b = ngettext("%(n)d day", "%(n)d days", 3)
c = pgettext("place", "Name")
d = _(variable)
'''
    found = {(m.context, m.msgid, m.plural) for m in scan_python(source)}
    assert found == {("", "One two", ""), ("", "%(n)d day", "%(n)d days"), ("place", "Name", "")}


def test_scanner_reads_template_tags_as_django_builds_their_msgids():
    source = """
{% translate "Log in" %} {% trans 'Menu' context "nav" %} {{ x|default:_("None yet") }}
{% blocktranslate trimmed with name=user %}
  Hello,
  {{ name }}
{% endblocktranslate %}
{% blocktranslate count n=total %}{{ n }} user{% plural %}{{ n }} users{% endblocktranslate %}
{% blocktranslate %}100% sure{% endblocktranslate %}
{# {% translate "Commented out" %} #}
"""
    found = {(m.context, m.msgid, m.plural) for m in scan_template(source)}
    assert found == {
        ("", "Log in", ""),
        ("nav", "Menu", ""),
        ("", "None yet", ""),
        ("", "Hello, %(name)s", ""),
        ("", "%(n)s user", "%(n)s users"),
        ("", "100%% sure", ""),
    }


def test_scanned_template_msgids_match_what_django_looks_up(rf):
    """The blocktranslate msgids the scanner produces are the ones Django translates at run time."""
    from django.template import Context, Template

    with translation.override("zh-hans"):
        html = Template(
            "{% load i18n %}{% blocktranslate trimmed with name='王芳' %}Hello, {{ name }}{% endblocktranslate %}"
        ).render(Context())
    assert html == "王芳，您好"


def test_missing_translation_is_reported(tmp_path):
    (tmp_path / "linli").mkdir()
    (tmp_path / "linli" / "page.html").write_text('{% translate "A string nobody translated" %}{% translate "Log in" %}')
    msgs = scan_msgids(base=tmp_path)
    missing = [m.msgid for m in missing_translations(ZH_PO, msgs)]
    assert missing == ["A string nobody translated"]


def test_check_option_fails_when_a_translation_is_missing(tmp_path, settings):
    locale = tmp_path / "linli" / "locale" / "zh_Hans" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "django.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Log in"\nmsgstr "登录"\n')
    (tmp_path / "linli" / "page.html").write_text('{% translate "Log in" %}{% translate "Untranslated" %}')
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError):
        call_command("compile_translations", "--check")
    (locale / "django.po").write_text(
        (locale / "django.po").read_text() + '\nmsgid "Untranslated"\nmsgstr "未翻译"\n'
    )
    call_command("compile_translations", "--check")


def test_compiled_catalogue_translates(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(ZH_PO.read_text(encoding="utf-8"), encoding="utf-8")
    mo = compile_catalogue(po)
    catalogue = polib.mofile(str(mo))
    assert {e.msgid: e.msgstr for e in catalogue}["Log in"] == "登录"


def test_django_serves_the_chinese_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") == "登录"
        assert translation.gettext("Audit log") == "审计日志"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
