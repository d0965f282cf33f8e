"""The facilities' import template (设施导入模板): the data sheet with the headers the import reads
(``actions.devices.FACILITY_COLUMNS``; required ones in red), an example row, and a sheet of the kinds and of
the places the user manages with their numbers. The headers are the communities' own Chinese words, so
they are data here, not translated strings."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from linli.iot.actions.devices import FACILITY_COLUMNS, FACILITY_REQUIRED
from linli.iot.models import FacilityKind

WIDTHS = {"name": 22, "kind": 12, "place": 16, "place_id": 10, "address": 28, "lon": 12, "lat": 12, "hours": 16}
EXAMPLE = {"name": "幸福里老年食堂", "kind": str(FacilityKind.CANTEEN.label), "place": "", "place_id": "",
           "address": "幸福里 3 幢底楼", "lon": 120.1712, "lat": 30.2651, "hours": "10:30-13:00"}


def facility_template_bytes(places: list[Any]) -> bytes:
    import xlsxwriter

    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F6F5C", "align": "center"})
    required = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#B03A2E", "align": "center"})
    sheet = book.add_worksheet("设施")
    example = dict(EXAMPLE, place=places[0].name if places else "")
    for i, (key, headers) in enumerate(FACILITY_COLUMNS.items()):
        sheet.write_string(0, i, headers[0], required if key in FACILITY_REQUIRED else head)
        sheet.set_column(i, i, WIDTHS.get(key, 12))
        value = example.get(key, "")
        if isinstance(value, float):
            sheet.write_number(1, i, value)
        else:
            sheet.write_string(1, i, str(value))
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 60)
    lines = [
        ("设施名称", "必填，最多 100 字。同一地点不能重名（已在地图上的会被指出）。"),
        ("类型", "必填，填下列类型之一：" + "、".join(str(label) for _v, label in FacilityKind.choices)),
        ("所属地点", "填您管理的街道、社区、网格或小区的名称（见下表）；重名时改填“地点编号”。"),
        ("经度、纬度", "必填，如 120.1712、30.2651（WGS84，高德/百度坐标需先转换）。"),
        ("", "有一行不对，整个文件都不导入，页面会逐行列出问题；改好后再上传即可。"),
    ]
    for r, (a, b) in enumerate(lines):
        notes.write_string(r, 0, a, book.add_format({"bold": True}))
        notes.write_string(r, 1, b)
    base = len(lines) + 1
    notes.write_string(base, 0, "地点编号", head)
    notes.write_string(base, 1, "所属地点", head)
    for r, place in enumerate(places, start=base + 1):
        notes.write_number(r, 0, place.pk)
        notes.write_string(r, 1, f"{place.name}（{place.get_kind_display()}）")
    book.close()
    return out.getvalue()


def template_name() -> str:
    return _("facilities-template") + ".xlsx"
