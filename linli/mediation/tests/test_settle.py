"""Settling: the agreement (written with a serial per community and year, or oral), points in the 调解纠纷
area for the lead and the helpers once per dispute, the printable PDF."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.mediation.actions import dispute_transition
from linli.mediation.models import Agreement


def _balance(person_id):
    from linli.points.models import PointsEntry

    return sum(PointsEntry.objects.filter(person_id=person_id).values_list("amount", flat=True))


def test_written_agreements_get_serials_per_community_and_year(dispute_in_state, file_dispute, world, mediator):
    a = dispute_in_state("settled")
    b = dispute_in_state("settled")
    year = timezone.localdate().year
    assert a.agreement.serial == f"测试一社区人调〔{year}〕第001号"
    assert b.agreement.serial == f"测试一社区人调〔{year}〕第002号"
    oral = dispute_in_state("followed_up")
    assert oral.agreement.form == "oral" and oral.agreement.serial == ""
    assert Agreement.objects.count() == 3


def test_the_lead_and_helpers_earn_points_once(dispute_in_state, mediator, helper_mediator, mediator_user):
    d = dispute_in_state("mediating")
    dispute_transition(dispute=d, name="assign", actor=mediator_user,
                       data={"lead": mediator.pk, "helpers": [helper_mediator.pk]})
    d = dispute_transition(dispute=d, name="settle", actor=mediator_user, data={"form": "written", "terms": "和解"})
    from linli.points.models import PointsEntry

    entries = PointsEntry.objects.filter(source__startswith=f"mediation.dispute:{d.pk}:")
    assert sorted(e.person_id for e in entries) == sorted([mediator.person_id, helper_mediator.person_id])
    assert all(e.area == "mediation" and e.amount == 2 for e in entries)
    # following up and archiving earns nothing more
    dispute_transition(dispute=d, name="follow_up", actor=mediator_user, data={"fulfilled": True, "note": "已履行"})
    dispute_transition(dispute=d, name="archive", actor=mediator_user)
    assert _balance(mediator.person_id) == 2 and _balance(helper_mediator.person_id) == 2


def test_one_person_on_two_mediator_rows_earns_once_per_dispute(world, dispute_in_state, mediator, mediator_user):
    from linli.mediation.actions_team import mediator_create

    # 郑海 also serves grid A as a grid worker: a second row of the team, the same registry person.
    again = mediator_create(actor=None, name="郑海", kinds=["grid_worker"], place=world.grid_a,
                            person=mediator.person, team=mediator.team)
    d = dispute_in_state("mediating")
    dispute_transition(dispute=d, name="assign", actor=mediator_user, data={"lead": mediator.pk, "helpers": [again.pk]})
    dispute_transition(dispute=d, name="settle", actor=mediator_user, data={"form": "oral", "terms": "和解"})
    assert _balance(mediator.person_id) == 2


def test_a_failed_mediation_earns_nothing(dispute_in_state, mediator):
    dispute_in_state("failed")
    assert _balance(mediator.person_id) == 0


def test_the_agreement_prints_as_an_a4_pdf(client, dispute_in_state, mediator_user, grid_worker_a):
    d = dispute_in_state("settled")
    client.force_login(mediator_user)
    r = client.get(reverse("mediation:agreement_pdf", args=[d.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = r.content
    assert body.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in body
    assert b"STSong-Light" in body
    # the grid worker sees the dispute but does not print the parties' agreement
    client.force_login(grid_worker_a)
    assert client.get(reverse("mediation:agreement_pdf", args=[d.pk])).status_code == 404


def test_an_oral_agreement_has_no_pdf(client, dispute_in_state, mediator_user):
    d = dispute_in_state("followed_up")
    client.force_login(mediator_user)
    page = client.get(reverse("mediation:dispute_detail", args=[d.pk])).content.decode()
    assert "agreement-pdf" not in page


@pytest.mark.parametrize("field", ["form", "terms"])
def test_settling_needs_the_form_and_the_terms(dispute_in_state, mediator_user, field):
    from linli.core.errors import Invalid

    d = dispute_in_state("mediating")
    data = {"form": "written", "terms": "和解"}
    data[field] = ""
    with pytest.raises(Invalid):
        dispute_transition(dispute=d, name="settle", actor=mediator_user, data=data)
    assert not Agreement.objects.filter(dispute=d).exists()
