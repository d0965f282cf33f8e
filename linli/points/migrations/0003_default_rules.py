"""The shipped points rules (data: staff with points.manage edit them; codes are what other apps call)."""

from django.db import migrations

RULES = [
    ("service", "服务一次一积分", "", 1, "完成一次点单服务或认领一个微心愿"),
    ("activity", "参加志愿活动", "", 1, "每参加一次志愿活动（活动另有规定的从其规定）"),
    ("case_verified", "反映问题经核实", "", 1, "随手拍等反映的问题经核查属实"),
    ("area_democracy", "民主建设", "democracy", 2, "参加议事协商、选举等民主建设"),
    ("area_civility", "文明创建", "civility", 2, "参与文明创建、垃圾分类、环境整治"),
    ("area_mutual_aid", "邻里互助", "mutual_aid", 2, "帮扶邻里、关爱老幼"),
    ("area_safety", "安全生产", "safety", 2, "排查隐患、参与安全宣传"),
    ("area_mediation", "调解纠纷", "mediation", 2, "参与化解矛盾纠纷"),
]


def load(apps, schema_editor):
    PointsRule = apps.get_model("points", "PointsRule")
    for code, name, area, points, description in RULES:
        PointsRule.objects.get_or_create(
            code=code, defaults={"name": name, "area": area, "points": points, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("points", "0002_ledger_append_only")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
