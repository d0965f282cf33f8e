"""The organisation part's demo data: built through the actions, idempotent, the ``member`` account linked."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_demo_org_builds_once_and_links_the_member_account(db, settings):
    from linli.accounts import demo as accounts_demo
    from linli.cases.defaults import categories_restore_default
    from linli.party import demo_org
    from linli.party.models import (
        JointMeeting,
        MeetingProblem,
        Partner,
        PartyMember,
        PartyOrg,
        Registration,
    )
    from linli.party.selectors import member_for_user
    from linli.residents import demo as residents_demo

    settings.LINLI_DEMO_SIZE = "small"
    categories_restore_default()
    demo = accounts_demo.demo_places()
    accounts_demo.demo_departments(demo)
    accounts_demo.demo_users(demo)
    residents_demo.demo_extend(demo)
    demo_org.extend(demo)

    def counts():
        return [
            m.objects.count()
            for m in (PartyOrg, PartyMember, Partner, JointMeeting, MeetingProblem, Registration)
        ]

    first = counts()
    assert PartyOrg.objects.filter(kind="committee").count() == len(demo.communities)
    assert PartyOrg.objects.filter(kind="branch").exists() and PartyOrg.objects.filter(kind="group").exists()
    assert 4 <= Partner.objects.filter(big_committee=True, community=demo.community).count() <= 6
    assert JointMeeting.objects.filter(community=demo.community).count() >= 3
    assert MeetingProblem.objects.exists()
    assert Registration.objects.filter(status="submitted").exists()
    assert Registration.objects.filter(status="approved").exists()
    member = member_for_user(demo.users["member"])
    assert member is not None and member.user == demo.users["member"]
    assert PartyOrg.objects.filter(secretary=demo.users["member"], kind="branch").exists()
    demo_org.extend(demo)
    assert counts() == first
