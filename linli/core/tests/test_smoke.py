def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["worker"]["status"] in {"ok", "unknown", "stale"}


def test_login_page_renders_in_chinese(client, db):
    response = client.get("/accounts/login")
    assert response.status_code == 200
    assert "lang=\"zh-CN\"" in response.content.decode()
