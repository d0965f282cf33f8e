"""The demo's mediation: a team in each of the three communities, a year of disputes in every state in each
of them, a red (overdue) one, the ``mediator`` login leading open ones, screening rounds; a second run
changes nothing."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_demo_builds_a_year_of_disputes_once(db):
    from linli.accounts.demo import demo_build
    from linli.accounts.models import User
    from linli.mediation.demo import demo_extend
    from linli.mediation.figures import mediation_figures
    from linli.mediation.models import Dispute, MediationTeam, ScreeningRound
    from linli.mediation.selectors import is_overdue
    from linli.mediation.workflow import OPEN, DisputeStatus

    demo = demo_build()  # calls every app's demo_extend, this one included
    assert MediationTeam.objects.count() == 3
    from django.utils import timezone

    from linli.mediation.workflow import available_actions

    for community in demo.communities[:3]:
        states = set(Dispute.objects.filter(community=community).values_list("status", flat=True))
        assert states == set(DisputeStatus.values), (community.name, set(DisputeStatus.values) - states)
        # a year of them: registered in at least ten of the last twelve months
        months = {timezone.localtime(at).strftime("%Y-%m")
                  for at in Dispute.objects.filter(community=community).values_list("reported_at", flat=True)}
        assert len(months) >= 10, (community.name, sorted(months))
    assert any(is_overdue(d) for d in Dispute.objects.filter(status__in=OPEN))
    mediator = User.objects.get(username="mediator")
    assert Dispute.objects.filter(lead__user=mediator, status__in=OPEN).count() >= 3
    # things to do today for the mediator login: something to accept, to mediate, to follow up, each with
    # its buttons
    for state, action in ((DisputeStatus.REGISTERED, "accept"), (DisputeStatus.MEDIATING, "settle"),
                          (DisputeStatus.SETTLED, "follow_up")):
        d = Dispute.objects.visible_to(mediator).filter(status=state).first()
        assert d is not None and action in [t.name for t in available_actions(d, mediator)], state
    today = __import__("django.utils.timezone", fromlist=["x"]).localdate()
    fig = mediation_figures(User.objects.get(username="street"), since=today.replace(year=today.year - 1),
                            until=today)
    assert fig.total.mediated > 100 and 95 <= fig.total.success_rate < 100
    from linli.mediation.screening import screening_overview

    assert ScreeningRound.objects.filter(done_at__isnull=False).count() > 12 * 3
    this_month = screening_overview(User.objects.get(username="community"))
    assert any(r.done for r in this_month) and any(not r.done for r in this_month)  # some grids not yet
    assert not next(r for r in this_month if r.grid == demo.grids[0]).done  # grid1's, for the demo worker
    before = (Dispute.objects.count(), MediationTeam.objects.count(), ScreeningRound.objects.count())
    demo_extend(demo)
    assert (Dispute.objects.count(), MediationTeam.objects.count(), ScreeningRound.objects.count()) == before
