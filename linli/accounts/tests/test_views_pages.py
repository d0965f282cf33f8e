"""The accounts pages: each renders for its roles and refuses the others; home and navigation by role;
profile, password, two-factor, users, policy and locks behave and speak Chinese."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from linli.accounts import actions
from linli.accounts.models import ApiToken, SecurityPolicy, User
from linli.accounts.tests.conftest import enrol_totp
from linli.core.testing.personas import PASSWORD

PERSONAS = [
    "resident",
    "grid_worker_a",
    "community_staff",
    "street_supervisor",
    "department_staff",
    "system_admin",
    "security_admin",
    "audit_admin",
]
ADMINS = {"system_admin", "security_admin", "audit_admin"}

# page → the personas that may open it (everyone else: 403)
PAGES = {
    "/": set(PERSONAS),
    "/accounts/profile": set(PERSONAS),
    "/accounts/password": set(PERSONAS),
    "/accounts/totp": set(PERSONAS),
    "/accounts/users": {"system_admin"},
    "/accounts/policy": {"security_admin"},
    "/accounts/locks": {"security_admin"},
    "/audit/": {"audit_admin"},
    "/calendar/": {"system_admin", "street_supervisor", "community_staff"},
}


@pytest.fixture
def as_persona(client, request):
    """Log the client in as a persona (administrators enrolled in two-factor, as their role demands)."""

    def _as(name: str):
        user = request.getfixturevalue(name)
        if name in ADMINS:
            enrol_totp(user)
        client.force_login(user)
        return user

    return _as


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_for_its_roles_and_refuses_the_others(client, as_persona, persona, path):
    as_persona(persona)
    response = client.get(path)
    if persona in PAGES[path]:
        assert response.status_code == 200, response.content[:300]
    else:
        assert response.status_code == 403
        assert "您无权访问此页面" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_have_no_inline_scripts_or_handlers(client, as_persona, persona):
    """The Content-Security-Policy allows scripts from files only."""
    as_persona(persona)
    for path, allowed in PAGES.items():
        if persona not in allowed:
            continue
        body = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path
        assert not re.search(r"\son[a-z]+\s*=", body), path


def nav_labels(body: str) -> list[str]:
    """Every page the menu leads to, on the bar or in a group's drop-down."""
    nav = re.search(r'data-testid="nav">(.*?)</ul>\s*</div>', body, re.S)
    return re.findall(r"</i>([^<]+)</a>", nav.group(1)) if nav else []


def test_grid_worker_navigation_holds_no_administrator_entries(client, as_persona):
    as_persona("grid_worker_a")
    labels = nav_labels(client.get("/").content.decode())
    assert "首页" in labels
    assert not {"用户", "安全策略", "锁定账号", "审计日志"} & set(labels)


def test_system_admin_navigation_has_users_and_calendar_but_not_the_audit_log(client, as_persona):
    as_persona("system_admin")
    labels = nav_labels(client.get("/").content.decode())
    assert {"用户", "节假日日历"} <= set(labels)
    assert "审计日志" not in labels
    assert "安全策略" not in labels


def test_security_and_audit_admins_each_see_only_their_console_in_the_navigation(client, as_persona):
    as_persona("security_admin")
    labels = nav_labels(client.get("/").content.decode())
    assert {"安全策略", "锁定账号"} <= set(labels)
    assert not {"用户", "审计日志"} & set(labels)
    client.logout()
    as_persona("audit_admin")
    labels = nav_labels(client.get("/").content.decode())
    assert "审计日志" in labels
    assert not {"用户", "安全策略", "锁定账号"} & set(labels)


def test_resident_home_has_big_tiles_and_names_the_grid_worker(client, as_persona, grid_worker_a):
    as_persona("resident")
    body = client.get("/").content.decode()
    assert "page-resident" in body
    assert "随手拍" in body and "我的诉求" in body and "便民服务" in body
    assert 'href="/hall/"' in body  # the services tile links to the hall (issue 14) now that it exists
    assert "您的网格员：worker_a" in body
    assert "测试街道 › 测试一社区 › 第一网格" in body


@pytest.mark.parametrize(
    ("persona", "template"),
    [
        ("resident", "accounts/home_resident.html"),
        ("grid_worker_a", "accounts/home_staff.html"),
        ("community_staff", "accounts/home_staff.html"),
        ("street_supervisor", "accounts/home_staff.html"),
        ("department_staff", "accounts/home_staff.html"),
        ("system_admin", "accounts/home_admin.html"),
        ("security_admin", "accounts/home_admin.html"),
        ("audit_admin", "accounts/home_admin.html"),
    ],
)
def test_each_role_gets_its_home_page(client, as_persona, persona, template):
    as_persona(persona)
    response = client.get("/")
    assert template in [t.name for t in response.templates]


def test_staff_home_lists_the_posts_with_their_place_trail(client, as_persona):
    as_persona("grid_worker_a")
    body = client.get("/").content.decode()
    assert "网格员" in body
    assert "测试街道 › 测试一社区 › 第一网格" in body
    assert "我的岗位" in body


def test_department_home_names_the_department(client, as_persona):
    as_persona("department_staff")
    body = client.get("/").content.decode()
    assert "测试城管中队" in body
    assert "部门待办" in body


def test_street_supervisor_home_offers_supervision_and_the_calendar(client, as_persona):
    as_persona("street_supervisor")
    body = client.get("/").content.decode()
    assert "督办" in body
    assert 'href="/calendar/"' in body


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("system_admin", ['href="/accounts/users"', 'href="/calendar/"', 'href="/admin/"'], ['href="/audit/"', 'href="/accounts/policy"']),
        ("security_admin", ['href="/accounts/policy"', 'href="/accounts/locks"'], ['href="/audit/"', 'href="/accounts/users"']),
        ("audit_admin", ['href="/audit/"'], ['href="/accounts/users"', 'href="/accounts/policy"', 'href="/admin/"']),
    ],
)
def test_each_administrator_home_shows_only_their_console_tiles(client, as_persona, persona, present, absent):
    as_persona(persona)
    body = client.get("/").content.decode()
    assert 'data-testid="admin-tiles"' in body
    for link in present:
        assert link in body
    for link in absent:
        assert link not in body


def test_staff_home_warns_before_the_password_expires(client, as_persona):
    user = as_persona("community_staff")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=85))
    body = client.get("/").content.decode()
    assert "您的密码将在" in body


def test_large_text_cookie_renders_the_large_text_mode(client, as_persona):
    as_persona("resident")
    client.cookies["linli_large"] = "1"
    body = client.get("/").content.decode()
    assert 'class="linli-large"' in body
    assert 'aria-pressed="true"' in body


# --- profile, tokens, password, two-factor -----------------------------------------------------------------


def test_profile_shows_roles_and_masks_the_phone(client, world):
    from linli.core.testing.personas import make_user

    user = make_user("phone_user", "grid_worker", place=world.grid_a, phone="13812345678")
    client.force_login(user)
    body = client.get("/accounts/profile").content.decode()
    assert "138****5678" in body
    assert "13812345678" not in body
    assert "网格员" in body and "第一网格" in body
    assert "未开启" in body  # two-factor state


def test_profile_lists_tokens_and_revokes_one(client, as_persona):
    user = as_persona("grid_worker_a")
    token, _raw = actions.token_issue(user=user, actor=user, name="巡查 App")
    body = client.get("/accounts/profile").content.decode()
    assert token.prefix in body and "巡查 App" in body and "吊销" in body
    response = client.post(f"/accounts/tokens/{token.pk}/revoke", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "令牌已吊销" in response.content.decode()


def test_nobody_revokes_another_users_token(client, as_persona, grid_worker_b):
    as_persona("grid_worker_a")
    token, _raw = actions.token_issue(user=grid_worker_b, actor=grid_worker_b)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_password_page_lists_the_policy(client, as_persona):
    as_persona("grid_worker_a")
    body = client.get("/accounts/password").content.decode()
    assert "至少 8 个字符" in body
    assert "不能包含用户名" in body
    assert "工作人员须每 90 天更换一次密码" in body


def test_password_change_errors_are_in_chinese(client, as_persona):
    as_persona("grid_worker_a")
    body = client.post(
        "/accounts/password", {"old_password": PASSWORD, "new_password": "Abcdef-12", "new_password2": "Abcdef-13"}
    ).content.decode()
    assert "两次输入的密码不一致" in body
    body = client.post(
        "/accounts/password", {"old_password": PASSWORD, "new_password": "abcdefgh", "new_password2": "abcdefgh"}
    ).content.decode()
    assert "密码须至少包含小写字母、大写字母、数字、符号中的三类" in body
    body = client.post(
        "/accounts/password", {"old_password": "nope", "new_password": "New-pass-2027", "new_password2": "New-pass-2027"}
    ).content.decode()
    assert "当前密码错误" in body


def test_password_change_succeeds_and_keeps_the_session(client, as_persona):
    user = as_persona("grid_worker_a")
    response = client.post(
        "/accounts/password", {"old_password": PASSWORD, "new_password": "New-pass-2027", "new_password2": "New-pass-2027"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-pass-2027")
    assert client.get("/accounts/profile").status_code == 200


def test_totp_page_shows_a_qr_code_and_enrols_with_the_right_code(client, as_persona):
    from linli.accounts.views import TOTP_PENDING

    user = as_persona("grid_worker_a")
    body = client.get("/accounts/totp").content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    secret = client.session[TOTP_PENDING]
    assert client.post("/accounts/totp", {"code": "000000"}).status_code == 200
    user.refresh_from_db()
    assert not user.totp_enabled
    response = client.post("/accounts/totp", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_enabled


def test_totp_wrong_code_error_is_in_chinese(client, as_persona):
    as_persona("grid_worker_a")
    client.get("/accounts/totp")
    assert "验证码错误" in client.post("/accounts/totp", {"code": "000000"}).content.decode()


# --- administrators' pages -------------------------------------------------------------------------------------


def test_user_list_masks_phones_and_filters(client, as_persona, world):
    from linli.core.testing.personas import make_user

    make_user("phone_user", "grid_worker", place=world.grid_a, phone="13812345678")
    as_persona("system_admin")

    def table(params=None) -> str:
        body = client.get("/accounts/users", params or {}).content.decode()
        return re.search(r'data-testid="users">(.*?)</table>', body, re.S).group(1)

    body = table()
    assert "138****5678" in body and "13812345678" not in body
    body = table({"q": "phone"})
    assert "phone_user" in body and "sys_admin" not in body
    body = table({"role": "system_admin"})
    assert "sys_admin" in body and "phone_user" not in body


def test_policy_saves_a_change(client, as_persona):
    as_persona("security_admin")
    data = {f: getattr(SecurityPolicy(), f) for f in actions.POLICY_FIELDS if f != "staff_totp_required"}
    data["lockout_minutes"] = 45
    response = client.post("/accounts/policy", data)
    assert response.status_code == 302
    assert SecurityPolicy.objects.get(pk=1).lockout_minutes == 45


def test_policy_refuses_values_below_the_floor_in_chinese(client, as_persona):
    as_persona("security_admin")
    data = {f: getattr(SecurityPolicy(), f) for f in actions.POLICY_FIELDS if f != "staff_totp_required"}
    data["password_min_length"] = 4
    body = client.post("/accounts/policy", data).content.decode()
    assert "不少于 8" in body
    assert 'aria-invalid="true"' in body
    data["password_min_length"] = "eight"
    assert "请输入整数" in client.post("/accounts/policy", data).content.decode()
    assert SecurityPolicy.objects.get_or_create(pk=1)[0].password_min_length == 8


def test_locks_page_lists_and_unlocks(client, as_persona, resident):
    User.objects.filter(pk=resident.pk).update(locked_until=timezone.now() + timedelta(minutes=30))
    as_persona("security_admin")
    body = client.get("/accounts/locks").content.decode()
    assert "resident_a" in body and "解锁" in body
    response = client.post("/accounts/locks", {"user_id": resident.pk}, follow=True)
    resident.refresh_from_db()
    assert resident.locked_until is None
    assert "已解锁 resident_a" in response.content.decode()
    assert "目前没有被锁定的账号" in response.content.decode()


def test_locks_page_answers_404_for_a_bad_user_id(client, as_persona):
    as_persona("security_admin")
    assert client.post("/accounts/locks", {"user_id": "x"}).status_code == 404


def test_navigation_leaves_out_entries_whose_page_does_not_exist(rf, grid_worker_a, monkeypatch):
    from django.contrib.auth.models import AnonymousUser

    from linli.accounts import context_processors

    monkeypatch.setattr(
        context_processors,
        "NAV_GROUPS",
        [*context_processors.NAV_GROUPS, (None, "", [("Nowhere", "nowhere:page", "x", None)])],
    )
    request = rf.get("/")
    request.user = grid_worker_a
    labels = [str(item["label"]) for item in context_processors.navigation(request)["nav_items"]]
    assert "Nowhere" not in labels
    assert "Home" in labels or "首页" in labels
    request.user = AnonymousUser()
    assert context_processors.navigation(request) == {"nav_items": []}


def test_resident_home_in_english_uses_english_separators(client, as_persona, grid_worker_a, grid_worker_b):
    from linli.accounts.actions import role_assign

    role_assign(user=grid_worker_b, role="grid_worker", place=grid_worker_a.role_assignments.first().place, actor=None)
    as_persona("resident")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Your grid worker: worker_a, worker_b." in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "您的网格员：worker_a、worker_b。" in client.get("/").content.decode()


def test_navigation_marks_only_the_longest_matching_entry_active(rf, community_staff):
    from linli.accounts import context_processors

    request = rf.get("/party/orders")
    request.user = community_staff
    items = context_processors.navigation(request)["nav_items"]
    leaves = [leaf for item in items for leaf in item.get("children", [item])]
    active = [str(leaf["label"]) for leaf in leaves if leaf["active"]]
    assert active in (["Service orders"], ["三单制服务"])
    # Its group is open as the active one; no other group is.
    assert [str(i["label"]) for i in items if i["active"]] in (["Party-led service"], ["党建引领"])


def test_navigation_groups_show_a_lone_entry_on_the_bar(rf, department_staff):
    from linli.accounts import context_processors

    request = rf.get("/")
    request.user = department_staff
    items = context_processors.navigation(request)["nav_items"]
    # A department has one case page: it sits on the bar, not in a one-entry drop-down.
    from django.urls import reverse

    assert reverse("cases:department") in [i.get("url") for i in items if "children" not in i]
    assert all(len(i["children"]) >= 2 for i in items if "children" in i)


def test_a_residents_account_page_has_no_token_or_authenticator_section(client, resident, grid_worker_a):
    from django.urls import reverse

    from linli.core.testing.personas import PASSWORD

    assert client.login(username=resident.username, password=PASSWORD)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="totp-state"' not in page and "accounts/totp" not in page
    assert 'data-testid="tokens"' not in page and "/api/v1/auth/token" not in page
    client.logout()
    assert client.login(username=grid_worker_a.username, password=PASSWORD)
    staff = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="totp-state"' in staff and "/api/v1/auth/token" in staff


def test_the_residents_wish_tile_promises_no_adoption(resident):
    """A tile promises only what its page does: residents post wishes; adopting is for members and
    volunteers."""
    from django.urls import reverse
    from django.utils import translation

    from linli.accounts.views import _resident_tiles
    from linli.orders.workflow import PERM_ADOPT

    assert PERM_ADOPT not in resident.perms
    tile = next(t for t in _resident_tiles() if t.url == reverse("orders:wish_wall"))
    with translation.override("zh-hans"):
        assert "帮别人" not in str(tile.hint) and "认领" not in str(tile.hint)
    with translation.override("en"):
        assert "help make one" not in str(tile.hint)
