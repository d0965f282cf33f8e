"""The default data of evaluation (staff edit it): the building criteria (岩岭社区's monthly 安全, 卫生,
文明创建), the checklists of the campaigns, and the weights of the street's rankings. The migrations load
them; ``defaults_ensure`` puts back what is missing (a test database that a transactional test emptied,
a demo on a database where someone deleted them)."""

from __future__ import annotations

from typing import Any

CRITERIA = [
    ("safety", "安全", 40, 10, 1),
    ("sanitation", "卫生", 30, 10, 2),
    ("civility", "文明创建", 30, 10, 3),
]

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

RANKING_WEIGHTS = [
    ("response_rate", "响应率", 15, 1),
    ("solved_rate", "解决率", 20, 2),
    ("satisfaction_rate", "满意率", 25, 3),
    ("ontime_close_rate", "按期结案率", 20, 4),
    ("building_score", "楼栋互评", 10, 5),
    ("campaign_fix_rate", "整治问题整改率", 10, 6),
    ("dispute_settled_rate", "矛盾纠纷调解成功率", 10, 7),
    ("visit_ontime_rate", "关爱走访按时率", 10, 8),
]


def criteria_load(criterion: Any) -> None:
    for code, name, weight, max_score, sort in CRITERIA:
        criterion.objects.get_or_create(code=code, defaults={"name": name, "weight": weight, "max_score": max_score, "sort": sort})


def checklists_load(template_model: Any, item_model: Any) -> None:
    for name, kind, items in CHECKLISTS:
        template, _created = template_model.objects.get_or_create(name=name, defaults={"kind": kind})
        for sort, (code, text, category) in enumerate(items, start=1):
            item_model.objects.get_or_create(template=template, code=code,
                                             defaults={"text": text, "category": category, "sort": sort})


def weights_load(weight_model: Any) -> None:
    for code, name, weight, sort in RANKING_WEIGHTS:
        weight_model.objects.get_or_create(code=code, defaults={"name": name, "weight": weight, "sort": sort})


def defaults_ensure() -> None:
    from linli.evaluation.models import ChecklistItem, ChecklistTemplate, Criterion, RankingWeight

    if not Criterion.objects.exists():
        criteria_load(Criterion)
    if not ChecklistTemplate.objects.exists():
        checklists_load(ChecklistTemplate, ChecklistItem)
    if not RankingWeight.objects.exists():
        weights_load(RankingWeight)
    from linli.evaluation.models import Question, Questionnaire

    if not Questionnaire.objects.exists():
        questionnaires_load(Questionnaire, Question)


QUESTIONNAIRES = [
    ("社区月度满意度调查", [
        ("overall", "您对本月社区工作总体是否满意？", "choice", ["满意", "基本满意", "不满意"], ["满意", "基本满意"]),
        ("grid", "您是否知道本网格的网格员并能联系上？", "choice", ["知道并联系过", "知道", "不知道"], []),
        ("services", "社区服务（办事、活动、助老）评价", "scale", ["1", "2", "3", "4", "5"], []),
        ("advice", "您对社区还有什么意见和建议？", "text", [], []),
    ]),
]


def questionnaires_load(questionnaire_model: Any, question_model: Any) -> None:
    for name, questions in QUESTIONNAIRES:
        questionnaire, _created = questionnaire_model.objects.get_or_create(name=name)
        for sort, (code, text, kind, options, satisfied) in enumerate(questions, start=1):
            question_model.objects.get_or_create(
                questionnaire=questionnaire, code=code,
                defaults={"text": text, "kind": kind, "options": options, "satisfied_options": satisfied,
                          "required": kind != "text", "sort": sort},
            )
