"""Demo evaluation: in one compound of each community (one of 4 to 12 buildings, where there is one),
twelve published monthly rounds (the buildings scoring each other, the red flags), and this month's round
open; a street-wide 创文 campaign running with some compounds inspected and their problems filed as cases;
a year of monthly satisfaction surveys per community; a year of the secretary's studio; 双报到 members'
commitments (one waiting for approval) and a half year evaluated; the demo login ``building`` (钱进) is the
head of a building in the compound of 孙丽's branch and has this month's sheet to fill in."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from linli.core.inserts import insert_many

MONTHS = 12
MAX_BUILDINGS = 12  # compounds of 4 to 12 buildings (a round of a larger one is a lot of demo rows)


def _compound_for(community: Any, prefer_path: str = "") -> Any:
    from django.db.models import Count

    from linli.places.models import Place, PlaceKind

    candidates = (
        Place.objects.filter(kind=PlaceKind.COMPOUND, path__startswith=community.path)
        .annotate(n=Count("children"))
        .filter(n__gte=4, n__lte=MAX_BUILDINGS)
        .order_by("path")
    )
    if prefer_path:
        preferred = candidates.filter(path=prefer_path).first()
        if preferred is not None:
            return preferred
    return candidates.first()


def _branch_compound_path(community: Any) -> str:
    from linli.party.models import PartyOrg

    branch = (
        PartyOrg.objects.filter(kind="branch", active=True, place_path__startswith=community.path, place__kind="compound")
        .order_by("id").first()
    )
    return branch.place_path if branch is not None else ""


def _scores(rnd: Any, building: Any, buildings: list[Any], rng: random.Random, quality: dict[int, int]) -> dict:
    out = {}
    for t in buildings:
        if t.pk == building.pk:
            continue
        out[str(t.pk)] = {c["code"]: max(0, min(c["max_score"], quality[t.pk] + rng.randint(-1, 1))) for c in rnd.criteria}
    return out


def _bind_building_head(demo: Any) -> None:
    """The demo login ``building`` heads the first building of the compound whose rounds the demo runs in
    the first community (any building of that community when none fits, the community itself on a bare
    demo without buildings)."""
    from linli.accounts.actions import role_assign
    from linli.accounts.models import RoleAssignment
    from linli.evaluation import selectors
    from linli.places.models import Place, PlaceKind

    user = demo.users.get("building")
    if user is None or not demo.communities or RoleAssignment.objects.filter(user=user, role="building_head").exists():
        return
    community = demo.communities[0]
    compound = _compound_for(community, _branch_compound_path(community))
    building = selectors.compound_buildings(compound)[0] if compound is not None else (
        Place.objects.filter(kind=PlaceKind.BUILDING, path__startswith=community.path).order_by("path").first()
    )
    role_assign(user=user, role="building_head", place=building or community, actor=None)


def demo_extend(demo: Any) -> None:
    from linli.evaluation.defaults import defaults_ensure

    defaults_ensure()
    _bind_building_head(demo)
    _demo_rounds(demo)
    _demo_campaign(demo)
    _demo_surveys(demo)
    _demo_training(demo)
    _demo_members(demo)


def _demo_rounds(demo: Any) -> None:
    from linli.evaluation import actions, selectors
    from linli.evaluation.models import EvaluationRound

    today = timezone.localdate()
    this_month = today.replace(day=1)
    rng = random.Random(20261206)
    for i, community in enumerate(demo.communities):
        compound = _compound_for(community, _branch_compound_path(community) if i == 0 else "")
        if compound is None:
            continue
        buildings = selectors.compound_buildings(compound)
        if len(buildings) < 4:
            continue
        if EvaluationRound.objects.filter(compound=compound).exists():
            continue
        quality = {b.pk: rng.randint(6, 10) for b in buildings}
        for back in range(MONTHS, -1, -1):
            month = this_month
            for _ in range(back):
                month = (month - dt.timedelta(days=1)).replace(day=1)
            closes_on = max(today, month.replace(day=25)) if back else month.replace(day=25) if today.day <= 25 else today
            rnd = actions.round_open(compound=compound, month=month, organiser="branch" if i != 1 else "committee",
                                     closes_on=closes_on, actor=None)
            if back == 0:
                # this month: most buildings have scored; the demo building head's sheet waits
                for b in buildings[2:]:
                    actions.sheet_submit(round=rnd, building=b, scores=_scores(rnd, b, buildings, rng, quality), actor=None)
                continue
            for b in buildings:
                actions.sheet_submit(round=rnd, building=b, scores=_scores(rnd, b, buildings, rng, quality), actor=None)
            actions.round_transition(round=rnd, name="close", actor=None, data={})
            actions.round_transition(round=rnd, name="publish", actor=None, data={})
            for b in buildings:  # the standing changes a little from month to month
                quality[b.pk] = max(5, min(10, quality[b.pk] + rng.choice((-1, 0, 0, 1))))


def _demo_campaign(demo: Any) -> None:
    """A street-wide 创文 campaign over the first community's compounds, running, some inspected."""
    from linli.accounts.selectors import users_with_role_over
    from linli.evaluation import actions
    from linli.evaluation.models import Campaign, ChecklistTemplate
    from linli.places.models import Place, PlaceKind

    template = ChecklistTemplate.objects.filter(kind="civilised_city").first()
    if template is None or Campaign.objects.exists() or not demo.communities:
        return
    today = timezone.localdate()
    compounds = list(Place.objects.filter(kind=PlaceKind.COMPOUND, path__startswith=demo.communities[0].path).order_by("path")[:12])
    if not compounds:
        return
    targets = []
    for c in compounds:
        workers = users_with_role_over(c.path, "grid_worker", limit=1)
        targets.append((c, workers[0] if workers else None))
    campaign = actions.campaign_create(
        name=f"{today.year}年创文创卫迎检", kind="civilised_city", template=template, place=demo.street,
        starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=20), targets=targets, actor=None,
    )
    actions.campaign_transition(campaign=campaign, name="start", actor=None)
    codes = list(template.items.values_list("code", flat=True))
    rng = random.Random(2026)
    for n, target in enumerate(campaign.targets.all()[:6]):
        failed = set(rng.sample(codes, k=n % 3))
        actions.inspection_submit(
            campaign=campaign, target=target, key=f"demo-{target.pk}", actor=None,
            results={c: ("fail" if c in failed else "pass") for c in codes},
        )


SURVEY_MONTHS = 12  # a year of monthly surveys per community
SURVEY_LIVE = 3  # the last three months through the actions (links, answers, closing); the rest in bulk
SURVEY_SAMPLE = 30
SURVEY_ANSWERED = 25


def _survey_answer(rng: random.Random) -> dict[str, str]:
    overall = rng.choices(["满意", "基本满意", "不满意"], weights=[80, 17, 3])[0]
    return {
        "overall": overall, "grid": rng.choice(["知道并联系过", "知道", "不知道"]),
        "services": str(rng.randint(3, 5) if overall != "不满意" else rng.randint(1, 3)),
        "advice": "希望增加夜间照明" if overall == "不满意" else "",
    }


def _demo_surveys(demo: Any) -> None:
    """A year of monthly satisfaction surveys of each community, most sampled households answered: the
    last three months through the actions (this month's still open), the nine before written in bulk as
    they would stand once closed (the sample, the answers, the open and close events)."""
    from linli.evaluation import actions
    from linli.evaluation.models import Questionnaire, Survey

    questionnaire = Questionnaire.objects.filter(active=True).first()
    if questionnaire is None or Survey.objects.exists():
        return
    rng = random.Random(95)
    months = [timezone.localdate().replace(day=1)]
    while len(months) < SURVEY_MONTHS:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    for back, month in enumerate(months[:SURVEY_LIVE]):
        for community in demo.communities:
            survey = actions.survey_open(questionnaire=questionnaire, community=community, month=month,
                                         sample_size=SURVEY_SAMPLE, actor=None)
            for invite in list(survey.invites.all())[:SURVEY_ANSWERED]:
                actions.survey_answer(token=invite.token, actor=None, answers=_survey_answer(rng))
            if back:
                actions.survey_transition(survey=survey, name="close", actor=None)
    _demo_surveys_bulk(demo, questionnaire, months[SURVEY_LIVE:], rng)


def _demo_surveys_bulk(demo: Any, questionnaire: Any, months: list[dt.date], rng: random.Random) -> None:
    import secrets

    from linli.evaluation.models import Survey, SurveyAnswer, SurveyEvent, SurveyInvite
    from linli.residents.selectors import household_sample

    if not months:
        return
    satisfied_options = {q.code: list(q.satisfied_options) for q in questionnaire.questions.all() if q.satisfied_options}
    surveys: list[Any] = []
    samples: dict[int, list[tuple[int, str]]] = {}
    for community in demo.communities:
        # one draw per community, a different slice of it each month (fewer reads than a draw per month)
        samples[community.pk] = household_sample(community.path, SURVEY_SAMPLE * len(months), seed=community.pk * 95)
        for month in months:
            surveys.append(Survey(questionnaire=questionnaire, community=community, place_path=community.path,
                                  month=month, sample_size=SURVEY_SAMPLE, status="closed", version=1))
    Survey.objects.bulk_create(surveys, batch_size=500)
    surveys = list(Survey.objects.filter(month__in=months, questionnaire=questionnaire).order_by("community_id", "month"))
    invites: list[Any] = []
    answers: list[Any] = []
    events: list[Any] = []
    tz = timezone.get_current_timezone()
    slot = {m: i for i, m in enumerate(sorted(months))}
    for survey in surveys:
        sample = samples.get(survey.community_id, [])
        at = slot[survey.month] * SURVEY_SAMPLE
        chosen = sample[at:at + SURVEY_SAMPLE] or sample[:SURVEY_SAMPLE]
        opened = dt.datetime.combine(survey.month.replace(day=3), dt.time(9), tzinfo=tz)
        closed = dt.datetime.combine(survey.month.replace(day=25), dt.time(17), tzinfo=tz)
        invites += [SurveyInvite(survey=survey, household_id=hid, label=label, token=secrets.token_urlsafe(12))
                    for hid, label in chosen]
        for n, (hid, _label) in enumerate(chosen[:SURVEY_ANSWERED]):
            given = _survey_answer(rng)
            satisfied = None
            for code, ok in satisfied_options.items():
                if code in given:
                    satisfied = given[code] in ok
            answers.append(SurveyAnswer(survey=survey, household_id=hid, channel="link", answers=given,
                                        satisfied=satisfied, answered_at=opened + dt.timedelta(hours=5 * n + 1)))
        events += [
            SurveyEvent(survey=survey, kind="open", actor_name="system", at=opened, to_status="open",
                        data={"sampled": len(chosen)}),
            SurveyEvent(survey=survey, kind="close", actor_name="system", at=closed, from_status="open",
                        to_status="closed"),
        ]
    SurveyInvite.objects.bulk_create(invites, batch_size=2000)
    SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
    SurveyEvent.objects.bulk_create(events, batch_size=2000)


def _demo_training(demo: Any) -> None:
    """A year of the secretary's studio in the first community: monthly lectures, quarterly salons, a
    mentoring pair's sessions; the staff's hours against the 12-hour target."""
    from linli.evaluation import actions, selectors
    from linli.evaluation.models import TrainingSession

    if not demo.communities or TrainingSession.objects.exists():
        return
    community = demo.communities[0]
    staff = selectors.staff_under(community.path)
    if not staff:
        return
    today = timezone.localdate()
    for m in range(1, today.month + 1):
        day = dt.date(today.year, m, 8)
        if day > today:
            break
        actions.training_record(title=f"{m}月书记讲堂", kind="lecture", place=community, held_on=day, hours="1.5",
                                attendees=staff, actor=None, teacher="社区党委书记")
        if m % 3 == 0 and day + dt.timedelta(days=10) <= today:  # a salon ten days later, once it has taken place
            actions.training_record(title=f"第{m // 3}季度工作沙龙", kind="salon", place=community,
                                    held_on=day + dt.timedelta(days=10), hours="2", attendees=staff[:2], actor=None)
    if len(staff) >= 2:  # 师徒结对: the first two staff, a mentoring session every other month
        pair = actions.pair_create(mentor=staff[0], apprentice=staff[1], place=community,
                                   started_on=dt.date(today.year, 1, 15), actor=None, goal="带教入户走访和台账")
        for m in range(2, today.month + 1, 2):
            day = dt.date(today.year, m, 18)
            if day <= today:
                actions.training_record(title=f"{m}月师徒带教", kind="mentoring", place=community, held_on=day,
                                        hours="2", attendees=[], actor=None, pair=pair)


COMMITMENTS = ["每月为楼里独居老人上门理发", "每周巡查楼道消防通道", "帮助楼里老人代购代办", "义务辅导楼里孩子作业",
               "参与垃圾分类桶边督导"]
DONE = ["上门服务2户老人", "清理楼道杂物3处", "代购药品送到家", "辅导作业2小时", "桶边督导一个早上"]
GRADES = ["excellent", "good", "good", "fair"]


def _demo_members(demo: Any) -> None:
    """双报到 members: each registered member of each community shows one or two commitments on a building
    of their grid, with what they did every few weeks (written in bulk); the last finished half year is
    evaluated, commented and confirmed (carried in the report to their units), this half year drafted."""
    from linli.evaluation.actions_members import member_evaluation_transition, member_evaluations_prepare
    from linli.evaluation.models import Commitment, CommitmentLog, MemberEvaluation
    from linli.party.models import PartyMember, PartyMemberKind
    from linli.places.models import Place, PlaceKind

    if Commitment.objects.exists() or MemberEvaluation.objects.exists():
        return
    today = timezone.localdate()
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    rng = random.Random(55)
    logs: list[Any] = []
    for community in demo.communities:
        members = list(PartyMember.objects.filter(kind=PartyMemberKind.REGISTERED, active=True,
                                                  place_path__startswith=community.path).order_by("id")[:40])
        for n, m in enumerate(members):
            buildings = list(Place.objects.filter(kind=PlaceKind.BUILDING,
                                                  path__startswith=m.place_path or community.path).order_by("path")[:7])
            if not buildings:
                continue
            building = buildings[n % len(buildings)]
            for y in sorted({year, today.year}):
                for k in range(1 + n % 2):
                    c = Commitment.objects.create(member=m, building=building, place_path=building.path, year=y,
                                                  text=COMMITMENTS[(n + k) % len(COMMITMENTS)], status="approved",
                                                  version=1)
                    day = dt.date(y, 1, 10) + dt.timedelta(days=rng.randint(0, 20))
                    while day <= min(today, dt.date(y, 12, 31)):
                        logs.append(CommitmentLog(commitment=c, done_on=day, text=rng.choice(DONE)))
                        day += dt.timedelta(days=rng.randint(14, 40))
            if n == 0:  # a member's new commitment waits for the community's approval
                Commitment.objects.create(member=m, building=building, place_path=building.path, year=today.year,
                                          text="周末为楼里孩子开放党员书屋")
    insert_many(logs, batch_size=2000)
    cur_year, cur_half = today.year, 1 if today.month <= 6 else 2
    for community in demo.communities:
        member_evaluations_prepare(community=community, year=year, half=half, actor=None)
        member_evaluations_prepare(community=community, year=cur_year, half=cur_half, actor=None)
    for i, ev in enumerate(MemberEvaluation.objects.filter(year=year, half=half).order_by("id")[:200]):
        grade = GRADES[i % len(GRADES)] if ev.orders_done or ev.hours else "fair"
        member_evaluation_transition(evaluation=ev, name="comment", actor=None, data={
            "grade": grade, "comment": {"excellent": "服务主动，践诺到位，群众满意度高", "good": "能按时完成服务和承诺",
                                        "fair": "参加社区服务偏少，需加强"}[grade]})
        member_evaluation_transition(evaluation=ev, name="confirm", actor=None)
