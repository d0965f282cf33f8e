"""The arithmetic of a vote: quorum and majority as data, decided in integers (no float ever decides).

A test ``part / whole ≥ num / den`` is computed as ``part × den ≥ num × whole`` (``>`` when strict). The
Civil Code says "三分之二以上" (two thirds or more: 以上 includes the number itself, Art. 1259) for taking
part and for the three-quarter majority, and "过半数" (more than half: strict) for the ordinary one.

``tally_compute`` turns the roll's totals and the per-choice sums into the published result, with every
test it made (the page shows the computation line by line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"


@dataclass(frozen=True)
class Fraction:
    num: int
    den: int
    strict: bool

    def holds(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        lhs, rhs = part * self.den, self.num * whole
        return lhs > rhs if self.strict else lhs >= rhs

    def text(self) -> str:
        return f"{'>' if self.strict else '≥'} {self.num}/{self.den}"


@dataclass(frozen=True)
class Rule:
    quorum: Fraction
    majority: Fraction
    by_area: bool

    @classmethod
    def of(cls, vote: Any) -> Rule:
        return cls(
            Fraction(vote.quorum_num, vote.quorum_den, vote.quorum_strict),
            Fraction(vote.majority_num, vote.majority_den, vote.majority_strict),
            vote.by_area,
        )


def pct(part: int, whole: int) -> str:
    """A percentage with two decimals, rounded half up, from integers ("66.67")."""
    if whole <= 0:
        return "0.00"
    hundredths = (part * 10000 * 2 + whole) // (2 * whole)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def m2(cm2: int) -> str:
    """0.01 m² integers as square metres ("100.50")."""
    sign = "-" if cm2 < 0 else ""
    cm2 = abs(cm2)
    return f"{sign}{cm2 // 100}.{cm2 % 100:02d}"


def _test(kind: str, measure: str, part: int, whole: int, frac: Fraction) -> dict[str, Any]:
    return {
        "test": kind,
        "measure": measure,
        "part": part,
        "whole": whole,
        "pct": pct(part, whole),
        "rule": frac.text(),
        "threshold_pct": pct(frac.num, frac.den),
        "holds": frac.holds(part, whole),
    }


def tally_compute(
    rule: Rule,
    *,
    roll_heads: int,
    roll_area: int,
    sums: dict[str, tuple[int, int]],
    options: list[tuple[str, str]],
    yes_no: bool,
) -> dict[str, Any]:
    """The result of a vote from the roll's totals and ``sums`` (choice → (heads, area in 0.01 m²))."""
    part_heads = sum(h for h, _a in sums.values())
    part_area = sum(a for _h, a in sums.values())
    measures = [("heads", roll_heads, part_heads)] + ([("area", roll_area, part_area)] if rule.by_area else [])
    steps = [_test("quorum", m, part, whole, rule.quorum) for m, whole, part in measures]
    quorum_met = all(s["holds"] for s in steps)
    rows: list[dict[str, Any]] = [
        {
            "key": key,
            "label": label,
            "heads": sums.get(key, (0, 0))[0],
            "area_cm2": sums.get(key, (0, 0))[1],
            "area_m2": m2(sums.get(key, (0, 0))[1]),
            "heads_pct": pct(sums.get(key, (0, 0))[0], part_heads),
            "area_pct": pct(sums.get(key, (0, 0))[1], part_area),
        }
        for key, label in options
    ]
    result: dict[str, Any] = {
        "roll_heads": roll_heads,
        "roll_area_cm2": roll_area,
        "part_heads": part_heads,
        "part_area_cm2": part_area,
        "turnout_heads_pct": pct(part_heads, roll_heads),
        "turnout_area_pct": pct(part_area, roll_area) if rule.by_area else None,
        "options": rows,
        "quorum_met": quorum_met,
        "winner": None,
    }
    if yes_no:
        agree = sums.get(AGREE, (0, 0))
        majority = [_test("majority", "heads", agree[0], part_heads, rule.majority)]
        if rule.by_area:
            majority.append(_test("majority", "area", agree[1], part_area, rule.majority))
        steps += majority
        result["passed"] = quorum_met and all(s["holds"] for s in majority)
    else:
        ranked = sorted(rows, key=lambda r: (-r["heads"], -r["area_cm2"]))
        top = ranked[0] if ranked and ranked[0]["heads"] > 0 else None
        tie = top is not None and len(ranked) > 1 and ranked[1]["heads"] == top["heads"] and (
            ranked[1]["area_cm2"] == top["area_cm2"]
        )
        result["winner"] = top["key"] if top is not None and not tie and quorum_met else None
        result["passed"] = quorum_met and result["winner"] is not None
    result["steps"] = steps
    return result
