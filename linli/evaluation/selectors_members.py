"""Reads of the party members' service (双报到, 五亮五共): the commitments shown on a building (亮身份, 亮承诺),
the community's half-year evaluations, and the notes carried in the party's employer report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.masking import mask_name
from linli.core.ui import first_rows
from linli.evaluation.models import Commitment, CommitmentLog, CommitmentRating, MemberEvaluation
from linli.evaluation.workflow import CommitmentStatus, MemberEvaluationStatus

PANEL_SHOWN = 50  # a building's panel groups by member, so it is not paged: past this many it says so


def building_commitments(building: Any, *, year: int) -> QuerySet[Commitment]:
    """The commitments shown on the building (approved by the community), with how often each was acted on."""
    return (Commitment.objects.filter(building=building, year=year, active=True, member__active=True,
                                      status=CommitmentStatus.APPROVED)
            .select_related("member__person", "member__employer", "member__org")
            .annotate(done=Count("logs")).order_by("member_id", "id"))


def commitment_panels(building: Any) -> list[dict[str, Any]]:
    """亮身份, 亮承诺 on the building's public page and its QR page: each serving member (name masked, the
    unit they come from) with their commitments of this year and how many times they acted on each; at the
    year's end a link for the residents to rate them (效果共评)."""
    from linli.evaluation.actions_members import rating_open

    year = timezone.localdate().year
    rows: dict[int, dict[str, Any]] = {}
    shown = first_rows(building_commitments(building, year=year), PANEL_SHOWN)
    for c in shown["rows"]:
        m = c.member
        row = rows.setdefault(m.pk, {
            "label": _("Party member %(name)s") % {"name": mask_name(m.person.name)},
            "detail": m.employer.name if m.employer is not None else (m.org.name if m.org is not None else ""),
            "items": [],
        })
        row["items"].append(_("%(text)s (acted on %(n)s times)") % {"text": c.text, "n": c.done})  # type: ignore[attr-defined]
    if not rows:
        return []
    link = None
    for y in (year, year - 1):
        if rating_open(y) and Commitment.objects.filter(building=building, year=y, active=True,
                                                        status=CommitmentStatus.APPROVED).exists():
            link = {"url": reverse("evaluation:commitments_rate", args=[building.pk, y]),
                    "label": _("Rate the members' commitments of %(year)s") % {"year": y}}
            break
    return [{"title": _("Party members serving this building"), "icon": "star-fill", "testid": "member-panel",
             "rows": list(rows.values()), "link": link, "cut": shown["cut"]}]


def commitment_list(user: Any, *, year: int) -> QuerySet[Commitment]:
    """The year's commitments the user may see (page them)."""
    return (Commitment.objects.visible_to(user).filter(year=year, active=True)
            .select_related("member__person", "building").annotate(done=Count("logs")))


def commitment_logs(commitment_ids: list[int], *, limit: int = 500) -> dict[int, list[CommitmentLog]]:
    out: dict[int, list[CommitmentLog]] = {}
    for log in CommitmentLog.objects.filter(commitment_id__in=commitment_ids).order_by("-done_on", "-id")[:limit]:
        out.setdefault(log.commitment_id, []).append(log)
    return out


def commitment_ratings(commitment_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for cid, value, n in (CommitmentRating.objects.filter(commitment_id__in=commitment_ids)
                          .values_list("commitment_id", "value").annotate(n=Count("id")).order_by()):
        out.setdefault(cid, {})[value] = n
    return out


def member_evaluation_list(user: Any, *, year: int, half: int) -> QuerySet[MemberEvaluation]:
    """The half-year's evaluations the user may see (page them)."""
    return (MemberEvaluation.objects.visible_to(user).filter(year=year, half=half)
            .select_related("member__person", "member__employer", "community"))


def evaluation_text(ev: MemberEvaluation) -> str:
    figures = _("%(orders)s orders, %(wishes)s wishes, %(hours)s hours, %(kept)s of %(commitments)s commitments kept") % {
        "orders": ev.orders_done, "wishes": ev.wishes_done, "hours": f"{ev.hours:.1f}", "kept": ev.commitments_kept,
        "commitments": ev.commitments,
    }
    return f"{ev.get_grade_display()}: {ev.comment} ({figures})"


def member_report_notes(member_ids: list[int], year: int, half: int) -> dict[int, str]:
    """The party's employer report carries each member's confirmed half-year evaluation."""
    return {ev.member_id: evaluation_text(ev) for ev in MemberEvaluation.objects.filter(
        member_id__in=member_ids, year=year, half=half, status=MemberEvaluationStatus.CONFIRMED)}


def current_half(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, 1 if today.month <= 6 else 2
