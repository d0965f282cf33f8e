"""The default categories shipped for communities (大类/小类). Loaded by migration 0002; restored after
a flush with ``categories_restore_default()``. Data, not interface strings: the names are the ones
Chinese communities use. Deadlines: sign in working hours, handle in working days, reply to the
resident in working days (3, as one community promises)."""

from __future__ import annotations

from typing import Any

GAS_NOTICE = (
    "燃气泄漏属紧急情况，请勿在此上报：立即关闭燃气阀门、打开门窗、不要开关电器，"
    "到室外拨打燃气公司抢修电话或 119。"
)
FIRE_NOTICE = "火情、人身安全等紧急情况请立即拨打 119 / 110 / 120，不要在此上报。"

# (code, name, keywords, sign_hours, handle_days, feedback_days, radius_m, emergency notice, subcategories)
DEFAULT_CATEGORIES: list[tuple[Any, ...]] = [
    ("ENV", "环境卫生", "垃圾 卫生 清洁", 2, 3, 3, 150, "", [
        ("ENV.GARBAGE", "垃圾清运", "垃圾 满溢 清运 垃圾桶", 2, 1, 3, 100, ""),
        ("ENV.CLUTTER", "乱堆乱放", "堆放 杂物 建筑垃圾", 2, 3, 3, 100, ""),
        ("ENV.CLEANING", "公共区域保洁", "保洁 楼道 卫生", 2, 3, 3, 150, ""),
    ]),
    ("PROP", "物业管理", "物业 小区", 4, 5, 3, 100, "", [
        ("PROP.LIFT", "电梯故障", "电梯 困人 停运", 1, 2, 3, 50, ""),
        ("PROP.LIGHT", "楼道照明", "楼道灯 照明 声控灯", 4, 3, 3, 50, ""),
        ("PROP.GREEN", "小区绿化", "绿化 树木 草坪 修剪", 4, 10, 3, 150, ""),
        ("PROP.SERVICE", "物业服务", "物业费 服务 维修", 4, 5, 3, 100, ""),
    ]),
    ("MUNI", "市政设施", "市政 道路 设施", 2, 5, 3, 200, "", [
        ("MUNI.STREETLIGHT", "路灯", "路灯 不亮 灯坏", 2, 3, 3, 150, ""),
        ("MUNI.ROAD", "道路破损", "路面 坑洼 破损 人行道", 2, 10, 3, 200, ""),
        ("MUNI.MANHOLE", "井盖缺失破损", "井盖 缺失 松动", 1, 1, 3, 100, ""),
        ("MUNI.DRAIN", "下水道堵塞", "下水道 堵塞 积水 污水", 2, 3, 3, 150, ""),
    ]),
    ("SAFE", "安全隐患", "安全 隐患", 1, 3, 3, 100, "", [
        ("SAFE.GAS", "燃气泄漏", "燃气 煤气 漏气 泄漏", 1, 1, 1, 100, GAS_NOTICE),
        ("SAFE.FIRE", "火情及人身危险", "着火 火灾 冒烟 受伤", 1, 1, 1, 100, FIRE_NOTICE),
        ("SAFE.EXIT", "消防通道堵塞", "消防通道 堵塞 占用 安全出口", 1, 2, 3, 100, ""),
        ("SAFE.EBIKE", "电动车违规充电", "电动车 飞线 充电 楼道", 1, 2, 3, 100, ""),
        ("SAFE.FALLING", "高空坠物隐患", "高空 坠物 外墙 脱落 空调架", 1, 3, 3, 100, ""),
    ]),
    ("DISP", "邻里纠纷", "纠纷 矛盾 邻居", 4, 10, 3, 50, "", [
        ("DISP.NEIGHBOUR", "邻里矛盾", "邻居 矛盾 吵架", 4, 10, 3, 50, ""),
        ("DISP.LEAK", "漏水纠纷", "漏水 渗水 楼上", 4, 10, 3, 30, ""),
    ]),
    ("NOISE", "噪声扰民", "噪声 噪音 扰民", 2, 3, 3, 200, "", [
        ("NOISE.BUILD", "施工噪声", "施工 夜间施工 装修", 2, 2, 3, 300, ""),
        ("NOISE.SHOP", "商铺噪声", "商铺 音响 广场舞", 2, 3, 3, 200, ""),
        ("NOISE.LIFE", "生活噪声", "噪音 宠物 狗叫", 4, 5, 3, 50, ""),
    ]),
    ("BUILD", "违章搭建", "违建 违章 搭建", 4, 15, 3, 100, "", [
        ("BUILD.ILLEGAL", "违章搭建", "违建 加盖 阳台 围墙", 4, 15, 3, 100, ""),
        ("BUILD.GROUP", "占用公共空间", "圈地 占用 绿地 楼顶", 4, 15, 3, 100, ""),
    ]),
    ("PARK", "停车管理", "停车 车辆", 2, 3, 3, 150, "", [
        ("PARK.DISORDER", "乱停乱放", "乱停 占道 僵尸车", 2, 3, 3, 150, ""),
        ("PARK.CHARGE", "充电桩", "充电桩 充电 新能源", 4, 10, 3, 200, ""),
    ]),
    ("ELDER", "养老服务", "老人 养老 助老", 4, 5, 3, 50, "", [
        ("ELDER.MEAL", "助餐送餐", "吃饭 送餐 食堂", 4, 3, 3, 50, ""),
        ("ELDER.CARE", "居家养老", "独居 探访 照护", 4, 5, 3, 50, ""),
    ]),
    ("POLICY", "政策咨询", "咨询 政策 办事", 4, 5, 3, 0, "", [
        ("POLICY.SOCIAL", "社保医保", "社保 医保 养老金", 4, 5, 3, 0, ""),
        ("POLICY.CERT", "证明办理", "证明 户籍 居住证", 4, 5, 3, 0, ""),
        ("POLICY.OTHER", "其他咨询", "咨询", 4, 5, 3, 0, ""),
    ]),
    ("OTHER", "其他", "其他", 4, 5, 3, 100, "", []),
]


def categories_restore_default(category_model: Any = None) -> int:
    """Create the default categories that are missing (by code). Returns how many were created."""
    if category_model is None:
        from linli.cases.models import Category as category_model
    existing = set(category_model.objects.values_list("code", flat=True))
    created = 0
    for order, (code, name, words, sign, handle, feedback, radius, notice, children) in enumerate(DEFAULT_CATEGORIES):
        parent = category_model.objects.filter(code=code).first()
        if parent is None:
            parent = category_model.objects.create(
                code=code, name=name, keywords=words, sign_hours=sign, handle_days=handle, feedback_days=feedback,
                duplicate_radius_m=radius, emergency_notice=notice, sort_order=order * 100,
            )
            created += 1
        for sub_order, (c_code, c_name, c_words, c_sign, c_handle, c_feedback, c_radius, c_notice) in enumerate(children):
            if c_code in existing:
                continue
            category_model.objects.create(
                parent=parent, code=c_code, name=c_name, keywords=c_words, sign_hours=c_sign, handle_days=c_handle,
                feedback_days=c_feedback, duplicate_radius_m=c_radius, emergency_notice=c_notice,
                sort_order=order * 100 + sub_order + 1,
            )
            created += 1
    if created:
        from linli.core.refdata import refdata_changed

        refdata_changed("categories")
    return created
