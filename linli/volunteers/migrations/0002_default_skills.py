"""The shipped skill list (data: staff may add more). Reversible."""

from django.db import migrations

SKILLS = [
    ("first_aid", "急救"),
    ("medical", "医疗保健"),
    ("law", "法律咨询"),
    ("mediation", "调解"),
    ("teaching", "授课讲座"),
    ("tutoring", "课业辅导"),
    ("calligraphy", "书法"),
    ("painting", "绘画"),
    ("music", "声乐器乐"),
    ("dance", "舞蹈"),
    ("photography", "摄影"),
    ("computer", "电脑手机"),
    ("repair", "家电维修"),
    ("plumbing", "水电维修"),
    ("haircut", "理发"),
    ("cooking", "烹饪"),
    ("elderly_care", "助老陪护"),
    ("psychology", "心理疏导"),
    ("sign_language", "手语"),
    ("driving", "驾驶"),
    ("patrol", "治安巡逻"),
    ("fire_safety", "消防安全"),
    ("gardening", "绿化园艺"),
    ("translation", "外语翻译"),
]


def add(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    for sort, (code, name) in enumerate(SKILLS):
        Skill.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


def remove(apps, schema_editor):
    apps.get_model("volunteers", "Skill").objects.filter(code__in=[c for c, _n in SKILLS]).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
