"""Reads of evaluation: the compound's buildings, a round's ranking (the stated tie rule), the red flags,
the monthly notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q

from linli.accounts.selectors import users_with_roles_under
from linli.core.access import path_prefixes
from linli.evaluation.models import EvaluationRound, RoundResult, Score, ScoreSheet
from linli.evaluation.workflow import RoundStatus
from linli.places.selectors import places_by_paths

RED_FLAGS = 3  # the top three buildings of a round hang the mobile red flag (流动小红旗)

# The tie rule is stated to users as workflow.TIE_RULE_LABEL; round_ranking implements it.


def compound_buildings(compound: Any) -> list[Any]:
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import natural_key, places_of_kind

    rows = list(
        places_of_kind(PlaceKind.BUILDING, under=compound.path).only("id", "name", "path", "parent_id", "kind")
    )
    return sorted(rows, key=lambda b: natural_key(b.name))


def community_of(place: Any) -> Any:
    from linli.places.selectors import community_of_place

    return community_of_place(place)


@dataclass
class RankRow:
    building_id: int
    name: str
    path: str
    total: Fraction
    sheets: int
    by_criterion: dict[str, Fraction] = field(default_factory=dict)
    rank: int = 0
    red_flag: bool = False

    @property
    def total_display(self) -> Decimal:
        return (Decimal(self.total.numerator) / Decimal(self.total.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


def round_ranking(rnd: EvaluationRound) -> list[RankRow]:
    """Every building of the compound ranked (exact fractions, so that rounding never makes or breaks a
    tie), the top three with the red flag. A building no sheet scored ranks last with 0 and no flag."""
    from linli.places.selectors import natural_key

    criteria = sorted(rnd.criteria, key=lambda c: (-c["weight"], c["code"]))
    weights = sum(c["weight"] for c in criteria) or 1
    sums: dict[tuple[int, str], int] = {}
    counts: dict[tuple[int, str], int] = {}
    for row in (
        Score.objects.filter(round=rnd).values("target_id", "criterion").annotate(n=Count("id"))
        .values_list("target_id", "criterion", "n")
    ):
        counts[(row[0], row[1])] = row[2]
    for target, code, value in Score.objects.filter(round=rnd).values_list("target_id", "criterion", "value"):
        sums[(target, code)] = sums.get((target, code), 0) + value
    sheets = dict(
        Score.objects.filter(round=rnd).values("target_id").annotate(n=Count("sheet_id", distinct=True))
        .values_list("target_id", "n")
    )
    rows: list[RankRow] = []
    for b in compound_buildings(rnd.compound):
        shares: dict[str, Fraction] = {}
        total = Fraction(0)
        for c in criteria:
            n = counts.get((b.pk, c["code"]), 0)
            share = Fraction(sums.get((b.pk, c["code"]), 0), n * c["max_score"]) if n else Fraction(0)
            shares[c["code"]] = share
            total += share * c["weight"]
        rows.append(
            RankRow(b.pk, b.name, b.path, total * 100 / weights, sheets.get(b.pk, 0),
                    {k: v * next(c["max_score"] for c in criteria if c["code"] == k) for k, v in shares.items()})
        )
        rows[-1]._shares = shares  # type: ignore[attr-defined]
        rows[-1]._natural = natural_key(b.name)  # type: ignore[attr-defined]

    def key(r: RankRow) -> tuple:
        return (-r.total, *[-r._shares[c["code"]] for c in criteria], -r.sheets, r._natural)  # type: ignore[attr-defined]

    rows.sort(key=key)
    for i, r in enumerate(rows, start=1):
        r.rank = i
        r.red_flag = i <= RED_FLAGS and r.sheets > 0
    return rows


def sheet_progress(rnd: EvaluationRound) -> list[dict[str, Any]]:
    """Each building of the compound and whether it has scored yet."""
    done = dict(ScoreSheet.objects.filter(round=rnd).values_list("building_id", "submitted_at"))
    return [{"building": b, "submitted_at": done.get(b.pk)} for b in compound_buildings(rnd.compound)]


def round_list(user: Any, *, community_id: int | None = None, month: dt.date | None = None, status: str = "",
               limit: int = 100) -> list[EvaluationRound]:
    qs = EvaluationRound.objects.visible_to(user).select_related("compound", "community")
    if community_id:
        qs = qs.filter(community_id=community_id)
    if month:
        qs = qs.filter(month=month.replace(day=1))
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-month", "community_id", "id")[:limit])


def open_rounds_for_building_head(user: Any) -> list[tuple[EvaluationRound, Any, bool]]:
    """(round, building, already scored) for each open round of a compound holding one of the user's
    buildings."""
    from linli.places.kinds import PlaceKind

    scope = getattr(user, "scope", None)
    if scope is None:
        return []
    buildings = list(
        places_by_paths(scope.place_paths, kinds=[PlaceKind.BUILDING]).only("id", "name", "path")
    )
    out = []
    for b in buildings:
        prefixes = [p for p in path_prefixes(b.path) if p != b.path]
        for rnd in EvaluationRound.objects.filter(status=RoundStatus.OPEN, place_path__in=prefixes).select_related("compound"):
            out.append((rnd, b, ScoreSheet.objects.filter(round=rnd, building=b).exists()))
    return out


def building_red_flags(building: Any, *, limit: int = 12) -> list[RoundResult]:
    """The months this building hung the red flag, newest first (published rounds only)."""
    return list(
        RoundResult.objects.filter(building=building, red_flag=True, round__status=RoundStatus.PUBLISHED)
        .order_by("-month")[:limit]
    )


def current_red_flag(building: Any, *, today: dt.date | None = None) -> RoundResult | None:
    """The red flag the building holds now: from the latest published round of its compound, if it was
    among the top three there."""
    latest = (
        RoundResult.objects.filter(round__status=RoundStatus.PUBLISHED, round__compound_id=building.parent_id)
        .order_by("-month").values_list("month", flat=True).first()
    )
    if latest is None:
        # the building may sit under an entrance level or deeper: fall back to its own results
        row = RoundResult.objects.filter(building=building, round__status=RoundStatus.PUBLISHED).order_by("-month").first()
        return row if row is not None and row.red_flag else None
    return RoundResult.objects.filter(building=building, month=latest, red_flag=True,
                                      round__status=RoundStatus.PUBLISHED).first()


def red_flag_badges(building: Any) -> list[dict[str, Any]]:
    """The red flag a building holds now, as a badge for its public pages."""
    from django.utils.translation import gettext as _

    flag = current_red_flag(building)
    if flag is None:
        return []
    return [{"icon": "flag-fill", "style": "danger",
             "label": _("Red-flag building of %(month)s") % {"month": f"{flag.month:%Y-%m}"}}]


def monthly_notice(user: Any, *, community: Any, month: dt.date) -> dict[str, Any]:
    """The month's commendation (通报表扬): the red-flag buildings of every published round of the
    community, and the volunteers who earned the most points there that month (names masked) with their
    service hours of the month (the points and the hours ledgers)."""
    from linli.core.masking import mask_name
    from linli.points.selectors import hours_by_person, ranking

    month = month.replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    results = list(
        RoundResult.objects.filter(
            round__community=community, month=month, red_flag=True, round__status=RoundStatus.PUBLISHED,
            round__in=EvaluationRound.objects.visible_to(user),
        ).select_related("building", "round__compound").order_by("round__compound__name", "rank")
    )
    volunteers = ranking(place_path=community.path, since=month, until=nxt - dt.timedelta(days=1), limit=5)
    hours = hours_by_person([v["person_id"] for v in volunteers], since=month, until=nxt - dt.timedelta(days=1))
    for v in volunteers:
        v["name"] = mask_name(v.get("name", ""))
        v["hours"] = hours.get(v["person_id"], 0)
    return {"month": month, "community": community, "buildings": results, "volunteers": volunteers}


def round_counts(user: Any) -> dict[str, int]:
    qs = EvaluationRound.objects.visible_to(user)
    return qs.aggregate(open=Count("id", filter=Q(status=RoundStatus.OPEN)),
                        to_publish=Count("id", filter=Q(status=RoundStatus.CLOSED)))


# --- inspection campaigns -------------------------------------------------------------------------------------


def campaign_list(user: Any, *, limit: int = 100) -> list[Any]:
    from linli.evaluation.models import Campaign

    return list(Campaign.objects.visible_to(user).select_related("place", "template").order_by("-starts_on", "-id")[:limit])


def campaign_progress(campaign: Any) -> dict[str, Any]:
    """Per target: inspected or not, problems found, fixed (their case closed); and the totals."""
    from linli.cases.selectors import case_states
    from linli.evaluation.models import Finding, Inspection
    from linli.places.selectors import natural_key

    targets = list(campaign.targets.select_related("place", "inspector"))
    inspected = set(Inspection.objects.filter(campaign=campaign).values_list("target_id", flat=True))
    findings = list(Finding.objects.filter(campaign=campaign).select_related("item"))
    states = case_states([f.case_id for f in findings])
    by_target: dict[int, list[Any]] = {}
    for f in findings:
        state = states.get(f.case_id or 0, {})
        f.case_number = state.get("number", "")  # type: ignore[attr-defined]
        f.fixed = state.get("status") == "closed"  # type: ignore[attr-defined]
        by_target.setdefault(f.target_id, []).append(f)
    rows = []
    for t in sorted(targets, key=lambda t: natural_key(t.place.name)):
        fs = by_target.get(t.pk, [])
        rows.append({"target": t, "inspected": t.pk in inspected, "problems": len(fs),
                     "fixed": sum(1 for f in fs if f.fixed), "findings": fs})  # type: ignore[attr-defined]
    return {
        "rows": rows,
        "targets": len(rows),
        "inspected": sum(1 for r in rows if r["inspected"]),
        "problems": sum(r["problems"] for r in rows),
        "fixed": sum(r["fixed"] for r in rows),
    }


def my_targets(user: Any) -> list[Any]:
    """The running campaigns' targets assigned to the user, not inspected yet first."""
    from linli.evaluation.models import CampaignTarget, Inspection
    from linli.evaluation.workflow import CampaignStatus

    rows = list(
        CampaignTarget.objects.filter(inspector_id=getattr(user, "pk", None), campaign__status=CampaignStatus.RUNNING)
        .select_related("place", "campaign")[:300]
    )
    done = set(Inspection.objects.filter(target__in=rows).values_list("target_id", flat=True))
    for r in rows:
        r.done = r.pk in done  # type: ignore[attr-defined]
    return sorted(rows, key=lambda r: (r.done, r.campaign_id, r.place.name))  # type: ignore[attr-defined]


def campaign_xlsx(campaign: Any) -> bytes:
    from linli.core.excel import Workbook

    progress = campaign_progress(campaign)
    book = Workbook()
    ws = book.sheet("检查进度", ["目标", "检查员", "已检查", "发现问题", "已整改", "问题明细"], widths=[20, 10, 8, 8, 8, 60])
    for r in progress["rows"]:
        t = r["target"]
        ws.row([
            t.place.name, str(t.inspector or ""), "是" if r["inspected"] else "否", r["problems"], r["fixed"],
            "；".join(f"{f.item.text}（{f.case_number}{'，已整改' if f.fixed else ''}）" for f in r["findings"]),
        ])
    ws.row(["合计", "", progress["inspected"], progress["problems"], progress["fixed"], ""])
    return book.getvalue()


# --- rankings of communities and grids ------------------------------------------------------------------------

KPI_COMPONENTS = ("response_rate", "solved_rate", "satisfaction_rate", "ontime_close_rate", "close_rate")


def _month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


def _building_scores(paths: dict[int, str], since: dt.date, until: dt.date) -> dict[int, float | None]:
    """Mean total (0..1) of the published building results under each place: one grouped query."""
    from django.db.models import Sum

    from linli.core.access import path_owner, paths_q

    sums: dict[int, list[float]] = {key: [0.0, 0] for key in paths}
    owner = path_owner(paths)
    rows = (RoundResult.objects.filter(paths_q("place_path", paths.values()), month__gte=since.replace(day=1),
                                       month__lte=until, round__status=RoundStatus.PUBLISHED)
            .values("place_path").order_by().annotate(total=Sum("total"), n=Count("id")))
    for row in rows:
        key = owner(row["place_path"])
        if key is not None and row["total"] is not None:
            sums[key][0] += float(row["total"])
            sums[key][1] += row["n"]
    return {key: round(total / n / 100, 4) if n else None for key, (total, n) in sums.items()}


def _campaign_fix_rates(paths: dict[int, str], since: dt.date, until: dt.date) -> dict[int, float | None]:
    """Problems fixed (their case closed) over problems found by inspections in the period, per place: one
    query for the findings, one for their cases' states."""
    from linli.cases.selectors import case_states
    from linli.core.access import path_owner, paths_q
    from linli.evaluation.models import Finding

    owner = path_owner(paths)
    by_key: dict[int, list[int]] = {key: [] for key in paths}
    rows = Finding.objects.filter(paths_q("target__place__path", paths.values()),
                                  inspection__inspected_at__date__gte=since,
                                  inspection__inspected_at__date__lte=until).values_list("target__place__path", "case_id")
    for path, case_id in rows.iterator(chunk_size=5000):
        key = owner(path)
        if key is not None and case_id is not None:
            by_key[key].append(case_id)
    states = case_states([i for ids in by_key.values() for i in ids])
    return {key: round(sum(1 for i in ids if states.get(i, {}).get("status") == "closed") / len(ids), 4) if ids else None
            for key, ids in by_key.items()}


def _rates(by_key: dict[Any, dict[str, Any]]) -> dict[Any, float | None]:
    return {k: v["rate"] for k, v in by_key.items()}


def area_ranking(user: Any, *, level: str, since: dt.date, until: dt.date) -> dict[str, Any]:
    """Communities (or grids) of the user's scope ranked by a weighted score of their components, every
    component shown: the case KPIs (from the rollups), the building evaluation, the campaigns' fix rate,
    the disputes mediated to an agreement (mediation's selectors) and the care visits made on time (care's).
    A component without data for a place is left out of that place's score and its weight with it (the
    score is the weighted mean of what exists); a place with no data at all ranks last."""
    from linli.care.selectors import ontime_rates
    from linli.cases.selectors import kpi_rows
    from linli.evaluation.models import RankingWeight
    from linli.mediation.selectors import settle_rates
    from linli.places.selectors import places_by_ids

    if level not in ("community", "grid"):
        raise ValueError(level)
    weights = [w for w in RankingWeight.objects.all() if w.weight > 0]
    rows = kpi_rows(user=user, by=level, month_from=_month_key(since), month_to=_month_key(until), every_place=True)
    rows = [r for r in rows if r["key"]]
    paths = dict(places_by_ids([r["key"] for r in rows]).values_list("id", "path"))
    extra = {
        "building_score": _building_scores(paths, since, until),
        "campaign_fix_rate": _campaign_fix_rates(paths, since, until),
        "dispute_settled_rate": _rates(settle_rates(paths, since=since, until=until)),
        "visit_ontime_rate": _rates(ontime_rates(paths, since=since, until=until)),
    }
    out = []
    for r in rows:
        parts = []
        num = 0.0
        den = 0
        for w in weights:
            value = r.get(w.code) if w.code in KPI_COMPONENTS else extra.get(w.code, {}).get(r["key"])
            parts.append({"code": w.code, "name": w.name, "weight": w.weight, "value": value,
                          "points": round(value * w.weight, 2) if value is not None else None})
            if value is not None:
                num += value * w.weight
                den += w.weight
        score = round(num / den * 100, 2) if den else None
        out.append({"key": r["key"], "label": r["label"], "score": score, "parts": parts, "weights_used": den})
    from linli.places.selectors import natural_key

    out.sort(key=lambda x: (x["score"] is None, -(x["score"] or 0), natural_key(x["label"])))
    for i, x in enumerate(out, start=1):
        x["rank"] = i
    return {"rows": out, "weights": weights, "level": level, "since": since, "until": until}


# --- satisfaction surveys -------------------------------------------------------------------------------------


def survey_results(survey: Any) -> dict[str, Any]:
    """Per question the count of each answer; the satisfaction rate ((satisfied + basically satisfied) ÷
    answers to the satisfaction question) against the target; the unsatisfied answers."""
    from linli.evaluation.models import SurveyAnswer

    answers = list(SurveyAnswer.objects.filter(survey=survey).order_by("answered_at")[:5000])
    questions = []
    for q in survey.questionnaire.questions.all():
        counts: dict[str, int] = {}
        texts: list[str] = []
        for a in answers:
            v = a.answers.get(q.code)
            if v is None:
                continue
            if q.kind == "text":
                texts.append(v)
            else:
                counts[v] = counts.get(v, 0) + 1
        questions.append({"question": q, "counts": [(o, counts.get(str(o), 0)) for o in q.options], "texts": texts[:50]})
    rated = [a for a in answers if a.satisfied is not None]
    rate = round(sum(1 for a in rated if a.satisfied) / len(rated), 4) if rated else None
    return {
        "answers": len(answers),
        "invited": survey.invites.count(),
        "rate": rate,
        "target": float(survey.target_rate),
        "met": rate is not None and rate >= float(survey.target_rate),
        "questions": questions,
        "unsatisfied": [a for a in answers if a.satisfied is False],
    }


def survey_list(user: Any, *, limit: int = 100) -> list[Any]:
    from linli.evaluation.models import Survey

    return list(Survey.objects.visible_to(user).select_related("community").order_by("-month", "-id")[:limit])


# --- staff training -------------------------------------------------------------------------------------------


def staff_under(place_path: str, *, limit: int = 500) -> list[Any]:
    """Community staff and grid workers whose post lies under the place, by name."""
    from linli.evaluation.actions import STAFF_ROLES_TRAINED

    return sorted(users_with_roles_under(STAFF_ROLES_TRAINED, place_path)[:limit], key=lambda u: str(u))


def training_hours(user: Any, *, place_path: str, year: int) -> dict[str, Any]:
    """Each staff member under the place with their hours this year against the target."""
    from decimal import Decimal

    from django.db.models import Sum

    from linli.evaluation.actions import TRAINING_TARGET_HOURS
    from linli.evaluation.models import TrainingAttendance

    staff = staff_under(place_path)
    hours = dict(
        TrainingAttendance.objects.filter(user__in=staff, year=year).values("user_id").annotate(h=Sum("hours"))
        .values_list("user_id", "h")
    )
    rows = [{"user": u, "hours": hours.get(u.pk) or Decimal(0)} for u in staff]
    for r in rows:
        r["met"] = r["hours"] >= TRAINING_TARGET_HOURS
    return {"rows": rows, "target": TRAINING_TARGET_HOURS, "met": sum(1 for r in rows if r["met"]), "year": year}


def training_sessions(user: Any, *, year: int, limit: int = 200) -> list[Any]:
    from linli.evaluation.models import TrainingSession

    return list(TrainingSession.objects.visible_to(user).filter(held_on__year=year).select_related("place")
                .order_by("-held_on", "-id")[:limit])


def mentor_pairs(user: Any, *, place_path: str, year: int, limit: int = 100) -> list[Any]:
    """The area's active mentor pairs (师徒结对) with their mentoring sessions and hours this year."""
    from django.db.models import Count, Q, Sum

    from linli.evaluation.models import MentorPair

    return list(MentorPair.objects.filter(place_path__startswith=place_path, active=True)
                .select_related("mentor", "apprentice")
                .annotate(n=Count("sessions", filter=Q(sessions__held_on__year=year)),
                          h=Sum("sessions__hours", filter=Q(sessions__held_on__year=year)))
                .order_by("-started_on", "-id")[:limit])


# --- the monthly report -----------------------------------------------------------------------------------------

EVALUATION_STATS = ("rounds", "rounds_published", "sheets", "red_flags", "inspections", "problems", "fixed",
                    "members", "excellent", "good", "fair", "poor", "survey_answers", "survey_satisfied")


def evaluation_stats(*, place_path: str, since: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """For the monthly report (评议 of the month under ``place_path``; [since, until) aware datetimes, a
    calendar month): the buildings' cross-evaluation rounds of the month (held: not cancelled; of them
    published), the score sheets handed in during the month and the red-flag buildings of the published
    rounds; the campaigns' inspections made in the month under the place, the problems they found and how
    many of those were fixed (their case closed) by the month's end; the party members' half-year
    evaluations confirmed in the month, by grade; the satisfaction surveys' answers of the month and the
    satisfied ones. Not scoped by a user: the callers let in only readers whose scope covers the place."""
    from django.utils import timezone

    from linli.cases.selectors import case_states
    from linli.evaluation.models import Finding, Inspection, MemberEvaluation, SurveyAnswer
    from linli.evaluation.workflow import MemberEvaluationStatus, MemberGrade

    first, last = timezone.localdate(since), timezone.localdate(until)
    rounds = EvaluationRound.objects.filter(place_path__startswith=place_path, month__gte=first, month__lt=last)
    out = rounds.exclude(status=RoundStatus.CANCELLED).aggregate(
        rounds=Count("id"), rounds_published=Count("id", filter=Q(status=RoundStatus.PUBLISHED)))
    out["sheets"] = ScoreSheet.objects.filter(round__place_path__startswith=place_path, submitted_at__gte=since,
                                              submitted_at__lt=until).count()
    out["red_flags"] = RoundResult.objects.filter(round__in=rounds.filter(status=RoundStatus.PUBLISHED),
                                                  red_flag=True).count()
    inspections = Inspection.objects.filter(target__place__path__startswith=place_path, inspected_at__gte=since,
                                            inspected_at__lt=until)
    out["inspections"] = inspections.count()
    cases = list(Finding.objects.filter(inspection__in=inspections).values_list("case_id", flat=True))
    states = case_states(cases)
    out["problems"] = len(cases)
    out["fixed"] = sum(1 for i in cases if (s := states.get(i or 0)) and s["status"] == "closed"
                       and s["closed_at"] is not None and s["closed_at"] < until)
    grades = dict(MemberEvaluation.objects.filter(place_path__startswith=place_path,
                                                  status=MemberEvaluationStatus.CONFIRMED, confirmed_at__gte=since,
                                                  confirmed_at__lt=until)
                  .values_list("grade").order_by().annotate(n=Count("id")))
    out["members"] = sum(grades.values())
    out.update({grade: grades.get(grade, 0) for grade in MemberGrade.values})
    out.update(SurveyAnswer.objects.filter(survey__place_path__startswith=place_path, answered_at__gte=since,
                                           answered_at__lt=until)
               .aggregate(survey_answers=Count("id"), survey_satisfied=Count("id", filter=Q(satisfied=True))))
    return {key: int(out[key]) for key in EVALUATION_STATS}
