"""The mediation team page (community staff add mediators and teams; others read), and 红色物业: the owner–
property disputes per compound with the property company named as a party."""

from __future__ import annotations

import pytest
from django.urls import reverse


def test_community_staff_add_a_mediator(client, world, community_staff, mediator):
    from linli.mediation.models import Mediator

    client.force_login(community_staff)
    r = client.post(reverse("mediation:team"), {
        "add": "mediator", "name": "周律师", "kinds": ["lawyer", "legal_literate"], "place": world.community.pk,
        "team": mediator.team_id, "organisation": "明理律师事务所", "account": ""})
    assert r.status_code == 302
    m = Mediator.objects.get(name="周律师")
    assert m.kinds == ["lawyer", "legal_literate"] and m.team == mediator.team
    page = client.get(reverse("mediation:team")).content.decode()
    assert "社区律师/法律顾问、法律明白人" in page


def test_a_mediator_needs_a_kind_and_a_real_login(client, world, community_staff):
    from linli.mediation.models import Mediator

    client.force_login(community_staff)
    r = client.post(reverse("mediation:team"), {"add": "mediator", "name": "某", "place": world.community.pk,
                                                "account": "nobody"})
    assert r.status_code == 422 and not Mediator.objects.exists()


@pytest.mark.parametrize("persona", ["grid_worker_a", "mediator_user"])
def test_others_read_the_team_but_cannot_add(request, client, world, persona, mediator):
    from linli.mediation.models import Mediator

    client.force_login(request.getfixturevalue(persona))
    assert "郑海" in client.get(reverse("mediation:team")).content.decode()
    r = client.post(reverse("mediation:team"), {"add": "mediator", "name": "某", "kinds": ["lawyer"],
                                                "place": world.community.pk})
    assert r.status_code == 404 and Mediator.objects.count() == 1


def test_red_property_per_compound(client, world, file_dispute, community_staff, mediator, mediator_user):
    from linli.mediation.actions import dispute_transition
    from linli.mediation.selectors import compound_dispute_counts, red_property
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.residents.actions import organisation_create

    compound = place_create(kind=PlaceKind.COMPOUND, name="幸福苑", parent=world.grid_a)
    organisation_create(name="安居物业服务有限公司", kind="property_company", place=compound, actor=None,
                        serves=[compound])
    organisation_create(name="幸福苑业主委员会", kind="owners_committee", place=compound, actor=None)
    parties = [{"role": "applicant", "name": "王建国"}, {"role": "respondent", "organisation": "城关物业服务有限公司"}]
    d1 = file_dispute(kind="property", place=compound, parties=parties)
    file_dispute(kind="property", place=compound, parties=[*parties[:1], {"role": "respondent",
                                                                          "organisation": "幸福苑业主委员会"}])
    file_dispute(kind="neighbour", place=compound)
    for name, data in [("accept", {"lead": mediator.pk}), ("triage", {"method": "on_spot"}),
                       ("settle", {"form": "oral", "terms": "物业三日内修复电梯"})]:
        dispute_transition(dispute=d1, name=name, actor=mediator_user, data=data)
    rows = red_property(community_staff)
    assert len(rows) == 1
    r = rows[0]
    assert (r.compound, r.total, r.open, r.mediated, r.settled) == (compound, 2, 1, 1, 1)
    # who serves the compound now, from the registry; who was named in the disputes, from the ledger
    assert r.property_companies == ["安居物业服务有限公司"] and r.committees == ["幸福苑业主委员会"]
    assert r.respondents == ["城关物业服务有限公司", "幸福苑业主委员会"]
    assert compound_dispute_counts(community_staff, [compound.pk]) == {
        compound.pk: {"total": 3, "open": 2, "property": 2, "property_open": 1}}
    client.force_login(community_staff)
    page = client.get(reverse("mediation:red_property")).content.decode()
    assert "安居物业服务有限公司" in page and "幸福苑业主委员会" in page and "城关物业服务有限公司" in page
    profile = client.get(reverse("dashboards:community_profile", args=[world.community.pk])).content.decode()
    assert 'data-testid="property-disputes"' in profile and f"kind=property&amp;compound={compound.pk}" in profile
    ledger = client.get(reverse("mediation:disputes") + f"?status=&kind=property&compound={compound.pk}")
    assert ledger.content.decode().count('data-testid="dispute-row"') == 2


def test_the_ledger_exports_in_the_paper_columns(client, dispute_in_state, community_staff):
    import io

    from openpyxl import load_workbook

    from linli.core.audit import AuditEntry

    dispute_in_state("followed_up")
    dispute_in_state("registered")
    client.force_login(community_staff)
    r = client.get(reverse("mediation:ledger_export") + "?status=")
    rows = list(load_workbook(io.BytesIO(r.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("序号", "编号", "登记日期", "类型", "当事人", "纠纷情况")
    assert len(rows) == 3
    body = " ".join(str(c) for row in rows for c in row if c is not None)
    assert "王**" in body and "王建国" not in body and "13812345678" not in body
    assert AuditEntry.objects.filter(action="mediation.ledger_export").count() == 1
