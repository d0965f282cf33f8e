"""The one Excel writer: every export, report, error report and import template writes .xlsx through it.

    book = Workbook()                                    # in memory; Workbook(path) writes a file
    sheet = book.sheet(_("Points"), [_("number"), _("time")], widths=[8, 16])
    sheet.rows(rows)
    return book.response(f"points-{day}.xlsx")           # Content-Disposition with the name (RFC 6266/5987)

- A sheet: a title (cut to Excel's 31 characters, its forbidden characters replaced, made unique), a
  header row (bold, white on the house green, frozen), column widths, number formats per column
  (``"0.00%"``, ``"@"`` for text that must stay text when edited). Title lines above the header and
  notes below are plain rows with a named style (``STYLES``).
- Cells: text is always written as text, never as a formula; text that begins with ``= + - @`` (or a tab
  or a carriage return) is also marked as text the way Excel's leading apostrophe does (``quote_prefix``), so
  that opening and editing an export of what residents typed cannot turn it into a formula — the value
  itself is unchanged and reads back the same. Numbers (int, float, Decimal) as numbers, dates and times as
  dates (aware times in local time), ``None`` and ``""`` as blank, lazy translations as their text.
- ``streaming=True``: XlsxWriter's constant-memory mode (each row leaves memory when the next begins; rows in
  order): for exports without a bound. Without a path it writes to a temporary file that ``response()``
  sends and removes.

XlsxWriter, not openpyxl: it is faster and streams in constant memory (the house style's "where speed
demands"); openpyxl stays the reader (``load_workbook``). ``linli/core/tests/test_excel.py`` fails when an app
writes a workbook by itself again."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GREEN, RED = "#1F6F5C", "#B03A2E"

STYLES: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": GREEN, "border": 1, "text_wrap": True,
               "valign": "vcenter", "align": "center"},
    "required": {"bold": True, "font_color": "#FFFFFF", "bg_color": RED, "border": 1, "text_wrap": True,
                 "valign": "vcenter", "align": "center"},  # a template's required column
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True},
    "wrap": {"text_wrap": True, "valign": "top"},
    "bad": {"bg_color": "#F8D7DA", "font_color": "#842029", "border": 1},  # a cell an import refused
    "error": {"font_color": "#B02A37"},
}
DATE, DATETIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def sheet_title(title: Any, used: set[str] | Iterable[str] = ()) -> str:
    """A name Excel accepts: no ``[]:*?/\\``, not empty, at most 31 characters, not one of ``used``."""
    name = _BAD_TITLE.sub("_", str(title)).strip().strip("'")[:31] or "Sheet"
    taken = {u.casefold() for u in used}
    n = 1
    candidate = name
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name[:31 - len(str(n)) - 1]} {n}"
    return candidate


def filename_header(filename: str, *, inline: bool = False) -> str:
    """``Content-Disposition`` for a download named ``filename`` (Chinese names as RFC 5987 ``filename*``)."""
    name = _BAD_NAME.sub("_", filename).strip() or "download"
    return str(content_disposition_header(not inline, name))


def download(body: bytes, filename: str, *, content_type: str = XLSX, inline: bool = False) -> HttpResponse:
    """A response carrying a finished file (a workbook kept in the database, a PDF) under ``filename``."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = filename_header(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    return response


class Sheet:
    """One worksheet being written, row after row (``next_row`` is the next 0-based row)."""

    def __init__(self, book: Workbook, ws: Any, *, widths: Sequence[float] | Mapping[int, float] | None,
                 formats: Mapping[int, str] | None) -> None:
        self.book, self.ws = book, ws
        self.formats = dict(formats or {})
        self.next_row = 0
        sized = dict(enumerate(widths)) if isinstance(widths, Sequence) else dict(widths or {})
        for col in sorted(set(sized) | set(self.formats)):
            fmt = self.book.format(None, self.formats.get(col)) if col in self.formats else None
            ws.set_column(col, col, sized.get(col), fmt)

    def header(self, values: Sequence[Any], *, styles: Mapping[int, str] | None = None, freeze: bool = True) -> None:
        """The column headers, in the header style (per column ``styles``, e.g. ``required``), frozen."""
        row = self.next_row
        self.row(values, style="header", styles=styles)
        if freeze:
            self.ws.freeze_panes(row + 1, 0)

    def row(self, values: Iterable[Any] = (), *, style: str | None = None, styles: Mapping[int, str] | None = None,
            at: int | None = None) -> None:
        """Write ``values`` on the next row (or on row ``at``, at or after it): ``style`` for every cell,
        ``styles`` per column."""
        r = self.next_row if at is None else at
        if r < self.next_row:
            raise ValueError("rows are written in order")
        for col, value in enumerate(values):
            self._cell(r, col, value, (styles or {}).get(col, style))
        self.next_row = r + 1

    def rows(self, rows: Iterable[Iterable[Any]], *, style: str | None = None) -> None:
        for values in rows:
            self.row(values, style=style)

    def skip(self, n: int = 1) -> None:
        self.next_row += n

    def choices(self, col: int, first_row: int, last_row: int, *, values: Sequence[str] = (), source: str = "",
                prompt: str = "", title: str = "", strict: bool = True) -> None:
        """A drop-down list in a column (``values``, or a ``source`` range such as ``=代码表!$A$2:$A$9``)."""
        options: dict[str, Any] = {"validate": "list", "source": source or list(values), "ignore_blank": True,
                                   "show_error": strict}
        if prompt:
            options.update(input_title=title[:32], input_message=prompt[:255])
        self.ws.data_validation(first_row, col, last_row, col, options)

    def hide(self) -> None:
        self.ws.hide()

    def _cell(self, r: int, c: int, value: Any, style: str | None) -> None:
        column = self.formats.get(c)  # a column's number format is for its numbers; "@" (text) for its text
        number, text = (None, column) if column == "@" else (column, None)
        fmt = self.book.format
        if value is None or value == "":
            if style is not None:
                self.ws.write_blank(r, c, None, fmt(style, text))
        elif isinstance(value, bool):
            self.ws.write_boolean(r, c, value, fmt(style))
        elif isinstance(value, int | float | Decimal):
            self.ws.write_number(r, c, float(value), fmt(style, number))
        elif isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            self.ws.write_datetime(r, c, value, fmt(style, number or DATETIME))
        elif isinstance(value, dt.date):
            self.ws.write_datetime(r, c, value, fmt(style, number or DATE))
        else:
            value = str(value)
            self.ws.write_string(r, c, value, fmt(style, text, quoted=value.startswith(FORMULA_STARTS)))


class Workbook:
    """One .xlsx being written: in memory (``path`` None), or to ``path``; ``streaming`` for constant memory."""

    def __init__(self, path: str | Path | None = None, *, streaming: bool = False) -> None:
        import xlsxwriter

        self._temp: str | None = None
        if path is None and streaming:
            handle = tempfile.NamedTemporaryFile(prefix="linli-", suffix=".xlsx", delete=False)  # noqa: SIM115
            handle.close()
            path = self._temp = handle.name
        self.path = path
        self._out: BytesIO | None = BytesIO() if path is None else None
        self._book = xlsxwriter.Workbook(
            self._out if path is None else str(path),
            {"constant_memory": streaming, "in_memory": not streaming, "strings_to_numbers": False,
             "strings_to_formulas": False, "strings_to_urls": False},
        )
        self._formats: dict[tuple[str | None, str | None, bool], Any] = {}
        self._titles: set[str] = set()
        self.closed = False

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close()
        if kind is not None:
            self._discard()  # a failed export leaves no temporary file behind

    def sheet(self, title: Any, headers: Sequence[Any] | None = None, *,
              widths: Sequence[float] | Mapping[int, float] | None = None,
              formats: Mapping[int, str] | None = None, freeze: bool = True) -> Sheet:
        """A new sheet; with ``headers`` its header row is written (and frozen)."""
        name = sheet_title(title, self._titles)
        self._titles.add(name)
        sheet = Sheet(self, self._book.add_worksheet(name), widths=widths, formats=formats)
        if headers is not None:
            sheet.header(headers, freeze=freeze)
        return sheet

    def format(self, style: str | None, number: str | None = None, *, quoted: bool = False) -> Any:
        key = (style, number, quoted)
        if key not in self._formats:
            props = dict(STYLES[style]) if style else {}
            if number:
                props["num_format"] = number
            if quoted:
                props["quote_prefix"] = True
            self._formats[key] = self._book.add_format(props) if props else None
        return self._formats[key]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._book.close()

    def getvalue(self) -> bytes:
        """The finished file's bytes (closes the book)."""
        self.close()
        if self._out is not None:
            return self._out.getvalue()
        data = Path(str(self.path)).read_bytes()
        self._discard()
        return data

    def response(self, filename: str) -> HttpResponse | FileResponse:
        """The finished file as a download named ``filename`` (closes the book); a streamed book's temporary
        file is sent from disk and removed."""
        self.close()
        if self._temp is None:
            return download(self.getvalue(), filename)
        path, self._temp = self._temp, None
        return file_response(path, filename)

    def _discard(self) -> None:
        if self._temp is not None:
            os.unlink(self._temp)
            self._temp = None


def file_response(path: str | Path, filename: str) -> FileResponse:
    """A workbook written to ``path`` sent as ``filename``; the file is removed once opened."""
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = filename_header(filename)
    response["Cache-Control"] = "private, no-store"
    return response
