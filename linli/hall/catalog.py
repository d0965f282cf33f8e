"""The default catalog of community services (便民服务事项): what a community's one-stop hall offers
on the first day. Staff edit it afterwards (``service_item_save``); the migration only adds what is missing.

A row: code, name, category, materials (what to bring), window, promised working days, 代办 offered, the
office a 代办 goes to, whether the result is a certificate (证明) the hall prints with a serial number.
Names and materials are data shown as stored (Chinese).
"""

from __future__ import annotations

ID = "居民身份证原件及复印件"
HUKOU = "户口簿原件及复印件"
PHOTO = "近期一寸免冠照片2张"
FORM = "申请表（窗口领取或线上填写）"

# (code, name, category, materials, window, days, agency, agency office, certificate)
DEFAULT_SERVICES: tuple[tuple[str, str, str, tuple[str, ...], str, int, bool, str, bool], ...] = (
    # 证明开具
    ("residence_proof", "居住证明", "proof", (ID, "房产证或租赁合同"), "1号窗口 综合受理", 1, False, "", True),
    ("family_relation_proof", "家庭关系证明", "proof", (ID, HUKOU), "1号窗口 综合受理", 1, False, "", True),
    ("hardship_proof", "困难家庭证明", "proof", (ID, HUKOU, "收入情况说明"), "1号窗口 综合受理", 3, False, "", True),
    ("alive_proof", "健在证明（生存认证）", "proof", (ID,), "1号窗口 综合受理", 1, False, "", True),
    ("unmarried_proof", "未再婚证明", "proof", (ID, HUKOU, "离婚证或配偶死亡证明"), "1号窗口 综合受理", 2, False, "", True),
    ("marriage_birth_proof", "婚育情况证明", "proof", (ID, HUKOU, "结婚证"), "3号窗口 卫健计生", 2, False, "", True),
    ("house_number_proof", "门牌地址证明", "proof", (ID, "房产证或购房合同"), "1号窗口 综合受理", 1, False, "", True),
    ("employment_status_proof", "就业失业状况证明", "proof", (ID, "就业创业证"), "2号窗口 社保就业", 1, False, "", True),
    # 社保就业
    ("social_security_query", "社保查询", "social", (ID,), "2号窗口 社保就业", 0, False, "", False),
    ("pension_enrol", "城乡居民养老保险参保登记", "social", (ID, HUKOU), "2号窗口 社保就业", 5, True, "街道社保所", False),
    ("medical_insurance", "城乡居民医疗保险参保缴费", "social", (ID, HUKOU), "2号窗口 社保就业", 3, True, "街道社保所", False),
    ("retiree_register", "退休人员社会化管理登记", "social", (ID, "退休证", PHOTO), "2号窗口 社保就业", 5, True, "街道社保所", False),
    ("unemployment_register", "失业登记", "social", (ID, "解除劳动合同证明"), "2号窗口 社保就业", 3, True, "街道社保所", False),
    ("employment_card", "就业创业证申领", "social", (ID, PHOTO), "2号窗口 社保就业", 5, True, "区人力社保局", False),
    ("flexible_subsidy", "灵活就业人员社保补贴申请", "social", (ID, "就业创业证", "缴费凭证", "银行卡复印件"), "2号窗口 社保就业", 15, True, "区人力社保局", False),
    ("job_referral", "就业岗位推荐", "social", (ID, "个人简历"), "2号窗口 社保就业", 5, False, "", False),
    # 民政救助
    ("minimum_living", "低保申请", "relief", (ID, HUKOU, "家庭收入及财产状况说明", "银行卡复印件", FORM), "4号窗口 民政救助", 20, True, "街道民政科", False),
    ("extreme_poverty", "特困人员供养申请", "relief", (ID, HUKOU, "残疾证或诊断证明", FORM), "4号窗口 民政救助", 20, True, "街道民政科", False),
    ("temporary_relief", "临时救助申请", "relief", (ID, "困难情况说明及佐证材料", "银行卡复印件"), "4号窗口 民政救助", 10, True, "街道民政科", False),
    ("disability_card", "残疾人证办理", "relief", (ID, HUKOU, "近期二寸免冠照片3张"), "4号窗口 民政救助", 15, True, "区残联", False),
    ("disability_allowance", "残疾人两项补贴申请", "relief", (ID, "残疾人证", "银行卡复印件"), "4号窗口 民政救助", 15, True, "区残联", False),
    ("public_housing", "公共租赁住房申请", "relief", (ID, HUKOU, "家庭收入及住房情况证明", FORM), "4号窗口 民政救助", 20, True, "区住建局", False),
    ("funeral_subsidy", "丧葬补助申领", "relief", ("死亡证明或火化证明", "申领人身份证", "银行卡复印件"), "4号窗口 民政救助", 10, True, "街道民政科", False),
    # 为老服务
    ("elder_card", "老年优待证", "elderly", (ID, PHOTO), "5号窗口 为老服务", 5, True, "区民政局", False),
    ("longevity_allowance", "高龄津贴申请", "elderly", (ID, HUKOU, "银行卡复印件"), "5号窗口 为老服务", 10, True, "街道民政科", False),
    ("home_care_subsidy", "居家养老服务补贴申请", "elderly", (ID, "能力评估表", FORM), "5号窗口 为老服务", 15, True, "街道民政科", False),
    ("canteen_card", "老年食堂就餐登记", "elderly", (ID,), "5号窗口 为老服务", 1, False, "", False),
    ("elder_health_check", "老年人健康体检预约", "elderly", (ID, "医保卡"), "5号窗口 为老服务", 3, False, "", False),
    ("emergency_call", "独居老人紧急呼叫设备申领", "elderly", (ID, FORM), "5号窗口 为老服务", 10, True, "街道民政科", False),
    # 卫健计生
    ("birth_register", "生育登记服务", "health", ("夫妻双方身份证", "结婚证", HUKOU), "3号窗口 卫健计生", 1, False, "", False),
    ("only_child_reward", "独生子女父母奖励扶助申请", "health", (ID, "独生子女父母光荣证", HUKOU), "3号窗口 卫健计生", 15, True, "区卫健局", False),
    ("special_support", "计划生育特别扶助申请", "health", (ID, HUKOU, "子女死亡或伤残证明"), "3号窗口 卫健计生", 20, True, "区卫健局", False),
    ("family_doctor", "家庭医生签约", "health", (ID, "医保卡"), "3号窗口 卫健计生", 3, True, "社区卫生服务中心", False),
    ("child_vaccination", "儿童预防接种登记", "health", ("出生医学证明", "监护人身份证"), "3号窗口 卫健计生", 1, True, "社区卫生服务中心", False),
    # 户籍居住
    ("residence_permit", "居住证申领", "household", (ID, "居住登记凭证", PHOTO), "1号窗口 综合受理", 15, True, "辖区派出所", False),
    ("residence_register", "流动人口居住登记", "household", (ID, "房产证或租赁合同"), "1号窗口 综合受理", 1, False, "", False),
    ("rental_filing", "出租房屋登记备案", "household", ("房东身份证", "房产证", "租赁合同"), "1号窗口 综合受理", 3, False, "", False),
    ("hukou_move_advice", "户口迁移咨询", "household", (ID, HUKOU), "1号窗口 综合受理", 1, True, "辖区派出所", False),
    # 党群法律及其他
    ("party_transfer", "党员组织关系转接", "other", ("党员组织关系介绍信",), "6号窗口 党群服务", 5, False, "", False),
    ("veteran_card", "退役军人优待证申领", "other", (ID, "退伍证", PHOTO), "6号窗口 党群服务", 15, True, "区退役军人事务局", False),
    ("legal_aid", "法律援助申请", "other", (ID, "经济困难证明", "案件相关材料"), "6号窗口 党群服务", 7, True, "街道司法所", False),
    ("mediation_request", "人民调解申请", "other", (ID, "纠纷情况说明"), "6号窗口 党群服务", 5, False, "", False),
    ("volunteer_register", "志愿者注册", "other", (ID,), "6号窗口 党群服务", 1, False, "", False),
    ("trade_union", "职工互助保障办理", "other", (ID, "工会会员证"), "6号窗口 党群服务", 10, True, "街道总工会", False),
)

# The text of a certificate (证明); {name}, {address}, {purpose} are filled in when it is issued.
CERTIFICATE_TEXTS: dict[str, str] = {
    "residence_proof": "兹证明{name}现居住于{address}，情况属实。\n用途：{purpose}",
    "family_relation_proof": "兹证明{name}的家庭成员关系如户口簿所载，情况属实。\n用途：{purpose}",
    "hardship_proof": "兹证明{name}（住{address}）家庭生活困难，情况属实。\n用途：{purpose}",
    "alive_proof": "兹证明{name}（住{address}）现健在。\n用途：{purpose}",
    "unmarried_proof": "兹证明{name}（住{address}）至今未再婚。\n用途：{purpose}",
    "marriage_birth_proof": "兹证明{name}（住{address}）婚育情况如申请所述，情况属实。\n用途：{purpose}",
    "house_number_proof": "兹证明{address}为本社区辖区内门牌地址，户主{name}。\n用途：{purpose}",
    "employment_status_proof": "兹证明{name}（住{address}）就业失业状况如申请所述。\n用途：{purpose}",
}
DEFAULT_CERTIFICATE_TEXT = "兹证明{name}（住{address}）所述情况属实。\n用途：{purpose}"


def ensure_default_catalog(service_model) -> int:
    """Create the missing default services (works with the real model or a migration's historical one)."""
    from linli.core.text import pinyin_initials

    existing = set(service_model.objects.filter(place__isnull=True).values_list("code", flat=True))
    rows = []
    for order, (code, name, category, materials, window, days, agency, office, certificate) in enumerate(
        DEFAULT_SERVICES
    ):
        if code in existing:
            continue
        rows.append(
            service_model(
                code=code,
                name=name,
                initials=pinyin_initials(name),
                category=category,
                materials=list(materials),
                window=window,
                promised_days=days,
                agency=agency,
                agency_office=office,
                certificate=certificate,
                certificate_text=CERTIFICATE_TEXTS.get(code, DEFAULT_CERTIFICATE_TEXT) if certificate else "",
                sort=order,
            )
        )
    service_model.objects.bulk_create(rows)
    return len(rows)
