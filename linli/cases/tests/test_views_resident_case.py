"""The resident's case page (/cases/mine/<number>): only the reporter sees it, with the progress steps,
the public replies (a staff note with a reply reads as 回复) and photos, never internal notes or staff
names; rating returns to it. The worklists name each status in the user's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from linli.core.testing.personas import PASSWORD

PHONE = "13812345678"


def _confirm_phone(client, phone: str, caplog) -> None:
    caplog.clear()
    with caplog.at_level("INFO", logger="linli.cases.views"):
        client.post(reverse("cases:phone_code"), {"phone": phone, "next": "/cases/mine"})
    text = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to ")][-1]
    code = re.search(r"(\d{6})", text.split(":", 1)[1]).group(1)
    client.post(reverse("cases:phone_verify"), {"code": code, "next": "/cases/mine"})
    assert client.session.get("cases_phone") == phone


@pytest.fixture
def handled(make_case, community_staff, grid_worker_a):
    """A case reported by phone, handled and verified, with internal notes and public replies."""
    from linli.cases import actions

    case = make_case(reporter_phone=PHONE, title="楼道灯坏了")
    actions.case_accept(case=case, actor=community_staff, note="内部备注甲")
    actions.case_dispatch(
        case=case, actor=community_staff, owner_user=grid_worker_a.pk, owner_kind="grid_worker"
    )
    actions.case_sign(case=case, actor=grid_worker_a)
    actions.case_handle(case=case, actor=grid_worker_a)
    actions.case_report(case=case, actor=grid_worker_a, reply="灯已换好")
    actions.case_verify(case=case, actor=community_staff)
    actions.case_transition(case=case, name="comment", actor=community_staff, data={"reply": "请您评价"})
    return case


def test_reporter_sees_progress_replies_and_rates_on_the_case_page(client, handled, caplog):
    _confirm_phone(client, PHONE, caplog)
    url = reverse("cases:my_case", args=[handled.number])
    html = client.get(url).content.decode()
    assert 'data-testid="progress"' in html and 'aria-current="step"' in html
    assert "灯已换好" in html and "请您评价" in html and "回复" in html
    assert "内部备注甲" not in html and "staff_c" not in html and "worker_a" not in html
    assert 'data-testid="rate-form"' in html
    resp = client.post(
        reverse("cases:rate", args=[handled.pk]),
        {f"c{handled.pk}-satisfaction": "satisfied", f"c{handled.pk}-solved": "yes"},
    )
    assert resp.status_code == 302 and resp.url == url
    handled.refresh_from_db()
    assert handled.status == "rated"
    assert 'data-testid="rate-form"' not in client.get(url).content.decode()


def test_case_page_is_only_for_its_reporter(client, handled, caplog):
    url = reverse("cases:my_case", args=[handled.number])
    html = client.get(url).content.decode()  # not identified: asked to confirm the phone, nothing shown
    assert 'data-testid="identify"' in html and "灯已换好" not in html
    _confirm_phone(client, "13900000000", caplog)
    assert client.get(url).status_code == 404
    assert client.get(reverse("cases:my_case", args=["2099-999999"])).status_code == 404


def test_worklist_names_the_status_in_chinese(client, make_case, community_staff):
    case = make_case()
    client.login(username=community_staff.username, password=PASSWORD)
    html = client.get(reverse("cases:dispatch"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    row = html[html.index(f'data-case="{case.number}"') :]
    row = row[: row.index("</tr>")]
    assert "已上报" in row and ">reported<" not in row
