"""Default checklists (staff edit them): the civilised-city check of a compound (创文创卫) and the
environment clean-up (环境整治); each item is filed as a case of its category when it fails."""

from django.db import migrations

CHECKLISTS = [
    ("创文创卫 小区检查表", "civilised_city", [
        ("corridor", "楼道无乱堆乱放", "ENV.CLUTTER"),
        ("garbage", "垃圾分类投放点整洁、按时清运", "ENV.GARBAGE"),
        ("exit", "消防通道畅通", "SAFE.EXIT"),
        ("ebike", "无电动车楼道充电", "SAFE.EBIKE"),
        ("light", "楼道照明完好", "PROP.LIGHT"),
        ("parking", "车辆停放有序", "PARK.DISORDER"),
        ("green", "绿化无毁绿种菜", "PROP.GREEN"),
    ]),
    ("环境整治 检查表", "environment", [
        ("clutter", "公共区域无乱堆乱放", "ENV.CLUTTER"),
        ("cleaning", "公共区域保洁到位", "ENV.CLEANING"),
        ("illegal", "无违章搭建", "BUILD.ILLEGAL"),
        ("drain", "下水道通畅", "MUNI.DRAIN"),
    ]),
]


def add(apps, schema_editor):
    Template = apps.get_model("evaluation", "ChecklistTemplate")
    Item = apps.get_model("evaluation", "ChecklistItem")
    for name, kind, items in CHECKLISTS:
        template, _created = Template.objects.get_or_create(name=name, defaults={"kind": kind})
        for sort, (code, text, category) in enumerate(items, start=1):
            Item.objects.get_or_create(template=template, code=code, defaults={"text": text, "category": category, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_campaigns")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
