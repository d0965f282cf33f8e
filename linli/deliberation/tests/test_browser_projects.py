"""In the browser (phone and desktop): the project page with its money and milestone photos, the public page
for anybody, the fund, and the one timeline; no WCAG 2.1 AA violation, no broken image."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from linli.core.testing.browser import PHONE, axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/wt13"


def test_projects_funds_and_timeline_in_the_browser(new_page, live_server, world, community_staff, make_person,
                                                    settings, tmp_path):
    import os

    from django.utils import timezone

    from linli.deliberation.demo import demo_extend
    from linli.deliberation.models import Fund, Project

    settings.MEDIA_ROOT = tmp_path / "media"
    for i in range(3):
        make_person(f"老人{i}", born=datetime.date(timezone.localdate().year - 75, 1, 1))
    demo_extend(SimpleNamespace(community=world.community, users={"community": community_staff}))
    park, fund = Project.objects.get(kind="pocket_park"), Fund.objects.get()
    base = live_server.url
    shots = os.path.isdir(SHOTS)

    anon = new_page(viewport=PHONE, bypass_csp=True)
    anon.goto(f"{base}/deliberation/public/projects/{park.pk}/")
    assert anon.locator("[data-testid=milestones] img").count() == 3
    assert all(anon.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)"))
    assert axe_violations(anon) == []
    if shots:
        anon.screenshot(path=f"{SHOTS}/public_phone.png", full_page=True)

    for viewport, tag in ((PHONE, "phone"), ({"width": 1366, "height": 768}, "desktop")):
        page = new_page(viewport=viewport, bypass_csp=True)
        log_in(page, base, community_staff.username)
        for url, name in ((f"/deliberation/projects/{park.pk}/", "project"), (f"/deliberation/funds/{fund.pk}/", "fund"),
                          (f"/deliberation/timeline/project/{park.pk}/", "timeline")):
            page.goto(base + url)
            assert page.locator("main, body").first.is_visible()
            assert axe_violations(page) == [], (name, tag)
            if shots:
                page.screenshot(path=f"{SHOTS}/{name}_{tag}.png", full_page=True)
