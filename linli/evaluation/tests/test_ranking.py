"""The ranking: weighted totals, the stated tie rule, exactly three red flags; published results stay."""

from __future__ import annotations

from fractions import Fraction

from linli.evaluation import actions, selectors
from linli.evaluation.models import RoundResult
from linli.evaluation.tests.conftest import sheet_for


def _score_all(rnd, estate, actor, per_target):
    """Every building gives target i the scores ``per_target[i]`` (a {code: value} dict)."""
    for b in estate.buildings:
        actions.sheet_submit(
            round=rnd, building=b,
            scores={str(t.pk): per_target[i] for i, t in enumerate(estate.buildings) if t.pk != b.pk},
            actor=actor,
        )


def test_weighted_totals_and_the_top_three(estate, make_round, community_staff):
    rnd = make_round()
    s = lambda a, b, c: {"safety": a, "sanitation": b, "civility": c}  # noqa: E731
    _score_all(rnd, estate, community_staff, [s(10, 10, 10), s(9, 9, 9), s(5, 5, 5), s(8, 8, 8), s(6, 6, 6)])
    rows = selectors.round_ranking(rnd)
    names = [r.name for r in rows]
    assert names == ["1幢", "2幢", "4幢", "10幢", "3幢"]
    assert rows[0].total == 100 and rows[1].total == 90
    assert [r.red_flag for r in rows] == [True, True, True, False, False]


def test_a_tie_at_third_is_broken_by_the_heaviest_criterion(estate, make_round, community_staff):
    rnd = make_round()
    s = lambda a, b, c: {"safety": a, "sanitation": b, "civility": c}  # noqa: E731
    # 3幢 and 4幢 both total 80 (weights 40/30/30): 5/10/10 gives 20+30+30, 8/8/8 gives 32+24+24.
    # 4幢 is safer (8 against 5), and safety weighs most, so 4幢 takes the third flag.
    third_b = s(5, 10, 10)
    third_a = s(8, 8, 8)
    third_c = s(10, 5, 5)  # 40 + 15 + 15 = 70
    _score_all(rnd, estate, community_staff, [s(10, 10, 10), s(9, 9, 9), third_b, third_a, third_c])
    rows = {r.name: r for r in selectors.round_ranking(rnd)}
    assert rows["3幢"].total == rows["4幢"].total == 80
    assert rows["4幢"].rank == 3 and rows["4幢"].red_flag
    assert rows["3幢"].rank == 4 and not rows["3幢"].red_flag
    assert sum(r.red_flag for r in rows.values()) == 3


def test_a_full_tie_is_broken_by_natural_name_order(estate, make_round, community_staff):
    rnd = make_round()
    same = {"safety": 8, "sanitation": 8, "civility": 8}
    _score_all(rnd, estate, community_staff, [same] * 5)
    rows = selectors.round_ranking(rnd)
    assert [r.name for r in rows] == ["1幢", "2幢", "3幢", "4幢", "10幢"]  # natural order: 4 before 10
    assert [r.red_flag for r in rows] == [True, True, True, False, False]


def test_exact_fractions_make_no_false_ties(estate, make_round, community_staff):
    rnd = make_round()
    b = estate.buildings
    # Only two sheets: 2幢's mean safety is 9.5, 3幢's is 9.0 ... totals differ by fractions of a point.
    actions.sheet_submit(round=rnd, building=b[0], scores=sheet_for(rnd, b[0], b, per={1: 10, 2: 9}), actor=community_staff)
    actions.sheet_submit(round=rnd, building=b[4], scores=sheet_for(rnd, b[4], b, per={1: 9, 2: 9}), actor=community_staff)
    rows = {r.name: r for r in selectors.round_ranking(rnd)}
    assert rows["2幢"].total == Fraction(95) and rows["3幢"].total == Fraction(90)
    assert rows["2幢"].rank < rows["3幢"].rank


def test_a_building_nobody_scored_gets_no_flag(estate, make_round, community_staff):
    rnd = make_round()
    b = estate.buildings
    actions.sheet_submit(round=rnd, building=b[0], scores=sheet_for(rnd, b[0], b), actor=community_staff)
    rows = {r.name: r for r in selectors.round_ranking(rnd)}
    assert rows["1幢"].sheets == 0 and not rows["1幢"].red_flag


def test_publication_fixes_the_ranking_and_the_flags_show_on_the_building(estate, make_round, community_staff):
    rnd = make_round()
    s = lambda v: {"safety": v, "sanitation": v, "civility": v}  # noqa: E731
    _score_all(rnd, estate, community_staff, [s(10), s(9), s(8), s(7), s(6)])
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    actions.round_transition(round=rnd, name="publish", actor=community_staff)
    flags = list(RoundResult.objects.filter(round=rnd, red_flag=True).order_by("rank").values_list("building__name", flat=True))
    assert flags == ["1幢", "2幢", "3幢"]
    assert selectors.current_red_flag(estate.buildings[0]) is not None
    assert selectors.current_red_flag(estate.buildings[4]) is None


def test_the_red_flag_shows_on_the_building_pages(client, estate, make_round, community_staff):

    rnd = make_round()
    s = lambda v: {"safety": v, "sanitation": v, "civility": v}  # noqa: E731
    _score_all(rnd, estate, community_staff, [s(10), s(9), s(8), s(7), s(6)])
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    actions.round_transition(round=rnd, name="publish", actor=community_staff)
    top, last = estate.buildings[0], estate.buildings[4]
    top.refresh_from_db()
    last.refresh_from_db()
    for building, flagged in ((top, True), (last, False)):
        code = building.public_code
        for url in (f"/r/{code}/about", f"/r/{code}"):
            page = client.get(url).content.decode()
            assert ('data-testid="building-badges"' in page) == flagged, url


def test_a_moved_compound_takes_its_rounds_along(world, estate, make_round, community_staff):
    from linli.evaluation.models import EvaluationRound
    from linli.places.actions import place_move

    rnd = make_round()
    place_move(place=estate.compound, new_parent=world.grid_c, actor=None)
    estate.compound.refresh_from_db()
    assert EvaluationRound.objects.get(pk=rnd.pk).place_path == estate.compound.path
    assert not EvaluationRound.objects.visible_to(community_staff).filter(pk=rnd.pk).exists()
