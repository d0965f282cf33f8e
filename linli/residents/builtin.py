"""The built-in tags (重点人群). Created by migration 0002; their sensitivity can be changed by staff.

A tag's name is data (shown as stored), so the built-in names are written in Chinese here.
``elderly_60`` is computed from the date of birth: it has no PersonTag rows, yet it can be searched.
"""

from __future__ import annotations

ELDERLY_60 = "elderly_60"
ELDERLY_AGE = 60

# code, name, sensitivity, computed, description
BUILTIN_TAGS: tuple[tuple[str, str, str, bool, str], ...] = (
    (ELDERLY_60, "60岁以上老人", "internal", True, "由出生日期计算"),
    ("living_alone", "独居老人", "internal", False, ""),
    ("migrant_away", "外出务工", "internal", False, ""),
    ("tenant", "租户", "internal", False, "居住在出租屋"),
    ("relocated", "移民安置", "internal", False, ""),
    ("disabled", "残疾人", "sensitive", False, "个人信息保护法第二十八条：敏感个人信息"),
    ("low_income", "低保", "sensitive", False, "个人信息保护法第二十八条：敏感个人信息"),
    ("special_difficulty", "特殊困难", "sensitive", False, "个人信息保护法第二十八条：敏感个人信息"),
    ("child_in_difficulty", "困境儿童", "sensitive", False, "个人信息保护法第二十八条：敏感个人信息"),
)
BUILTIN_CODES = frozenset(code for code, *_rest in BUILTIN_TAGS)


def ensure_builtin_tags(tag_model) -> int:
    """Create the missing built-in tags (works with the real model or a migration's historical one)."""
    existing = set(tag_model.objects.filter(community__isnull=True).values_list("code", flat=True))
    rows = [
        tag_model(code=code, name=name, sensitivity=sensitivity, computed=computed, builtin=True, description=desc)
        for code, name, sensitivity, computed, desc in BUILTIN_TAGS
        if code not in existing
    ]
    tag_model.objects.bulk_create(rows)
    return len(rows)
