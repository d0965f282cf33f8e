"""Deliberation's demo part: a project funded and in progress (milestones with photos), a finished one, the
fund with its payment run; every ledger reconciles; a second build changes nothing."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_part(world, make_person, make_voter, community_staff):
    from django.utils import timezone

    from linli.deliberation.actions import ledger_reconcile
    from linli.deliberation.demo import demo_extend
    from linli.deliberation.models import FundPayment, Ledger, MilestonePhoto, Project

    year = timezone.localdate().year
    for i in range(4):
        make_person(f"老人{i}", born=datetime.date(year - 72 - i, 1, 1))
    make_person("年轻人", born=datetime.date(year - 30, 1, 1))
    for _ in range(12):
        make_voter()  # households to nominate and to vote
    demo = SimpleNamespace(community=world.community, users={"community": community_staff})
    demo_extend(demo)
    park = Project.objects.get(kind="pocket_park")
    assert park.status == "in_progress" and park.public and park.decision is not None
    assert park.raised_fen() >= park.budget_fen and park.milestones.filter(done_on__isnull=False).count() == 2
    assert MilestonePhoto.objects.filter(milestone__project=park).count() == 3
    assert Project.objects.get(kind="micro_renewal").status == "completed"
    assert FundPayment.objects.count() == 4
    assert all(ledger_reconcile(pk).ok for pk in Ledger.objects.values_list("pk", flat=True))
    from linli.deliberation.models import Expert, ExpertOpinion, HonourNomination, HonourRound

    last, this = HonourRound.objects.filter(community=world.community).order_by("year")
    assert (last.status, last.public, this.status) == ("published", True, "nominating")
    assert HonourNomination.objects.filter(round=last).count() == 12
    assert HonourNomination.objects.filter(round=last, won=True).count() >= 3  # one per honour, ties included
    assert Expert.objects.filter(community=world.community).count() == 4 and ExpertOpinion.objects.count() == 2
    demo_extend(demo)
    assert Project.objects.count() == 2 and FundPayment.objects.count() == 4 and HonourRound.objects.count() == 2
