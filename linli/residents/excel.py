"""The registry workbook: the template, reads (through ``core.uploads.xlsx_sheet``), the error report and
exports (written through ``core.excel``, streamed). The column headers are the communities'
own Chinese headers, so they are data here, not translated strings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from linli.core.codes import ETHNICITY, POLITICAL_STATUS, RELATIONSHIP
from linli.core.excel import Sheet as SheetWriter
from linli.core.excel import Workbook
from linli.core.uploads import XlsxSheet


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 12
    text: bool = False  # stored as text (ID numbers, phones, house numbers)
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, 10, help="必填。"),
    Column("sex", "性别", width=6, help="男 / 女，可不填（由身份证号推出）；填写时须与身份证号一致。"),
    Column("ethnicity", "民族", width=8, help="名称（汉族、汉）或代码（01）。"),
    Column("id_number", "身份证号", True, 21, True, "必填。18 位（旧 15 位号码自动升位），校验位须正确。请设为文本格式。"),
    Column("phone", "联系电话", width=14, text=True, help="11 位手机号或带区号的固定电话（0571-88886666）。"),
    Column("political_status", "政治面貌", width=14, help="名称（群众、中共党员、共青团员）或代码（13）。"),
    Column("relationship", "与户主关系", width=10, help="户主填“户主”（02）；其他成员填与户主的关系（妻、子、女……）或代码。"),
    Column("head_id_number", "户主身份证号", width=21, text=True,
           help="非户主成员必填：户主的身份证号。户主须在本文件中（与户主关系为户主）或已在系统中登记为户主。"),
    Column("registered_address", "户籍地址", width=24),
    Column("compound", "小区", width=12, help="须是本社区已有的小区/楼院。"),
    Column("building", "楼栋", width=8, text=True, help="如 3栋、3号楼。"),
    Column("entrance", "单元", width=6, text=True, help="无单元可不填。"),
    Column("house", "房号", width=8, text=True, help="如 101。房屋须已存在，或在导入时勾选“自动创建房屋”。"),
    Column("occupancy", "人房关系", width=10, help="业主 / 租户 / 居住人，不填视为居住人。"),
    Column("tags", "人员标签", width=16, help="多个标签用顿号或逗号分隔，如 独居老人、外出务工。60岁以上老人由出生日期自动计算，无需填写。"),
    Column("notes", "备注", width=20),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
REQUIRED_HEADERS = tuple(c.header for c in COLUMNS if c.required)
ERROR_HEADER = "错误"
DATA_SHEET = "人员信息"
CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"
OCCUPANCY_NAMES = ("业主", "租户", "居住人")
SEX_NAMES = ("男", "女")


@dataclass(frozen=True)
class Layout:
    """One kind of registry workbook: its data sheet's name and columns (persons; organisations)."""

    sheet: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def by_header(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    @property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.required)


PERSONS = Layout(DATA_SHEET, COLUMNS)

# Shops along the street, companies, schools, units, owners' committees and property companies.
ORG_KIND_NAMES = ("沿街商铺", "企业", "学校", "机关事业单位", "业委会", "物业公司", "其他")
ORG_COLUMNS: tuple[Column, ...] = (
    Column("name", "名称", True, 22, help="必填。"),
    Column("kind", "类型", True, 12, help="必填。" + " / ".join(ORG_KIND_NAMES) + "。"),
    Column("compound", "小区", width=12, help="所在的本社区小区/楼院；只填小区表示位于小区（业委会、物业服务中心）。"),
    Column("building", "楼栋", width=8, text=True, help="如 3栋；沿街商铺填所在楼栋。"),
    Column("entrance", "单元", width=6, text=True, help="无单元可不填。"),
    Column("house", "房号", width=8, text=True, help="商铺的门牌/房号，如 101。"),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话", width=14, text=True, help="11 位手机号或带区号的固定电话。"),
    Column("credit_code", "统一社会信用代码", width=21, text=True, help="18 位，可不填。"),
    Column("serves", "服务小区", width=20, help="业委会、物业公司填写所服务的本社区小区，多个用顿号分隔；业委会位于小区时可不填。"),
    Column("serves_from", "服务起始日期", width=12, help="如 2024-01-01；不填为导入当天。"),
    Column("notes", "备注", width=20),
)
ORG_SHEET = "单位信息"
ORGANISATIONS = Layout(ORG_SHEET, ORG_COLUMNS)
ORG_EXPORT_HEADERS = (*ORGANISATIONS.headers, "网格", "状态")


# --- template ------------------------------------------------------------------------------------------


def _data_sheet_of(book: Workbook, layout: Layout) -> SheetWriter:
    """A template's data sheet: the headers (required ones in red), text columns kept as text, widths."""
    cols = layout.columns
    sheet = book.sheet(layout.sheet, widths=[c.width + 2 for c in cols],
                       formats={i: "@" for i, c in enumerate(cols) if c.text})
    sheet.header(layout.headers, styles={i: "required" for i, c in enumerate(cols) if c.required})
    return sheet


def _help_sheet(book: Workbook, lines: list[tuple[str, str]]) -> None:
    """The instructions: the first line a title, a bold label on the left, the text wrapped on the right."""
    sheet = book.sheet(HELP_SHEET, widths=[16, 90])
    sheet.row(lines[0], style="title")
    for a, b in lines[1:]:
        sheet.row([a, b], styles={0: "bold", 1: "wrap"})


def org_template_bytes(*, rows: int = 500) -> bytes:
    """The organisations' import template: the data sheet, a drop-down for the kind, instructions."""
    book = Workbook()
    _data_sheet_of(book, ORGANISATIONS).choices(1, 1, rows, values=ORG_KIND_NAMES, strict=False)
    lines: list[tuple[str, str]] = [
        ("单位信息导入模板", ""),
        ("", "每行一个单位：沿街商铺、企业、学校、机关事业单位、业委会、物业公司。第一行是表头，请勿修改表头文字。"),
        ("", "导入前系统会逐行检查；只要有一行有问题，全部不写入，并生成错误报告。"),
        ("", "同一位置已登记的同名单位默认报错“已登记”；如需用本文件更新，导入时勾选“更新已登记的”。"),
        ("列", "说明"),
    ]
    lines += [(c.header, ("【必填】" if c.required else "") + c.help) for c in ORG_COLUMNS]
    lines += [("", ""), ("示例", "便民超市 | 沿街商铺 | 阳光小区 | 1栋 | | 1号商铺 | 李明 | 13800138000 | | | | "),
              ("", "城关物业服务有限公司 | 物业公司 | 阳光小区 | | | | 王经理 | 0571-88886666 | 91330102MA2XXXXXX1 | "
                   "阳光小区、幸福里 | 2024-01-01 | ")]
    _help_sheet(book, lines)
    return book.getvalue()


def template_bytes(tag_names: list[str], *, rows: int = 2000) -> bytes:
    """The import template: the data sheet with Chinese headers, text-formatted ID and phone columns,
    drop-down lists for the coded columns (from a hidden code sheet), and an instructions sheet."""
    book = Workbook()
    data = _data_sheet_of(book, PERSONS)
    lists = {
        "sex": SEX_NAMES,
        "ethnicity": tuple(name for _code, name in ETHNICITY),
        "political_status": tuple(name for _code, name in POLITICAL_STATUS),
        "relationship": tuple(name for _code, name in RELATIONSHIP),
        "occupancy": OCCUPANCY_NAMES,
    }
    codes = book.sheet(CODES_SHEET, freeze=False)
    codes.row([BY_KEY[key].header for key in lists])
    for r in range(max(len(names) for names in lists.values())):
        codes.row([names[r] if r < len(names) else None for names in lists.values()])
    codes.hide()
    for j, (key, names) in enumerate(lists.items()):
        letter = "ABCDEFGHIJ"[j]
        data.choices(COLUMNS.index(BY_KEY[key]), 1, rows, source=f"={CODES_SHEET}!${letter}$2:${letter}${len(names) + 1}",
                     title=BY_KEY[key].header, prompt="从列表选择，或填写代码", strict=False)  # codes such as 01 too
    lines: list[tuple[str, str]] = [
        ("人员信息导入模板", ""),
        ("", "每行一人。第一行是表头，请勿修改表头文字（列的顺序可以调整）。"),
        ("", "红色表头为必填列。身份证号、电话、房号请用文本格式填写，避免 Excel 改成科学计数法。"),
        ("", "导入前系统会逐行检查；只要有一行有问题，全部不写入，并生成错误报告（标出有问题的行和列）。"),
        ("", "同一户：户主一行“与户主关系”填“户主”；其他成员填与户主的关系，并在“户主身份证号”填户主的身份证号。"),
        ("", "已在系统中登记的身份证号默认报错“已登记”；如需用本文件更新这些人员，导入时勾选“更新已登记人员”。"),
        ("列", "说明"),
    ]
    lines += [(c.header, ("【必填】" if c.required else "") + c.help) for c in COLUMNS]
    lines += [("", ""), ("可用的人员标签", "、".join(tag_names) or "（无）")]
    lines += [("", ""), ("示例", "张三 | 男 | 汉族 | 330102199001011234 | 13800138000 | 群众 | 户主 | （空） | "
                              "浙江省杭州市…… | 阳光小区 | 3栋 | 2单元 | 101 | 业主 | 独居老人 | ")]
    _help_sheet(book, lines)
    return book.getvalue()


BY_KEY = {c.key: c for c in COLUMNS}


# --- reading ----------------------------------------------------------------------------------------------


class WorkbookError(Exception):
    """The file cannot be read as a registry workbook (not xlsx, no header row ...)."""


@dataclass
class Sheet:
    """A streaming view of the data sheet: its header and (Excel row number, values) per data row."""

    path: str
    headers: list[str]
    index: dict[str, int]  # column key → position in a row
    total_rows: int | None  # from the sheet's dimension (may be unknown)
    layout: Layout = PERSONS
    opened: XlsxSheet | None = None  # the sheet as ``open_sheet`` read it: the first ``rows()`` reads it again

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        ws, self.opened = self.opened, None
        yield from (ws or _read(self.path, self.layout)).rows(start=2)


def _read(path: str, layout: Layout = PERSONS) -> XlsxSheet:
    """The data sheet (by its name, else the first) through the one reader of uploads, checked again at
    the door (size, unpacked size) each time it is read."""
    from linli.core.errors import Invalid, TooLarge
    from linli.core.uploads import xlsx_sheet

    try:
        return xlsx_sheet(path, sheet=layout.sheet)
    except (Invalid, TooLarge, OSError) as exc:
        raise WorkbookError(str(getattr(exc, "message", "") or _("The file is not an Excel workbook (.xlsx)."))) from exc


def open_sheet(path: str, layout: Layout = PERSONS) -> Sheet:
    by_header = layout.by_header
    ws = _read(path, layout)
    first = next(ws.rows(), None)
    headers = ["" if v is None else str(v).strip() for v in (first[1] if first and first[0] == 1 else ())]
    index: dict[str, int] = {}
    for i, h in enumerate(headers):
        col = by_header.get(h)
        if col is not None and col.key not in index:
            index[col.key] = i
    missing = [h for h in layout.required_headers if by_header[h].key not in index]
    if missing:
        raise WorkbookError(
            _("The first row must hold the template's headers; missing: %(headers)s")
            % {"headers": "、".join(missing)}
        )
    total = ws.height - 1 if ws.height else None
    return Sheet(path=path, headers=headers, index=index, total_rows=total, layout=layout, opened=ws)


# --- writing (error report, export) -------------------------------------------------------------------------


class ReportWriter:
    """The error report: the uploaded rows again (at their own row numbers), a 错误 column naming each problem,
    bad cells highlighted, and a second sheet listing every problem (row, column, message). Streams rows."""

    def __init__(self, path: str | Path, headers: list[str], sheet: str = DATA_SHEET):
        self.book = Workbook(path, streaming=True)
        self.width = len(headers)
        self.ws = self.book.sheet(sheet, [*headers, ERROR_HEADER], widths={self.width: 60},
                                  formats=dict.fromkeys(range(self.width), "@"))
        self.problems_ws = self.book.sheet("问题清单", ["行", "列", "问题"], widths={2: 70})

    def write_row(self, number: int, values: tuple[Any, ...], problems: list[tuple[str, str]],
                  bad_positions: set[int]) -> None:
        cells = [*values, *[None] * (self.width - len(values))]
        if problems:
            cells[self.width:] = ["；".join(f"{col}：{msg}" if col else msg for col, msg in problems)]
        self.ws.row(cells, at=number - 1, styles={**dict.fromkeys(bad_positions, "bad"), self.width: "error"})

    def add_problem(self, number: int, column: str, message: str) -> None:
        self.problems_ws.row([number or "", column, message])

    def close(self) -> None:
        self.book.close()


EXPORT_HEADERS = (*HEADERS, "出生日期", "年龄", "网格", "状态")


def export_sheet(book: Workbook, layout: Layout = PERSONS, headers: tuple[str, ...] = EXPORT_HEADERS) -> SheetWriter:
    """An export in the template's columns (so it can be edited and imported again with "update"), plus date
    of birth, age, grid and status (persons; ``layout`` and ``headers`` for organisations)."""
    return book.sheet(layout.sheet, headers, widths=[c.width + 2 for c in layout.columns])
