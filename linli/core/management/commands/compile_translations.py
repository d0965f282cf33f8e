"""Compile every ``linli/locale/*/LC_MESSAGES/django.po`` to ``.mo`` with polib (no GNU gettext needed).

    manage.py compile_translations            compile the catalogues whose .mo is missing or older
    manage.py compile_translations --force    compile all of them
    manage.py compile_translations --check    list the msgids used in the code and templates that have
                                              no translation in a catalogue (exit status 1 if any)

The scanner (``scan_msgids``) reads Python with ``ast`` (so implicitly concatenated strings come out as
Django sees them at run time) and templates with regular expressions that follow the rules of the
``{% translate %}`` and ``{% blocktranslate %}`` tags.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import trim_whitespace

SCAN_DIRS = ("linli", "config")
SKIP_DIRS = {"tests", "migrations", "locale", "node_modules", "__pycache__", "static", "testing"}

# --- the scanner ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Msg:
    msgid: str
    plural: str = ""
    context: str = ""
    where: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.context, self.msgid)


_SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop", "_lazy"}
_PLURAL = {"ngettext", "ngettext_lazy"}
_CONTEXT = {"pgettext", "pgettext_lazy"}
_CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _strings(args: list[ast.expr], n: int) -> list[str] | None:
    if len(args) < n:
        return None
    values = []
    for arg in args[:n]:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return None
        values.append(arg.value)
    return values


def scan_python(source: str, where: str = "") -> Iterator[Msg]:
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in _SINGULAR and (s := _strings(node.args, 1)):
            yield Msg(s[0], where=where)
        elif name in _PLURAL and (s := _strings(node.args, 2)):
            yield Msg(s[0], plural=s[1], where=where)
        elif name in _CONTEXT and (s := _strings(node.args, 2)):
            yield Msg(s[1], context=s[0], where=where)
        elif name in _CONTEXT_PLURAL and (s := _strings(node.args, 3)):
            yield Msg(s[1], plural=s[2], context=s[0], where=where)


_STR = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
_TRANSLATE_RE = re.compile(r"\{%\s*(?:translate|trans)\s+" + _STR + r"(.*?)%\}", re.S)
_CONTEXT_RE = re.compile(r"\bcontext\s+" + _STR)
_UNDERSCORE_RE = re.compile(r"\b_\(\s*" + _STR + r"\s*\)")
_BLOCK_RE = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b(.*?)%\}(.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}", re.S
)
_PLURAL_TAG_RE = re.compile(r"\{%\s*plural\s*%\}")
_VAR_RE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_COMMENT_RE = re.compile(r"\{#.*?#\}", re.S)


def _literal(match: re.Match, first: int = 1) -> str:
    raw = match.group(first) if match.group(first) is not None else match.group(first + 1)
    return re.sub(r"\\(.)", r"\1", raw)


def _block_text(body: str, trimmed: bool) -> str:
    """The msgid Django builds from a blocktranslate body: text with % doubled, {{ x }} as %(x)s."""
    parts = []
    pos = 0
    for m in _VAR_RE.finditer(body):
        parts.append(body[pos : m.start()].replace("%", "%%"))
        parts.append(f"%({m.group(1)})s")
        pos = m.end()
    parts.append(body[pos:].replace("%", "%%"))
    text = "".join(parts)
    return trim_whitespace(text) if trimmed else text


def scan_template(source: str, where: str = "") -> Iterator[Msg]:
    source = _COMMENT_RE.sub("", source)
    for m in _TRANSLATE_RE.finditer(source):
        rest = m.group(3)
        ctx = _CONTEXT_RE.search(rest)
        yield Msg(_literal(m), context=_literal(ctx) if ctx else "", where=where)
    for m in _UNDERSCORE_RE.finditer(source):
        yield Msg(_literal(m), where=where)
    for m in _BLOCK_RE.finditer(source):
        options, body = m.group(1), m.group(2)
        trimmed = re.search(r"\btrimmed\b", options) is not None
        ctx = _CONTEXT_RE.search(options)
        context = _literal(ctx) if ctx else ""
        pieces = _PLURAL_TAG_RE.split(body, maxsplit=1)
        singular = _block_text(pieces[0], trimmed)
        plural = _block_text(pieces[1], trimmed) if len(pieces) > 1 else ""
        yield Msg(singular, plural=plural, context=context, where=where)


def _files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".py", ".html", ".txt")):
                yield Path(dirpath) / name


def scan_msgids(base: Path | None = None, dirs: Iterable[str] = SCAN_DIRS) -> dict[tuple[str, str], Msg]:
    """Every msgid used in the project's Python code and templates, keyed by (context, msgid)."""
    base = Path(base or settings.BASE_DIR)
    found: dict[tuple[str, str], Msg] = {}
    for d in dirs:
        for path in _files(base / d):
            text = path.read_text(encoding="utf-8")
            where = str(path.relative_to(base))
            scan = scan_python if path.suffix == ".py" else scan_template
            for msg in scan(text, where):
                if msg.msgid:
                    found.setdefault(msg.key, msg)
    return found


def missing_translations(po_path: Path, msgs: dict[tuple[str, str], Msg]) -> list[Msg]:
    """The scanned messages that the catalogue lacks or leaves empty (fuzzy counts as empty)."""
    catalogue = polib.pofile(str(po_path))
    done: set[tuple[str, str]] = set()
    for entry in catalogue:
        if entry.obsolete or entry.fuzzy:
            continue
        if entry.msgid_plural:
            ok = bool(entry.msgstr_plural) and all(v.strip() for v in entry.msgstr_plural.values())
        else:
            ok = bool(entry.msgstr.strip())
        if ok:
            done.add((entry.msgctxt or "", entry.msgid))
    return [m for key, m in sorted(msgs.items()) if key not in done]


# --- compiling ----------------------------------------------------------------------------------------------


def catalogues(base: Path | None = None) -> list[Path]:
    base = Path(base or settings.BASE_DIR)
    return sorted((base / "linli" / "locale").glob("*/LC_MESSAGES/django.po"))


def compile_catalogue(po_path: Path) -> Path:
    """Write the .mo next to the .po, atomically (several test processes may compile at once)."""
    mo_path = po_path.with_suffix(".mo")
    catalogue = polib.pofile(str(po_path))
    fd, tmp = tempfile.mkstemp(dir=po_path.parent, prefix=".django-", suffix=".mo")
    os.close(fd)
    try:
        catalogue.save_as_mofile(tmp)
        os.replace(tmp, mo_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return mo_path


def compile_stale(base: Path | None = None, force: bool = False) -> list[Path]:
    """Compile the catalogues whose .mo is missing or older than the .po; returns what was compiled."""
    done = []
    for po in catalogues(base):
        mo = po.with_suffix(".mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            done.append(compile_catalogue(po))
    return done


class Command(BaseCommand):
    help = "Compile linli/locale/*/LC_MESSAGES/django.po to .mo with polib; --check lists missing translations."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="compile even when the .mo is up to date")
        parser.add_argument("--check", action="store_true", help="list msgids without a translation")

    def handle(self, *args, **options):
        pos = catalogues()
        if not pos:
            raise CommandError("No catalogue under linli/locale/*/LC_MESSAGES/django.po")
        if options["check"]:
            msgs = scan_msgids()
            missing_any = False
            for po in pos:
                if po.parent.parent.name == "en":
                    continue  # msgids are English: the English catalogue may stay empty
                for m in missing_translations(po, msgs):
                    missing_any = True
                    self.stdout.write(f"{po.parent.parent.name}: {m.where}: {m.msgid!r}")
            if missing_any:
                raise CommandError("Some messages have no translation.")
            self.stdout.write(f"{len(msgs)} messages, all translated.")
            return
        for mo in compile_stale(force=options["force"]) or []:
            self.stdout.write(f"compiled {mo.relative_to(settings.BASE_DIR)}")
