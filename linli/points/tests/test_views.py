"""Points pages: residents' mobile pages, staff pages, access (403/404), exports, query budgets."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.core.testing.personas import PASSWORD
from linli.points import actions, selectors
from linli.points.models import PointsRule, Redemption


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_my_points_shows_balance_and_entries(client, member, person, award):
    award(person, 7)
    r = login(client, member).get(reverse("points:my_points"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="balance">7<' in html and "+7" in html


def test_my_points_without_registry_person(client, resident):
    r = login(client, resident).get(reverse("points:my_points"))
    assert r.status_code == 200 and 'data-testid="balance"' not in r.content.decode()


def test_my_points_needs_login(client):
    assert login_redirect(client.get(reverse("points:my_points")))


def login_redirect(response):
    return response.status_code == 302 and "login" in response["Location"]


def test_shop_confirm_then_redeem_shows_code_and_qr(client, member, person, award, item):
    award(person, 6)
    c = login(client, member)
    page = c.get(reverse("points:shop") + f"?item={item.pk}").content.decode()
    assert 'data-testid="confirm"' in page
    r = c.post(reverse("points:shop"), {"item": item.pk})
    red = Redemption.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("points:redemption", args=[red.pk])
    detail = c.get(r["Location"]).content.decode()
    assert red.code in detail and "<svg" in detail
    assert selectors.balance_of(person.pk) == 1


def test_shop_redeem_without_points_shows_error(client, member, person, item):
    r = login(client, member).post(reverse("points:shop"), {"item": item.pk}, follow=True)
    assert r.status_code == 200 and not Redemption.objects.exists()


def test_fulfil_page_hands_over(client, member, person, award, item, community_staff):
    award(person, 6)
    red = actions.redemption_create(item_id=item.pk, actor=member)
    c = login(client, community_staff)
    page = c.get(reverse("points:fulfil") + f"?code={red.code}").content.decode()
    assert 'data-testid="found"' in page and "积分测试" not in page
    c.post(reverse("points:fulfil"), {"code": red.code})
    assert Redemption.objects.get(pk=red.pk).status == "fulfilled"


def test_fulfil_page_404_for_residents(client, member):
    assert login(client, member).get(reverse("points:fulfil")).status_code == 404


def test_redemption_detail_404_for_others(client, member, person, award, item, outsider, grid_worker_a):
    award(person, 6)
    red = actions.redemption_create(item_id=item.pk, actor=member)
    assert login(client, outsider).get(reverse("points:redemption", args=[red.pk])).status_code == 404
    client.logout()
    assert login(client, grid_worker_a).get(reverse("points:redemption", args=[red.pk])).status_code == 404


@pytest.mark.parametrize(
    "name", ["ledger", "rules", "items", "item_new", "rankings", "selections", "correct"]
)
def test_staff_pages_render_and_refuse_residents(client, community_staff, member, name, person, award):
    award(person, 2)
    assert login(client, community_staff).get(reverse(f"points:{name}")).status_code == 200
    client.logout()
    assert login(client, member).get(reverse(f"points:{name}")).status_code == 403


def test_honours_page_is_public(client, world, person, award, community_staff):
    award(person, 3)
    from django.utils import timezone

    today = timezone.localdate()
    sel = actions.selection_create(
        community=world.community,
        year=today.year,
        half="H1" if today.month <= 6 else "H2",
        actor=community_staff,
    )
    actions.selection_transition(selection=sel, name="confirm", actor=community_staff)
    assert 'data-testid="honour"' not in client.get(reverse("points:honours")).content.decode()
    actions.selection_transition(selection=sel, name="publish", actor=community_staff)
    page = client.get(reverse("points:honours")).content.decode()
    assert 'data-testid="honour"' in page and "积分测试" not in page


def test_ledger_is_scoped_and_paged(client, community_staff, outsider, person, other_person, award):
    award(person, 1)
    award(other_person, 1)
    page = login(client, community_staff).get(reverse("points:ledger")).content.decode()
    assert page.count('data-testid="entry"') == 1
    client.logout()
    assert (
        login(client, outsider).get(reverse("points:ledger")).content.decode().count('data-testid="entry"')
        == 1
    )


def test_ledger_query_budget(client, community_staff, person, award):
    for _ in range(60):
        award(person, 1)
    c = login(client, community_staff)
    c.get(reverse("points:ledger"))
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(reverse("points:ledger"))
    assert r.status_code == 200 and "after=" in r.content.decode()
    assert len(ctx.captured_queries) <= 10, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("what", ["points", "hours"])
def test_ledger_exports_excel(client, community_staff, person, award, what):
    from decimal import Decimal

    from django.utils import timezone
    from openpyxl import load_workbook

    award(person, 4)
    actions.hours_record(
        person_id=person.pk,
        hours=Decimal("2"),
        source="h:x",
        kind="other",
        actor=None,
        occurred_on=timezone.localdate(),
    )
    r = login(client, community_staff).get(reverse("points:ledger_export", args=[what]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.getvalue())).active
    rows = list(ws.values)
    assert len(rows) == 2 and "积分测试" not in str(rows)


def test_rule_edit_by_staff_and_refused_for_worker(client, community_staff, grid_worker_a):
    rule = PointsRule.objects.get(code="activity")
    url = reverse("points:rule_edit", args=[rule.pk])
    assert login(client, grid_worker_a).post(url, {"name": "x", "points": 9, "area": ""}).status_code == 403
    client.logout()
    r = login(client, community_staff).post(
        url, {"name": "参加活动", "points": 2, "area": "", "active": "on"}
    )
    assert r.status_code == 302
    assert PointsRule.objects.get(pk=rule.pk).points == 2


def test_reverse_from_ledger(client, community_staff, person, award):
    e = award(person, 3)
    login(client, community_staff).post(reverse("points:entry_reverse", args=[e.pk]), {"note": "录错"})
    assert selectors.balance_of(person.pk) == 0


def test_item_create_page(client, community_staff, world):
    r = login(client, community_staff).post(
        reverse("points:item_new"),
        {"community": world.community.pk, "name": "修鞋", "kind": "service", "cost": 3, "active": "on"},
    )
    assert r.status_code == 302
    from linli.points.models import ShopItem

    assert ShopItem.objects.get(name="修鞋").stock is None


def test_selection_pages_flow(client, community_staff, world, person, award):
    from django.utils import timezone

    award(person, 3)
    today = timezone.localdate()
    c = login(client, community_staff)
    r = c.post(
        reverse("points:selections"),
        {
            "community": world.community.pk,
            "year": today.year,
            "half": "H1" if today.month <= 6 else "H2",
            "points_weight": 1,
            "hours_weight": 2,
            "size": 5,
        },
    )
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert page.count('data-testid="candidate"') == 1
    c.post(r["Location"], {"step": "confirm"})
    c.post(r["Location"], {"step": "publish"})
    from linli.points.models import Selection

    assert Selection.objects.get().status == "published"


def test_id_pages_404_out_of_scope(client, outsider, community_staff, world, item, person, award):
    e = award(person, 2)
    sel = actions.selection_create(community=world.community, year=2026, half="H1", actor=community_staff)
    c = login(client, outsider)
    assert c.get(reverse("points:item_edit", args=[item.pk])).status_code == 404
    assert c.get(reverse("points:selection", args=[sel.pk])).status_code == 404
    assert c.post(reverse("points:entry_reverse", args=[e.pk]), {"note": "x"}).status_code == 404
    assert c.post(reverse("points:redemption_action", args=[999999, "cancel"])).status_code == 404
    assert selectors.balance_of(person.pk) == 2


def test_my_points_query_budget(client, member, person, award, item):
    for _ in range(30):
        award(person, 1)
    for _ in range(3):
        actions.redemption_create(item_id=item.pk, actor=member)
    c = login(client, member)
    c.get(reverse("points:my_points"))
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(reverse("points:my_points"))
    assert r.status_code == 200
    assert len(ctx.captured_queries) <= 10, [q["sql"] for q in ctx.captured_queries]


def test_the_excel_has_the_rows_the_ledger_shows(client, community_staff, person, award, world):
    """The export kept its own copy of the ledger's filters and ignored the person and the rule: filtered to
    one person on the page, it still wrote every entry."""
    from openpyxl import load_workbook

    from linli.residents.actions import person_create

    neighbour = person_create(actor=None, name="积分邻居", place=world.grid_a)
    award(person, 4)
    award(neighbour, 5)
    c = login(client, community_staff)
    for query, expected in (({"person_id": person.pk}, [4]), ({"rule": "service"}, [5, 4]), ({"rule": "nope"}, [])):
        r = c.get(reverse("points:ledger_export", args=["points"]), query)
        rows = list(load_workbook(io.BytesIO(r.getvalue())).active.values)
        assert [row[3] for row in rows[1:]] == expected, query
        shown = selectors.entry_list(user=community_staff, filters={**query})
        assert [e.amount for e in shown] == expected, query


def test_items_and_selections_page_through_the_rest_and_rankings_say_when_places_are_cut(
        client, community_staff, world, monkeypatch):
    from linli.core import ui
    from linli.core.testing.pages import walk_pages
    from linli.points import views

    for i in range(3):
        actions.item_create(community=world.community, actor=None, name=f"物品{i}", kind="service", cost=5, stock=None)
        actions.selection_create(community=world.community, year=2020 + i, half="H1", actor=None, title=f"评选{i}")
    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    login(client, community_staff)
    items = walk_pages(client, reverse("points:items"))
    assert [b.count('data-testid="item"') for b in items] == [2, 1]
    assert all(any(f"物品{i}" in b for b in items) for i in range(3))
    selections = walk_pages(client, reverse("points:selections"))
    assert [sum(f"评选{i}" in b for i in range(3)) for b in selections] == [2, 1]
    page = client.get(reverse("points:rankings")).content.decode()
    assert 'data-testid="cut"' not in page
    monkeypatch.setattr(views, "PLACES_SHOWN", 1)
    page = client.get(reverse("points:rankings")).content.decode()
    assert 'data-testid="cut"' in page
