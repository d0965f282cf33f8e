"""Every write of evaluation: open a round, submit a score sheet, and the round's transitions (through the
one runner in ``linli.core.workflow``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.selectors import user_has_role_under
from linli.core.audit import audit_record
from linli.core.errors import Invalid, NotFound, PermissionDenied, Refused
from linli.core.inserts import insert_many
from linli.core.workflow import Apply, Outcome, Spec, run
from linli.evaluation import selectors
from linli.evaluation.access import can_open_rounds, can_score_for
from linli.evaluation.models import Criterion, EvaluationRound, RoundEvent, RoundResult, Score, ScoreSheet
from linli.evaluation.workflow import TRANSITIONS, Organiser, RoundStatus

MAX_BUILDINGS = 200  # a compound with more buildings is scored in parts (a bound on one sheet's size)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def round_open(
    *, compound: Any, month: dt.date, organiser: str, closes_on: dt.date | None = None, actor: Any
) -> EvaluationRound:
    """Open the month's round for a compound: its buildings score each other until ``closes_on``
    (default: the 25th of the month)."""
    from linli.places.kinds import PlaceKind

    errors: dict[str, list[str]] = {}
    if compound is None or compound.kind != PlaceKind.COMPOUND:
        raise Invalid(_("Choose a compound."), fields={"compound": [_("Choose a compound.")]})
    if actor is not None and not can_open_rounds(actor, compound):
        raise NotFound(_("Not found."))
    if organiser not in Organiser.values:
        errors["organiser"] = [_("Choose who organises the round.")]
    month = _month_start(month)
    closes_on = closes_on or month.replace(day=25)
    if closes_on < month:
        errors["closes_on"] = [_("Scores cannot close before the month begins.")]
    buildings = selectors.compound_buildings(compound)
    if len(buildings) < 2:
        errors["compound"] = [_("A compound needs at least two buildings to score each other.")]
    elif len(buildings) > MAX_BUILDINGS:
        errors["compound"] = [_("This compound has too many buildings for one round.")]
    criteria = [
        {"code": c.code, "name": c.name, "weight": c.weight, "max_score": c.max_score}
        for c in Criterion.objects.filter(active=True)
    ]
    if not criteria:
        errors["criteria"] = [_("Set up the evaluation criteria first.")]
    if errors:
        raise Invalid(_("The round cannot be opened."), fields=errors)
    community = selectors.community_of(compound)
    try:
        with transaction.atomic():
            rnd = EvaluationRound.objects.create(
                compound=compound,
                community=community,
                place_path=compound.path,
                month=month,
                organiser=organiser,
                closes_on=closes_on,
                criteria=criteria,
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            now = timezone.now()
            RoundEvent.objects.create(
                round=rnd, kind="open", actor=rnd.opened_by, actor_name=_actor_name(actor), at=now,
                to_status=rnd.status, data={"organiser": organiser, "closes_on": closes_on.isoformat()},
            )
            audit_record(action="evaluation.round_open", actor=actor, actor_name=_system(actor), target=rnd,
                         detail={"compound": compound.pk, "month": month.isoformat()})
    except IntegrityError as exc:
        raise Refused(
            _("%(compound)s already has a round for %(month)s.") % {"compound": compound.name, "month": f"{month:%Y-%m}"},
            code="round_exists",
        ) from exc
    return rnd


def _actor_name(actor: Any) -> str:
    return actor.get_username()[:150] if getattr(actor, "is_authenticated", False) else "system"


def _system(actor: Any) -> str:
    return "" if actor is not None else "system"


def _parse_scores(rnd: EvaluationRound, building: Any, scores: Any) -> list[tuple[int, str, int]]:
    """``scores``: {building id: {criterion code: score}} for every other building of the compound and
    every criterion of the round; returns (target, code, value) rows or raises Invalid."""
    if not isinstance(scores, dict):
        raise Invalid(_("Score every building."), fields={"scores": [_("Score every building.")]})
    targets = [b.pk for b in selectors.compound_buildings(rnd.compound) if b.pk != building.pk]
    wanted = {str(t) for t in targets}
    given = {str(k) for k in scores}
    errors: dict[str, list[str]] = {}
    if str(building.pk) in given:
        errors["scores"] = [_("A building never scores itself.")]
    elif given != wanted:
        errors["scores"] = [_("Score every other building of the compound, and only those.")]
    rows: list[tuple[int, str, int]] = []
    if not errors:
        for target in targets:
            per = scores.get(target, scores.get(str(target)))
            if not isinstance(per, dict):
                errors[f"scores.{target}"] = [_("Score every criterion.")]
                continue
            for c in rnd.criteria:
                raw = per.get(c["code"])
                try:
                    value = int(str(raw).strip())
                except (TypeError, ValueError):
                    errors[f"scores.{target}.{c['code']}"] = [_("Enter a whole number.")]
                    continue
                if not 0 <= value <= c["max_score"]:
                    errors[f"scores.{target}.{c['code']}"] = [
                        _("Between 0 and %(max)s.") % {"max": c["max_score"]}
                    ]
                    continue
                rows.append((target, c["code"], value))
    if errors:
        raise Invalid(_("Please check the scores."), fields=errors)
    return rows


def sheet_submit(*, round: EvaluationRound | int, building: Any, scores: Any, actor: Any) -> ScoreSheet:
    """One building's score sheet for the round: it scores every other building of the compound on every
    criterion. Its head submits it from the phone, or an organiser enters a paper sheet. A second sheet
    for the same building is refused (409), also when two arrive at once."""
    pk = round.pk if isinstance(round, EvaluationRound) else round
    with transaction.atomic():
        try:
            rnd = EvaluationRound.objects.select_related("compound").select_for_update(of=("self",)).get(pk=pk)
        except EvaluationRound.DoesNotExist as exc:
            raise NotFound(_("Not found.")) from exc
        if actor is not None and not EvaluationRound.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        if building is None or building.parent_id is None or not building.path.startswith(rnd.compound.path) \
                or building.pk == rnd.compound_id or building.kind != "building":
            raise Invalid(_("Choose a building of this compound."), fields={"building": [_("Not found.")]})
        on_paper = False
        if actor is not None and not can_score_for(actor, building):
            from linli.evaluation.workflow import is_organiser

            if not is_organiser(rnd, actor):
                raise PermissionDenied(_("Only the building's head scores for it."))
            on_paper = True
        if rnd.status != RoundStatus.OPEN:
            raise Refused(_("Scoring of this round is closed."), code="refused_transition")
        if timezone.localdate() > rnd.closes_on:
            raise Refused(_("Scores closed on %(day)s.") % {"day": rnd.closes_on.isoformat()}, code="refused_transition")
        rows = _parse_scores(rnd, building, scores)
        if ScoreSheet.objects.filter(round=rnd, building=building).exists():
            raise Refused(_("This building has already scored in this round."), code="already_scored")
        now = timezone.now()
        try:
            with transaction.atomic():
                sheet = ScoreSheet.objects.create(
                    round=rnd, building=building, on_paper=on_paper, submitted_at=now,
                    submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            raise Refused(_("This building has already scored in this round."), code="already_scored") from exc
        insert_many(
            [Score(sheet=sheet, round=rnd, scorer=building, target_id=t, criterion=c, value=v) for t, c, v in rows]
        )
        RoundEvent.objects.create(
            round=rnd, kind="sheet", actor=sheet.submitted_by, actor_name=_actor_name(actor), at=now,
            from_status=rnd.status, to_status=rnd.status, data={"building": building.pk, "on_paper": on_paper},
        )
        audit_record(action="evaluation.sheet_submit", actor=actor, actor_name=_system(actor), target=sheet,
                     detail={"round": rnd.pk, "building": building.pk, "on_paper": on_paper, "scores": len(rows)})
    return sheet


# --- the round's transitions ------------------------------------------------------------------------------


def _note(key: str) -> Apply:
    def apply(rnd: EvaluationRound, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
        return Outcome(note=str(data.get(key, "") or "")[:500])

    return apply


def _publish(rnd: EvaluationRound, actor: Any, data: dict[str, Any], now: Any) -> Outcome:
    rows = selectors.round_ranking(rnd)
    RoundResult.objects.filter(round=rnd).delete()
    insert_many(
        [
            RoundResult(
                round=rnd, building_id=r.building_id, rank=r.rank, total=r.total_display, sheets=r.sheets,
                by_criterion={k: float(v) for k, v in r.by_criterion.items()}, red_flag=r.red_flag,
                place_path=r.path, month=rnd.month,
            )
            for r in rows
        ]
    )
    rnd.published_at = now
    flags = [r.building_id for r in rows if r.red_flag]
    return Outcome(data={"red_flags": flags})


APPLY: dict[str, Apply] = {
    "close": _note("note"),
    "reopen": _note("reason"),
    "publish": _publish,
    "cancel": _note("reason"),
}


def _spec() -> Spec:
    return Spec(
        model=EvaluationRound,
        event_model=RoundEvent,
        event_fk="round",
        table=TRANSITIONS,
        apply=APPLY,
        audit_prefix="evaluation.round",
        noun=_("round"),
        related=("compound",),
        labels={"open": gettext_lazy("Round opened"), "sheet": gettext_lazy("Score sheet submitted")},
    )


def round_transition(*, round: EvaluationRound | int, name: str, actor: Any, data: dict[str, Any] | None = None):
    return run(_spec(), obj=round, name=name, actor=actor, data=data)


def rounds_close_due(*, today: dt.date | None = None) -> int:
    """Close the open rounds whose closing day has passed (the periodic task; the system acts)."""
    today = today or timezone.localdate()
    done = 0
    for pk in EvaluationRound.objects.filter(status=RoundStatus.OPEN, closes_on__lt=today).values_list("pk", flat=True)[:500]:
        try:
            round_transition(round=pk, name="close", actor=None, data={"note": "auto"})
            done += 1
        except Refused:
            continue
    return done


# --- inspection campaigns -------------------------------------------------------------------------------------

MAX_TARGETS = 2000


def campaign_create(
    *, name: str, kind: str, template: Any, place: Any, starts_on: dt.date, ends_on: dt.date,
    targets: list[tuple[Any, Any]], actor: Any,
) -> Any:
    """A campaign over ``place`` (a street or community) with its targets: (compound or building,
    inspector user or None). Starts as a draft; ``start`` opens it to inspections."""
    from linli.evaluation.models import Campaign, CampaignEvent, CampaignTarget
    from linli.evaluation.workflow import PERM_CAMPAIGN, CampaignKind

    errors: dict[str, list[str]] = {}
    name = (name or "").strip()[:100]
    if not name:
        errors["name"] = [_("This field is required.")]
    if kind not in CampaignKind.values:
        errors["kind"] = [_("Choose a kind.")]
    if template is None:
        errors["template"] = [_("Choose a checklist.")]
    if place is None or place.kind not in ("street", "community"):
        errors["place"] = [_("Choose a street or a community.")]
    elif actor is not None and not (PERM_CAMPAIGN in getattr(actor, "perms", ()) and actor.scope.covers_path(place.path)):
        raise NotFound(_("Not found."))
    if starts_on is None or ends_on is None or ends_on < starts_on:
        errors["ends_on"] = [_("The campaign ends after it starts.")]
    clean_targets = []
    for where, inspector in targets[: MAX_TARGETS + 1]:
        if place is not None and (where is None or where.kind not in ("compound", "building") or not where.path.startswith(place.path)):
            errors["targets"] = [_("Choose compounds and buildings inside the campaign's area.")]
            break
        clean_targets.append((where, inspector))
    if not clean_targets and "targets" not in errors:
        errors["targets"] = [_("Choose at least one compound or building.")]
    if len(targets) > MAX_TARGETS:
        errors["targets"] = [_("At most %(n)s targets.") % {"n": MAX_TARGETS}]
    if errors:
        raise Invalid(_("Please check the campaign."), fields=errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name, kind=kind, template=template, place=place, place_path=place.path, starts_on=starts_on,
            ends_on=ends_on, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        seen: set[int] = set()
        rows = []
        for where, inspector in clean_targets:
            if where.pk in seen:
                continue
            seen.add(where.pk)
            rows.append(CampaignTarget(campaign=campaign, place=where, inspector=inspector))
        insert_many(rows)
        CampaignEvent.objects.create(campaign=campaign, kind="create", actor=campaign.created_by,
                                     actor_name=_actor_name(actor), at=timezone.now(), to_status=campaign.status,
                                     data={"targets": len(rows)})
        audit_record(action="evaluation.campaign_create", actor=actor, actor_name=_system(actor), target=campaign,
                     detail={"targets": len(rows), "place": place.pk})
    return campaign


def _campaign_spec() -> Spec:
    from linli.evaluation.models import Campaign, CampaignEvent
    from linli.evaluation.workflow import CAMPAIGN_TRANSITIONS

    return Spec(
        model=Campaign, event_model=CampaignEvent, event_fk="campaign", table=CAMPAIGN_TRANSITIONS,
        apply={"start": _note("note"), "finish": _note("note"), "cancel": _note("reason")},
        audit_prefix="evaluation.campaign", noun=_("campaign"),
    )


def campaign_transition(*, campaign: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Any:
    return run(_campaign_spec(), obj=campaign, name=name, actor=actor, data=data)


def inspection_submit(
    *, campaign: Any, target: Any, results: dict[str, Any], key: str, actor: Any, note: str = "",
    photos: dict[str, Any] | None = None, lon: float | None = None, lat: float | None = None,
) -> Any:
    """Record one inspection of a target: ``results`` maps every item code of the checklist to True
    (passed) or False (failed). Every failed item files one case (channel patrol, the item's category,
    the target as the place), linked back; an item that already has a finding in this campaign is not
    filed again. ``key`` is the form's one-time key: the same submission twice is one inspection."""
    from linli.cases import actions as case_actions
    from linli.evaluation.models import Campaign, Finding, Inspection
    from linli.evaluation.workflow import CampaignStatus, is_campaign_organiser

    key = (key or "").strip()[:64]
    if not key:
        raise Invalid(_("The form has expired; open it again."), fields={"key": [_("This field is required.")]})
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    with transaction.atomic():
        try:
            locked = Campaign.objects.select_related("template").select_for_update(of=("self",)).get(pk=pk)
        except Campaign.DoesNotExist as exc:
            raise NotFound(_("Not found.")) from exc
        if actor is not None and not Campaign.objects.visible_to(actor).filter(pk=pk).exists():
            raise NotFound(_("Not found."))
        target = locked.targets.select_related("place").filter(pk=getattr(target, "pk", target)).first()
        if target is None:
            raise NotFound(_("Not found."))
        if actor is not None and target.inspector_id != actor.pk and not is_campaign_organiser(locked, actor):
            raise PermissionDenied(_("This target is assigned to another inspector."))
        earlier = Inspection.objects.filter(campaign=locked, key=key).first()
        if earlier is not None:
            return earlier  # the same submission again (a double tap, a retry): nothing more
        if locked.status != CampaignStatus.RUNNING:
            raise Refused(_("Inspections are recorded while the campaign runs."), code="refused_transition")
        items = list(locked.template.items.all())
        wanted = {i.code for i in items}
        given = {str(k): v for k, v in (results or {}).items()} if isinstance(results, dict) else {}
        if set(given) != wanted:
            raise Invalid(_("Check every item of the list."), fields={"results": [_("Check every item of the list.")]})
        outcome = {code: _passed(v) for code, v in given.items()}
        if any(v is None for v in outcome.values()):
            raise Invalid(_("Mark each item passed or failed."), fields={"results": [_("Mark each item passed or failed.")]})
        now = timezone.now()
        inspection = Inspection.objects.create(
            target=target, campaign=locked, inspector=actor if getattr(actor, "is_authenticated", False) else None,
            key=key, inspected_at=now, passed=sum(1 for v in outcome.values() if v),
            failed=sum(1 for v in outcome.values() if not v), note=(note or "")[:500], lon=lon, lat=lat,
        )
        already = set(Finding.objects.filter(target=target).values_list("item_id", flat=True))
        filed = []
        for item in items:
            if outcome[item.code] or item.pk in already:
                continue
            case = case_actions.case_create(
                actor=actor, channel="patrol", category=item.category,
                title=f"{locked.name}：{item.text}"[:100],
                description=f"{locked.name} · {target.place.name} · {item.text}" + (f"\n{note}" if note else ""),
                place=target.place, photos=[photos[item.code]] if photos and photos.get(item.code) else None,
                external_id=f"campaign-{locked.pk}-{target.pk}-{item.code}"[:64],
            )
            owner = target.inspector or (actor if getattr(actor, "is_authenticated", False) else None)
            if case.owner_user_id is None and owner is not None:  # an owner and a deadline in the same step
                if case.status == "reported":
                    case = case_actions.case_accept(case=case, actor=None, note=str(locked.name)[:100])
                if case.status == "accepted":
                    case = case_actions.case_dispatch(case=case, actor=None, owner_kind="grid_worker",
                                                      owner_user=owner.pk, note=str(locked.name)[:100])
            Finding.objects.create(campaign=locked, target=target, inspection=inspection, item=item, case_id=case.pk,
                                   note=(note or "")[:300])
            filed.append(case.pk)
        audit_record(action="evaluation.inspection_submit", actor=actor, actor_name=_system(actor), target=inspection,
                     detail={"campaign": locked.pk, "target": target.place_id, "failed": inspection.failed, "cases": filed})
    return inspection


def _passed(value: Any) -> bool | None:
    if value is True or value is False:
        return value
    text = str(value).strip().lower()
    if text in ("pass", "passed", "ok", "1", "true", "yes"):
        return True
    if text in ("fail", "failed", "0", "false", "no"):
        return False
    return None


# --- satisfaction surveys -------------------------------------------------------------------------------------

MAX_SAMPLE = 500


def survey_open(*, questionnaire: Any, community: Any, month: dt.date, sample_size: int, actor: Any) -> Any:
    """The month's survey of a community: a reproducible random sample of its households, each with a
    one-time link (sent by SMS, or printed as a QR slip). Staff may also take answers by phone."""
    import secrets

    from linli.evaluation.models import Survey, SurveyEvent, SurveyInvite
    from linli.evaluation.workflow import PERM_MANAGE
    from linli.residents.selectors import household_sample

    if community is None or community.kind != "community":
        raise Invalid(_("Choose a community."), fields={"community": [_("Choose a community.")]})
    if actor is not None and not (PERM_MANAGE in getattr(actor, "perms", ()) and actor.scope.covers_path(community.path)):
        raise NotFound(_("Not found."))
    if questionnaire is None or not questionnaire.questions.exists():
        raise Invalid(_("Choose a questionnaire."), fields={"questionnaire": [_("Choose a questionnaire.")]})
    try:
        size = int(sample_size)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_SAMPLE:
        raise Invalid(_("Sample between 1 and %(n)s households.") % {"n": MAX_SAMPLE},
                      fields={"sample_size": [_("Between 1 and %(n)s.") % {"n": MAX_SAMPLE}]})
    month = _month_start(month)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                questionnaire=questionnaire, community=community, place_path=community.path, month=month,
                sample_size=size, created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            sample = household_sample(community.path, size, seed=survey.pk * 7919 + month.year * 100 + month.month)
            insert_many(
                [SurveyInvite(survey=survey, household_id=hid, label=label, token=secrets.token_urlsafe(12)) for hid, label in sample]
            )
            SurveyEvent.objects.create(survey=survey, kind="open", actor=survey.created_by, actor_name=_actor_name(actor),
                                       at=timezone.now(), to_status="open", data={"sampled": len(sample)})
            audit_record(action="evaluation.survey_open", actor=actor, actor_name=_system(actor), target=survey,
                         detail={"community": community.pk, "month": month.isoformat(), "sampled": len(sample)})
    except IntegrityError as exc:
        raise Refused(_("This community already has this survey for the month."), code="survey_exists") from exc
    return survey


def _clean_answers(survey: Any, answers: Any) -> tuple[dict[str, str], bool | None]:
    if not isinstance(answers, dict):
        raise Invalid(_("Please answer the questions."), fields={"answers": [_("Please answer the questions.")]})
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    satisfied: bool | None = None
    for q in survey.questionnaire.questions.all():
        value = str(answers.get(q.code, "") or "").strip()[:500]
        if not value:
            if q.required:
                errors[q.code] = [_("Please answer this question.")]
            continue
        if q.kind in ("choice", "scale") and value not in [str(o) for o in q.options]:
            errors[q.code] = [_("Choose one of the answers.")]
            continue
        clean[q.code] = value
        if q.satisfied_options:
            satisfied = value in q.satisfied_options
    if errors:
        raise Invalid(_("Please answer the questions."), fields=errors)
    return clean, satisfied


def survey_answer(*, answers: Any, actor: Any, token: str = "", survey: Any = None, household_id: int | None = None) -> Any:
    """One household's answer, counted once: through its one-time link (``token``, no login), by a
    logged-in resident of a sampled household, or entered by staff on the phone (``survey`` and
    ``household_id`` of an invite). A second answer of the same household is refused (409), races too."""
    from linli.evaluation.models import Survey, SurveyAnswer, SurveyInvite
    from linli.evaluation.workflow import is_organiser

    with transaction.atomic():
        if token:
            invite = SurveyInvite.objects.select_related("survey__questionnaire").filter(token=str(token)[:32]).first()
            if invite is None:
                raise NotFound(_("Not found."))
            channel = "link"
        else:
            pk = getattr(survey, "pk", survey)
            invite = SurveyInvite.objects.select_related("survey__questionnaire").filter(
                survey_id=pk, household_id=int(household_id or 0)).first()
            if invite is None:
                raise NotFound(_("Not found."))
            if actor is not None and is_organiser(invite.survey, actor):
                channel = "phone"
            else:
                from linli.residents.selectors import household_id_of_user

                if actor is None or household_id_of_user(actor) != invite.household_id:
                    raise NotFound(_("Not found."))
                channel = "app"
        survey_row = Survey.objects.select_for_update().get(pk=invite.survey_id)
        if survey_row.status != "open":
            raise Refused(_("This survey is closed."), code="refused_transition")
        clean, satisfied = _clean_answers(invite.survey, answers)
        if SurveyAnswer.objects.filter(survey_id=invite.survey_id, household_id=invite.household_id).exists():
            raise Refused(_("Your household has already answered. Thank you."), code="already_answered")
        try:
            with transaction.atomic():
                answer = SurveyAnswer.objects.create(
                    survey_id=invite.survey_id, household_id=invite.household_id, channel=channel, answers=clean,
                    satisfied=satisfied, answered_at=timezone.now(),
                    entered_by=actor if channel == "phone" else None,
                )
        except IntegrityError as exc:
            raise Refused(_("Your household has already answered. Thank you."), code="already_answered") from exc
        audit_record(action="evaluation.survey_answer", actor=actor if channel != "link" else None,
                     actor_name="" if channel != "link" else "survey link", target=answer,
                     detail={"survey": invite.survey_id, "channel": channel})
    return answer


def answer_to_case(*, answer: Any, actor: Any, category: str = "POLICY.OTHER") -> Any:
    """An unsatisfied answer becomes a case in one click (entered by staff for the household; the text of
    the answers is the description). Twice is once."""
    from linli.cases import actions as case_actions
    from linli.evaluation.models import SurveyAnswer
    from linli.evaluation.workflow import is_organiser

    with transaction.atomic():
        locked = SurveyAnswer.objects.select_for_update().select_related("survey__community", "survey__questionnaire").get(
            pk=getattr(answer, "pk", answer))
        if actor is not None and not is_organiser(locked.survey, actor):
            raise NotFound(_("Not found."))
        if locked.case_id:
            return locked
        if locked.satisfied is not False:
            raise Refused(_("Only an unsatisfied answer becomes a case."), code="refused_transition")
        questions = {q.code: q.text for q in locked.survey.questionnaire.questions.all()}
        text = "\n".join(f"{questions.get(k, k)}：{v}" for k, v in locked.answers.items())
        case = case_actions.case_create(
            actor=actor, channel="proxy", category=category,
            title=_("Unsatisfied in the %(month)s survey") % {"month": f"{locked.survey.month:%Y-%m}"},
            description=text, place=locked.survey.community, external_id=f"survey-answer-{locked.pk}",
        )
        locked.case_id = case.pk
        locked.save(update_fields=["case_id"])
        audit_record(action="evaluation.answer_to_case", actor=actor, actor_name=_system(actor), target=locked,
                     detail={"case": case.pk})
    return locked


def _survey_spec() -> Spec:
    from linli.evaluation.models import Survey, SurveyEvent
    from linli.evaluation.workflow import SURVEY_TRANSITIONS

    return Spec(model=Survey, event_model=SurveyEvent, event_fk="survey", table=SURVEY_TRANSITIONS,
                apply={"close": _note("note"), "reopen": _note("reason")}, audit_prefix="evaluation.survey",
                noun=_("survey"))


def survey_transition(*, survey: Any, name: str, actor: Any, data: dict[str, Any] | None = None) -> Any:
    return run(_survey_spec(), obj=survey, name=name, actor=actor, data=data)


def survey_send_links(*, survey: Any, actor: Any, base_url: str = "") -> dict[str, int]:
    """Send each sampled household that has not had it its one-time link by SMS, through the outbox (the
    worker sends after the commit). A household without a phone on the registry is left for the printed
    slip or a call; a number whose SMS allowance is used up (shared with the cases' one-time codes) is
    skipped and can be sent later. The text carries no personal data. Returns the counts."""
    from django.conf import settings

    from linli.evaluation.models import SurveyInvite
    from linli.evaluation.workflow import is_organiser
    from linli.notifications.actions import notice_queue, sms_allowance_take
    from linli.residents.selectors import household_phones

    if actor is not None and not is_organiser(survey, actor):
        raise PermissionDenied(_("Only the survey's organisers send its links."))
    if survey.status != "open":
        raise Refused(_("The survey is closed."), code="refused_transition")
    base = (getattr(settings, "LINLI_PUBLIC_URL", "") or base_url or "").rstrip("/")
    invites = list(SurveyInvite.objects.filter(survey=survey, sms_at__isnull=True).order_by("id")[:MAX_SAMPLE])
    answered = set(survey.answers.values_list("household_id", flat=True))
    phones = household_phones([i.household_id for i in invites if i.household_id not in answered])
    sent = no_phone = over = 0
    now = timezone.now()
    month = f"{survey.month:%Y-%m}"
    for invite in invites:
        if invite.household_id in answered:
            continue
        phone = phones.get(invite.household_id)
        if not phone:
            no_phone += 1
            continue
        with transaction.atomic():
            # claim the invite first: a second sender (or a double click) finds it taken and sends nothing
            if SurveyInvite.objects.filter(pk=invite.pk, sms_at__isnull=True).update(sms_at=now) != 1:
                continue
            if not sms_allowance_take(phone):
                SurveyInvite.objects.filter(pk=invite.pk).update(sms_at=None)
                over += 1
                continue
            notice_queue(user_ids=[], kind="survey", ref=f"evaluation.survey:{survey.pk}", phone=phone,
                         text=_("%(community)s asks your household how satisfied you are (%(month)s). One answer "
                                "per household: %(url)s") % {"community": survey.community.name, "month": month,
                                                            "url": f"{base}/evaluation/s/{invite.token}"},
                         url=f"/evaluation/s/{invite.token}")
            sent += 1
    audit_record(action="evaluation.survey_sms", actor=actor, actor_name=_system(actor), target=survey,
                 detail={"sent": sent, "no_phone": no_phone, "over_allowance": over})
    return {"sent": sent, "no_phone": no_phone, "over_allowance": over}


# --- staff training -------------------------------------------------------------------------------------------

TRAINING_TARGET_HOURS = 12  # a year, per staff member (人民西路: at least 12 hours in the 书记工作室)
STAFF_ROLES_TRAINED = ("community_staff", "grid_worker")


def pair_create(*, mentor: Any, apprentice: Any, place: Any, started_on: dt.date, actor: Any, goal: str = "") -> Any:
    """师徒结对: pair two staff members of the area (a staff member mentors another, never themselves)."""
    from linli.evaluation.models import MentorPair
    from linli.evaluation.workflow import PERM_MANAGE

    if place is None or place.kind not in ("street", "community"):
        raise Invalid(_("Choose a street or a community."), fields={"place": [_("Choose a street or a community.")]})
    if actor is not None and not (PERM_MANAGE in getattr(actor, "perms", ()) and actor.scope.covers_path(place.path)):
        raise NotFound(_("Not found."))
    errors: dict[str, list[str]] = {}
    if mentor is None or not _staff_under(mentor, place.path):
        errors["mentor"] = [_("Only staff of this area can be recorded.")]
    if apprentice is None or not _staff_under(apprentice, place.path):
        errors["apprentice"] = [_("Only staff of this area can be recorded.")]
    elif mentor is not None and mentor.pk == apprentice.pk:
        errors["apprentice"] = [_("A mentor and an apprentice are two people.")]
    if started_on is None or started_on > timezone.localdate():
        errors["started_on"] = [_("Record a session that has taken place.")]
    if errors:
        raise Invalid(_("Please check the pair."), fields=errors)
    try:
        with transaction.atomic():
            pair = MentorPair.objects.create(mentor=mentor, apprentice=apprentice, place=place, place_path=place.path,
                                             started_on=started_on, goal=(goal or "")[:200])
            audit_record(action="evaluation.pair_create", actor=actor, actor_name=_system(actor), target=pair)
    except IntegrityError as exc:
        raise Refused(_("These two are paired already."), code="duplicate") from exc
    return pair


def training_record(
    *, title: str, kind: str, place: Any, held_on: dt.date, hours: Any, attendees: list[Any], actor: Any,
    teacher: str = "", pair: Any = None,
) -> Any:
    """A training session (a course, the secretary's lecture, a salon, a mentoring session, a hard-problem
    session) with the staff who attended; each attendee's hours count toward the year's target."""
    from decimal import Decimal, InvalidOperation

    from linli.evaluation.models import TrainingAttendance, TrainingKind, TrainingSession
    from linli.evaluation.workflow import PERM_MANAGE

    errors: dict[str, list[str]] = {}
    title = (title or "").strip()[:100]
    if not title:
        errors["title"] = [_("This field is required.")]
    if kind not in TrainingKind.values:
        errors["kind"] = [_("Choose a kind.")]
    if place is None or place.kind not in ("street", "community"):
        errors["place"] = [_("Choose a street or a community.")]
    elif actor is not None and not (PERM_MANAGE in getattr(actor, "perms", ()) and actor.scope.covers_path(place.path)):
        raise NotFound(_("Not found."))
    try:
        h = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        h = Decimal(0)
    if not Decimal("0.1") <= h <= Decimal(24):
        errors["hours"] = [_("Hours must be more than 0 and at most 24.")]
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = [_("Record a session that has taken place.")]
    if pair is not None:  # a mentoring session of a pair: the two of them, counted for both
        kind = TrainingKind.MENTORING
        attendees = [pair.mentor, pair.apprentice]
        if place is not None and not pair.place_path.startswith(place.path):
            errors["pair"] = [_("Choose a pair of this area.")]
    people = list(dict.fromkeys(a for a in attendees if a is not None))[:500]
    if not people:
        errors["attendees"] = [_("Tick who attended.")]
    elif place is not None and any(not _staff_under(u, place.path) for u in people):
        errors["attendees"] = [_("Only staff of this area can be recorded.")]
    if errors:
        raise Invalid(_("Please check the session."), fields=errors)
    with transaction.atomic():
        session = TrainingSession.objects.create(
            title=title, kind=kind, place=place, place_path=place.path, held_on=held_on, hours=h,
            teacher=(teacher or "")[:64], created_by=actor if getattr(actor, "is_authenticated", False) else None,
            pair=pair,
        )
        insert_many([
            TrainingAttendance(session=session, user=u, hours=h, year=held_on.year,
                               recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
            for u in people
        ])
        audit_record(action="evaluation.training_record", actor=actor, actor_name=_system(actor), target=session,
                     detail={"attendees": len(people), "hours": str(h)})
    return session


def _staff_under(user: Any, path: str) -> bool:

    return user_has_role_under(user, STAFF_ROLES_TRAINED, path)


# The specs are built at import, so that the runner knows every table (linli.core.workflow.SPECS).
_spec()
_campaign_spec()
_survey_spec()
from linli.evaluation import actions_members  # noqa: E402,F401  (its spec is built at import too)
