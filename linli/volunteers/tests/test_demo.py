"""The demo's volunteers: the four teams, the talent pools, 20–40 volunteers, activities past (verified
hours and points), under way and upcoming; a second run changes nothing."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_demo_extend_builds_the_volunteers_once(db):
    from linli.accounts.demo import demo_build
    from linli.points import selectors as points_selectors
    from linli.volunteers.demo import demo_extend
    from linli.volunteers.models import Activity, Signup, TalentPool, Team, Volunteer

    demo = demo_build()  # calls every app's demo_extend, this one included
    counts = (
        Volunteer.objects.count(),
        Team.objects.count(),
        Activity.objects.count(),
        Signup.objects.count(),
    )
    assert 20 <= counts[0] <= 41
    assert set(Team.objects.values_list("name", flat=True)) == {
        "银辉先锋",
        "金姐姐",
        "红星驿站",
        "新火先锋队",
    }
    assert all(t.leader_id for t in Team.objects.all())
    assert TalentPool.objects.filter(name="银发人才库", memberships__isnull=False).exists()
    statuses = sorted(Activity.objects.values_list("status", flat=True))
    assert statuses == ["ongoing", "recruiting", "recruiting", "verified", "verified"]
    verified = Signup.objects.filter(verified_at__isnull=False).select_related("volunteer")
    assert verified.exists()
    assert points_selectors.balance_of(verified[0].volunteer.person_id) > 0
    demo_extend(demo)
    assert (
        Volunteer.objects.count(),
        Team.objects.count(),
        Activity.objects.count(),
        Signup.objects.count(),
    ) == counts
