"""The pages: the ledger with its filters, registering a dispute, a step with its inputs, query budgets."""

from __future__ import annotations

from django.urls import reverse


def test_a_grid_worker_registers_a_neighbour_dispute(client, world, grid_worker_a):
    from linli.mediation.models import Dispute

    client.force_login(grid_worker_a)
    page = client.get(reverse("mediation:dispute_new"))
    assert page.status_code == 200 and world.grid_b.name not in page.content.decode()
    r = client.post(reverse("mediation:dispute_new"), {
        "kind": "neighbour", "place": world.grid_a.pk, "facts": "楼上漏水到楼下", "applicant_name": "王建国",
        "applicant_phone": "13812345678", "respondent_name": "李四海", "source": "screening", "risk": "medium"})
    d = Dispute.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("mediation:dispute_detail", args=[d.pk])
    assert d.created_by == grid_worker_a and d.grid == world.grid_a and d.title == "楼上漏水到楼下"
    assert d.parties.count() == 2


def test_a_bad_form_says_why_and_files_nothing(client, world, grid_worker_a):
    from linli.mediation.models import Dispute

    client.force_login(grid_worker_a)
    r = client.post(reverse("mediation:dispute_new"), {"kind": "neighbour", "place": world.grid_a.pk, "facts": "x",
                                                     "applicant_name": "王", "applicant_phone": "123",
                                                     "source": "walk_in", "risk": "low"})
    assert r.status_code == 422
    assert Dispute.objects.count() == 0


def test_a_step_from_the_page(client, dispute_in_state, mediator_user):
    d = dispute_in_state("mediating")
    client.force_login(mediator_user)
    page = client.get(reverse("mediation:dispute_detail", args=[d.pk])).content.decode()
    assert 'data-testid="do-session"' in page and 'data-testid="do-archive"' not in page
    r = client.post(reverse("mediation:dispute_act", args=[d.pk, "session"]),
                    {"held_on": "", "notes": "双方到场"})
    d.refresh_from_db()
    assert r.status_code == 302 and d.sessions.count() == 0  # the date is required
    client.post(reverse("mediation:dispute_act", args=[d.pk, "fail"]), {"reason": "分歧大"})
    d.refresh_from_db()
    assert d.status == "failed"


def test_ledger_query_budget(client, dispute_in_state, file_dispute, community_staff, django_assert_max_num_queries):
    for _ in range(3):
        file_dispute()
    client.force_login(community_staff)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("mediation:disputes") + "?status=")
    for _ in range(12):
        file_dispute()
    with django_assert_max_num_queries(len(few.captured_queries)):  # no query per row
        r = client.get(reverse("mediation:disputes") + "?status=")
    assert r.content.decode().count('data-testid="dispute-row"') == 15


def test_home_tiles_and_nav(client, mediator_user, community_staff):
    for user in (mediator_user, community_staff):
        client.force_login(user)
        home = client.get(reverse("accounts:home")).content.decode()
        assert reverse("mediation:disputes") in home
