"""In the browser: a destructive transition (``Transition.confirms``: a topic's "Withdraw") asks before it posts
(``data-confirm`` on the form of partials/transitions.html, linli.js). Dismissing the question posts nothing: the
state and the events stay; accepting it runs the transition once."""

from __future__ import annotations

import pytest

from linli.core.testing.browser import log_in
from linli.deliberation.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_dismissing_the_question_changes_nothing_and_accepting_runs_it_once(new_page, live_server, topic,
                                                                             community_staff):
    base = live_server.url
    page = new_page()
    log_in(page, base, community_staff.username)
    page.goto(f"{base}/deliberation/topics/{topic.pk}/")
    url, status, events = page.url, topic.status, topic.events.count()
    assert page.get_attribute("[data-testid=form-withdraw]", "data-confirm")

    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("[data-testid=do-withdraw]")
    page.evaluate("() => new Promise(r => setTimeout(r, 300))")  # a post, had one left, would be under way
    assert len(asked) == 1 and "撤回" in asked[0], asked  # "Are you sure: Withdraw?" in Chinese
    assert page.url == url
    assert (Topic.objects.get(pk=topic.pk).status, topic.events.count()) == (status, events)

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.click("[data-testid=do-withdraw]")
    assert len(asked) == 2 and asked[0] == asked[1]
    assert Topic.objects.get(pk=topic.pk).status == "withdrawn"
    assert topic.events.count() == events + 1 and topic.events.latest("id").kind == "withdraw"
    assert page.locator("[data-testid=form-withdraw]").count() == 0
    assert page.errors == []
