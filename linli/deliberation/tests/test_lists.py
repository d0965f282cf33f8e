"""Deliberation's lists page through the one pager: the next page holds the rest, the filters survive the
"More" link, scope still applies; a fund's ledger pages on its page and in the API (no entry cut silently)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.core.testing.pages import more_href, walk_pages
from linli.core.testing.personas import PASSWORD
from linli.deliberation import selectors


@pytest.fixture
def small_pages(monkeypatch):
    from django.urls import get_resolver

    from linli.core import ui

    get_resolver().url_patterns  # the API modules read their defaults at import: import them unpatched
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_topics_page_through_the_rest_and_keep_the_status(client, small_pages, world, community_staff, outsider):
    from linli.deliberation.actions import topic_raise

    titles = [f"议题{n}" for n in range(3)]
    for title in titles:
        topic_raise(actor=community_staff, title=title, description="说明", place=world.community)
    bodies = walk_pages(_login(client, community_staff), reverse("deliberation:topics"), {"status": "open"})
    assert [b.count('data-testid="topic"') for b in bodies] == [2, 1]
    assert "status=open" in more_href(bodies[0]) and all(any(t in b for b in bodies) for t in titles)
    client.logout()
    bodies = walk_pages(_login(client, outsider), reverse("deliberation:topics"), {"status": "open"})
    assert not any(t in b for t in titles for b in bodies)


def test_a_funds_ledger_pages_on_its_page_and_in_the_api(client, small_pages, fund, community_staff, outsider):
    from linli.accounts.tests.conftest import bearer, issue_token
    from linli.deliberation.actions import fund_money_in

    for n in range(5):
        fund_money_in(actor=community_staff, fund=fund, amount=str(100 + n), counterparty=f"捐赠人{n}")
    url = reverse("deliberation:fund_detail", args=[fund.pk])
    bodies = walk_pages(_login(client, community_staff), url)
    assert [b.count('data-testid="ledger-row"') for b in bodies] == [2, 2, 1]
    assert all(any(f"捐赠人{n}" in b for b in bodies) for n in range(5))
    h = bearer(issue_token(community_staff))
    first = client.get(f"/api/v1/funds/{fund.pk}/ledger", {"size": 3}, **h).json()
    rest = client.get(f"/api/v1/funds/{fund.pk}/ledger", {"size": 3, "after": first["entries"]["next_after"]}, **h).json()
    assert len(first["entries"]["items"]) == 3 and len(rest["entries"]["items"]) == 2
    assert rest["entries"]["next_after"] is None
    client.logout()
    assert _login(client, outsider).get(url).status_code == 404
