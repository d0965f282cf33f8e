"""The list of progress boards pages through the one pager; one community goes straight to its board."""

from __future__ import annotations

from django.urls import reverse

from linli.core.testing.pages import walk_pages


def test_the_boards_page_through_the_rest(client, monkeypatch, world, street_supervisor, outsider):
    from linli.cases import board

    monkeypatch.setattr(board, "BOARD_PAGE", 1)
    client.force_login(street_supervisor)
    bodies = walk_pages(client, reverse("cases:boards"))
    assert len(bodies) == 2
    assert reverse("cases:board", args=[world.community.pk]) in bodies[0] + bodies[1]
    assert reverse("cases:board", args=[world.community_2.pk]) in bodies[0] + bodies[1]
    client.force_login(outsider)
    response = client.get(reverse("cases:boards"))
    assert response.status_code == 302 and response["Location"] == reverse("cases:board", args=[world.community_2.pk])
