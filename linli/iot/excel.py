"""The facilities' import template (设施导入模板): the data sheet with the headers the import reads
(``actions.devices.FACILITY_COLUMNS``; required ones in red), an example row, and a sheet of the kinds and of
the places the user manages with their numbers. The headers are the communities' own Chinese words, so
they are data here, not translated strings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from linli.iot.actions.devices import FACILITY_COLUMNS, FACILITY_REQUIRED
from linli.iot.models import FacilityKind

WIDTHS = {"name": 22, "kind": 12, "place": 16, "place_id": 10, "address": 28, "lon": 12, "lat": 12, "hours": 16}
EXAMPLE = {"name": "幸福里老年食堂", "kind": str(FacilityKind.CANTEEN.label), "place": "", "place_id": "",
           "address": "幸福里 3 幢底楼", "lon": 120.1712, "lat": 30.2651, "hours": "10:30-13:00"}


def facility_template_bytes(places: list[Any]) -> bytes:
    from linli.core.excel import Workbook

    book = Workbook()
    keys = list(FACILITY_COLUMNS)
    sheet = book.sheet("设施", widths=[WIDTHS.get(k, 12) for k in keys])
    sheet.header([FACILITY_COLUMNS[k][0] for k in keys],
                 styles={i: "required" for i, k in enumerate(keys) if k in FACILITY_REQUIRED})
    example = dict(EXAMPLE, place=places[0].name if places else "")
    sheet.row([example.get(k, "") for k in keys])
    notes = book.sheet("填写说明", widths=[18, 60])
    notes.rows([
        ("设施名称", "必填，最多 100 字。同一地点不能重名（已在地图上的会被指出）。"),
        ("类型", "必填，填下列类型之一：" + "、".join(str(label) for _v, label in FacilityKind.choices)),
        ("所属地点", "填您管理的街道、社区、网格或小区的名称（见下表）；重名时改填“地点编号”。"),
        ("经度、纬度", "必填，如 120.1712、30.2651（WGS84，高德/百度坐标需先转换）。"),
        ("", "有一行不对，整个文件都不导入，页面会逐行列出问题；改好后再上传即可。"),
    ])
    notes.skip()
    notes.header(["地点编号", "所属地点"], freeze=False)
    notes.rows([(place.pk, f"{place.name}（{place.get_kind_display()}）") for place in places])
    return book.getvalue()


def template_name() -> str:
    return _("facilities-template") + ".xlsx"
