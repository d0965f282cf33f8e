"""Score sheets: a building never scores itself, scores once per round (racing submissions too), only
its head (or an organiser from paper) submits, and only while the round is open."""

from __future__ import annotations

import pytest
from django.db import connection

from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.evaluation import actions
from linli.evaluation.models import Score, ScoreSheet
from linli.evaluation.tests.conftest import sheet_for


def test_the_head_scores_every_other_building(estate, make_round, building_head):
    rnd = make_round()
    b0 = estate.buildings[0]
    sheet = actions.sheet_submit(round=rnd, building=b0, scores=sheet_for(rnd, b0, estate.buildings), actor=building_head)
    assert not sheet.on_paper and sheet.submitted_by == building_head
    assert Score.objects.filter(sheet=sheet).count() == 4 * len(rnd.criteria)
    assert not Score.objects.filter(sheet=sheet, target=b0).exists()


def test_a_building_never_scores_itself(estate, make_round, building_head):
    rnd = make_round()
    b0 = estate.buildings[0]
    scores = sheet_for(rnd, b0, estate.buildings)
    scores[str(b0.pk)] = {c["code"]: 10 for c in rnd.criteria}
    with pytest.raises(Invalid) as exc:
        actions.sheet_submit(round=rnd, building=b0, scores=scores, actor=building_head)
    assert "scores" in exc.value.fields
    assert ScoreSheet.objects.count() == 0


def test_the_database_refuses_a_self_score(estate, make_round):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    rnd = make_round()
    b0 = estate.buildings[0]
    sheet = ScoreSheet.objects.create(round=rnd, building=b0, submitted_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(sheet=sheet, round=rnd, scorer=b0, target=b0, criterion="safety", value=10)


def test_a_second_sheet_of_the_same_building_is_refused(estate, make_round, building_head, community_staff):
    rnd = make_round()
    b0 = estate.buildings[0]
    actions.sheet_submit(round=rnd, building=b0, scores=sheet_for(rnd, b0, estate.buildings), actor=building_head)
    with pytest.raises(Refused) as exc:
        actions.sheet_submit(round=rnd, building=b0, scores=sheet_for(rnd, b0, estate.buildings, 2), actor=community_staff)
    assert exc.value.code == "already_scored"
    assert ScoreSheet.objects.filter(round=rnd, building=b0).count() == 1


@pytest.mark.parametrize("bad", [11, -1, "x", None])
def test_out_of_range_scores_are_refused(estate, make_round, building_head, bad):
    rnd = make_round()
    b0 = estate.buildings[0]
    scores = sheet_for(rnd, b0, estate.buildings)
    scores[str(estate.buildings[1].pk)]["safety"] = bad
    with pytest.raises(Invalid):
        actions.sheet_submit(round=rnd, building=b0, scores=scores, actor=building_head)
    assert ScoreSheet.objects.count() == 0


def test_a_missing_building_is_refused(estate, make_round, building_head):
    rnd = make_round()
    b0 = estate.buildings[0]
    scores = sheet_for(rnd, b0, estate.buildings)
    scores.pop(str(estate.buildings[2].pk))
    with pytest.raises(Invalid):
        actions.sheet_submit(round=rnd, building=b0, scores=scores, actor=building_head)


def test_the_head_of_another_building_cannot_score_for_this_one(estate, make_round, building_head):
    rnd = make_round()
    b1 = estate.buildings[1]
    with pytest.raises(PermissionDenied):
        actions.sheet_submit(round=rnd, building=b1, scores=sheet_for(rnd, b1, estate.buildings), actor=building_head)


def test_a_head_of_another_compound_does_not_see_the_round(estate, make_round):
    from linli.core.testing.personas import make_user

    rnd = make_round()
    outsider = make_user("head_x", "building_head", place=estate.other_building)
    b0 = estate.buildings[0]
    with pytest.raises(NotFound):
        actions.sheet_submit(round=rnd, building=b0, scores=sheet_for(rnd, b0, estate.buildings), actor=outsider)


def test_staff_enter_a_paper_sheet(estate, make_round, community_staff):
    rnd = make_round()
    b2 = estate.buildings[2]
    sheet = actions.sheet_submit(round=rnd, building=b2, scores=sheet_for(rnd, b2, estate.buildings), actor=community_staff)
    assert sheet.on_paper


def test_no_sheet_after_closing(estate, make_round, building_head, community_staff):
    rnd = make_round()
    actions.round_transition(round=rnd, name="close", actor=community_staff)
    b0 = estate.buildings[0]
    with pytest.raises(Refused):
        actions.sheet_submit(round=rnd, building=b0, scores=sheet_for(rnd, b0, estate.buildings), actor=building_head)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_racing_sheets_of_one_building_count_once(estate, make_round, building_head, community_staff, tmp_path):
    from linli.core.testing.concurrency import in_thread, race, sqlite_file

    rnd = make_round()
    b0 = estate.buildings[0]
    db = sqlite_file(tmp_path) if connection.vendor == "sqlite" else None
    scores = sheet_for(rnd, b0, estate.buildings)
    results, errors = race(
        [
            lambda: actions.sheet_submit(round=rnd.pk, building=b0, scores=scores, actor=building_head),
            lambda: actions.sheet_submit(round=rnd.pk, building=b0, scores=scores, actor=community_staff),
            lambda: actions.sheet_submit(round=rnd.pk, building=b0, scores=scores, actor=building_head),
        ],
        settings_dict=db,
    )
    assert len(results) == 1, errors
    assert len(errors) == 2 and all(isinstance(e, Refused) for e in errors), errors

    def counts():
        return ScoreSheet.objects.filter(round_id=rnd.pk).count(), Score.objects.filter(round_id=rnd.pk).count()

    assert (in_thread(counts, db) if db else counts()) == (1, 4 * len(rnd.criteria))
