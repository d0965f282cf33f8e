"""The arithmetic of quorum and majority at the edges (Civil Code Art. 278, the residents' committee law)."""

from __future__ import annotations

import pytest

from linli.deliberation.rules import Fraction, Rule, pct, tally_compute
from linli.deliberation.workflow import RULE_PRESETS, VoteRule


def _rule(code):
    qn, qd, qs, mn, md, ms, area = RULE_PRESETS[code]
    return Rule(Fraction(qn, qd, qs), Fraction(mn, md, ms), area)


OPTIONS = [("agree", "同意"), ("disagree", "不同意"), ("abstain", "弃权")]


def _owners(code, *, roll=(300, 30000), agree=(0, 0), disagree=(0, 0), abstain=(0, 0)):
    sums = {k: v for k, v in (("agree", agree), ("disagree", disagree), ("abstain", abstain)) if v != (0, 0)}
    return tally_compute(_rule(code), roll_heads=roll[0], roll_area=roll[1], sums=sums, options=OPTIONS, yes_no=True)


@pytest.mark.parametrize(
    ("part_heads", "part_area", "met"),
    [
        (200, 20000, True),  # exactly two thirds of both: "三分之二以上" includes two thirds
        (199, 20000, False),  # one owner short
        (200, 19999, False),  # 0.01 m² short
        (300, 30000, True),
    ],
)
def test_owners_quorum_two_thirds_by_heads_and_area(part_heads, part_area, met):
    result = _owners(VoteRule.OWNERS_ORDINARY, agree=(part_heads, part_area))
    assert result["quorum_met"] is met
    assert result["passed"] is met


@pytest.mark.parametrize(
    ("agree", "passed"),
    [
        ((101, 10001), True),  # more than half of the 200 participating heads and 20000 area
        ((100, 10001), False),  # exactly half the heads is not "过半数"
        ((101, 10000), False),  # exactly half the area neither
        ((150, 15000), True),
    ],
)
def test_owners_ordinary_majority_more_than_half_of_participants(agree, passed):
    rest = (200 - agree[0], 20000 - agree[1])
    assert _owners(VoteRule.OWNERS_ORDINARY, agree=agree, disagree=rest)["passed"] is passed


@pytest.mark.parametrize(
    ("agree", "passed"),
    [
        ((150, 15000), True),  # exactly three quarters: "四分之三以上" includes it
        ((149, 15000), False),
        ((150, 14999), False),
        ((200, 20000), True),
    ],
)
def test_owners_special_majority_three_quarters(agree, passed):
    rest = (200 - agree[0], 20000 - agree[1])
    assert _owners(VoteRule.OWNERS_SPECIAL, agree=agree, disagree=rest)["passed"] is passed


def test_abstentions_take_part_but_do_not_agree():
    # 200 of 300 take part: 101 agree, 99 abstain → more than half of those taking part agree.
    result = _owners(VoteRule.OWNERS_ORDINARY, agree=(101, 10100), abstain=(99, 9900))
    assert result["quorum_met"] and result["passed"]
    result = _owners(VoteRule.OWNERS_ORDINARY, agree=(100, 10000), abstain=(100, 10000))
    assert result["quorum_met"] and not result["passed"]


@pytest.mark.parametrize(("part", "met"), [(51, True), (50, False)])
def test_residents_rule_more_than_half_take_part(part, met):
    result = tally_compute(
        _rule(VoteRule.RESIDENTS), roll_heads=100, roll_area=0, sums={"agree": (part, 0)}, options=OPTIONS, yes_no=True
    )
    assert result["quorum_met"] is met
    assert [s["measure"] for s in result["steps"]] == ["heads", "heads"]  # no area for residents


def test_computation_is_shown():
    result = _owners(VoteRule.OWNERS_SPECIAL, agree=(150, 15000), disagree=(50, 5000))
    steps = {(s["test"], s["measure"]): s for s in result["steps"]}
    assert steps[("quorum", "heads")] == {
        "test": "quorum", "measure": "heads", "part": 200, "whole": 300, "pct": "66.67", "rule": "≥ 2/3",
        "threshold_pct": "66.67", "holds": True,
    }
    assert steps[("majority", "area")]["part"] == 15000 and steps[("majority", "area")]["whole"] == 20000
    assert result["turnout_heads_pct"] == "66.67" and result["turnout_area_pct"] == "66.67"


def test_choice_vote_winner_and_tie():
    rule = _rule(VoteRule.RESIDENTS)
    opts = [("o1", "王阿姨"), ("o2", "李奶奶")]
    won = tally_compute(rule, roll_heads=10, roll_area=0, sums={"o1": (4, 0), "o2": (2, 0)}, options=opts, yes_no=False)
    assert won["winner"] == "o1" and won["passed"]
    tie = tally_compute(rule, roll_heads=10, roll_area=0, sums={"o1": (3, 0), "o2": (3, 0)}, options=opts, yes_no=False)
    assert tie["winner"] is None and not tie["passed"]


def test_pct_rounds_half_up_in_integers():
    assert pct(2, 3) == "66.67" and pct(1, 3) == "33.33" and pct(1, 8) == "12.50" and pct(0, 0) == "0.00"
