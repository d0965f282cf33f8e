"""The login page: Chinese by default, English on request, and a clear Chinese message for every refusal."""

from __future__ import annotations

import time

import pyotp
import pytest

from linli.accounts.tests.conftest import enrol_totp
from linli.core.testing.personas import PASSWORD

WRONG = "Wrong-pass-2026"


def login(client, username, password, otp=""):
    return client.post("/accounts/login", {"username": username, "password": password, "otp": otp})


def test_login_page_is_in_chinese_by_default(client, db):
    body = client.get("/accounts/login").content.decode()
    assert 'lang="zh-CN"' in body
    assert "登录" in body
    assert "用户名或手机号" in body
    assert "Log in" not in body


def test_setlang_switches_the_login_page_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in body
    assert "Log in" in body
    assert "Username or mobile phone" in body
    assert "用户名或手机号" not in body


def test_setlang_back_to_chinese_restores_chinese(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login"})
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login"}, follow=True)
    assert "用户名或手机号" in response.content.decode()


def test_wrong_password_shows_a_chinese_error(client, resident):
    response = login(client, "resident_a", WRONG)
    body = response.content.decode()
    assert response.status_code == 401
    assert "账号或密码错误" in body
    assert 'data-code="bad_credentials"' in body
    assert "_auth_user_id" not in client.session


def test_empty_fields_show_chinese_required_errors(client, db):
    response = client.post("/accounts/login", {"username": "", "password": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("这个字段是必填项") == 2
    assert 'aria-invalid="true"' in body


def test_locked_account_shows_the_lock_message_even_with_the_right_password(client, resident):
    for _ in range(5):
        login(client, "resident_a", WRONG)
    response = login(client, "resident_a", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 401
    assert "已被锁定" in body
    assert 'data-code="locked"' in body
    assert "_auth_user_id" not in client.session


def test_address_failing_across_many_usernames_is_throttled(client, resident):
    for i in range(10):
        login(client, f"nobody{i}", WRONG)
    response = login(client, "resident_a", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 401
    assert "登录失败次数过多" in body
    assert 'data-code="throttled"' in body


def test_enrolled_user_is_asked_for_the_code_and_the_code_field_opens(client, grid_worker_a):
    enrol_totp(grid_worker_a)
    response = login(client, "worker_a", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 401
    assert "请输入身份验证器应用中的 6 位验证码" in body
    assert '<details class="otp-details mb-3" open>' in body
    assert "_auth_user_id" not in client.session


def test_enrolled_user_logs_in_with_the_code(client, grid_worker_a):
    secret = enrol_totp(grid_worker_a)
    # The enrolment used the current code and a code works once: log in with the next step's code.
    code = pyotp.TOTP(secret).at(int(time.time()) + 30)
    response = login(client, "worker_a", PASSWORD, otp=code)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(grid_worker_a.pk)


def test_wrong_code_shows_a_chinese_error(client, grid_worker_a):
    enrol_totp(grid_worker_a)
    response = login(client, "worker_a", PASSWORD, otp="000000")
    assert "验证码错误" in response.content.decode()


def test_successful_login_goes_home_or_to_a_safe_next(client, resident):
    assert login(client, "resident_a", PASSWORD)["Location"] == "/"
    client.post("/accounts/logout")
    response = client.post("/accounts/login?next=/accounts/profile", {"username": "resident_a", "password": PASSWORD})
    assert response["Location"] == "/accounts/profile"


def test_login_ignores_an_offsite_next(client, resident):
    response = client.post("/accounts/login?next=https://evil.example/", {"username": "resident_a", "password": PASSWORD})
    assert response["Location"] == "/"


def test_logout_ends_the_session_and_says_so_in_chinese(client, resident):
    client.force_login(resident)
    response = client.post("/accounts/logout", follow=True)
    assert "_auth_user_id" not in client.session
    assert "您已退出登录" in response.content.decode()


def test_logout_refuses_get(client, resident):
    client.force_login(resident)
    assert client.get("/accounts/logout").status_code == 405
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("path", ["/", "/accounts/profile", "/accounts/users", "/audit/", "/calendar/"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login?next=")


def test_login_by_mobile_phone_on_the_page(client, world):
    from linli.core.testing.personas import make_user

    user = make_user("phone_login", "resident", place=world.grid_a, phone="13812345678")
    response = login(client, "13812345678", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
