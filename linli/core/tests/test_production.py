"""Production mode (LINLI_ENV=production): no secret defaults, the deploy check passes, HTTPS-only
cookies, HSTS, a Content-Security-Policy, no debug pages, collected static files with hashed names.

Settings are read once per process, so each case runs Django in a child process with a clean
environment."""

import json
import secrets
import subprocess

import pytest
from django.conf import settings

from linli.core.tests.procs import PYTHON, clean_env, manage

HOST = "linli.example.org"

# Every case starts Django in a child process.
pytestmark = pytest.mark.slow


def production_env(var_dir, **extra):
    env = {
        "LINLI_ENV": "production",
        "LINLI_SECRET_KEY": secrets.token_urlsafe(50),
        "LINLI_ALLOWED_HOSTS": HOST,
        "LINLI_STATIC_ROOT": str(var_dir / "static"),
    }
    env.update(extra)
    return clean_env(var_dir, **env)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", env=production_env(tmp_path, LINLI_SECRET_KEY=None))
    assert result.returncode != 0
    assert "LINLI_SECRET_KEY must be set" in result.stderr


def test_production_ignores_an_empty_secret_key(tmp_path):
    result = manage("check", env=production_env(tmp_path, LINLI_SECRET_KEY=""))
    assert result.returncode != 0
    assert "LINLI_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_data_key(tmp_path):
    result = manage("check", env=production_env(tmp_path, LINLI_DATA_KEY=None))
    assert result.returncode != 0
    assert "LINLI_DATA_KEY or LINLI_DATA_KEY_FILE" in result.stderr


def test_production_accepts_a_data_key_file(tmp_path):
    from linli.core.crypto import new_key_line

    key_file = tmp_path / "data.key"
    key_file.write_text(new_key_line() + "\n")
    key_file.chmod(0o600)
    result = manage("check", env=production_env(tmp_path, LINLI_DATA_KEY=None, LINLI_DATA_KEY_FILE=str(key_file)))
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = manage("check", env=production_env(tmp_path, LINLI_ALLOWED_HOSTS=None))
    assert result.returncode != 0
    assert "LINLI_ALLOWED_HOSTS must be set" in result.stderr


def test_production_passes_the_deploy_check(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_fails_the_deploy_check(tmp_path):
    # The check is real: the development defaults (debug, no HSTS, insecure cookies) do not pass it.
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(tmp_path))
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

c = Client(HTTP_HOST="%(host)s")

def get(path, secure=True):
    r = c.get(path, secure=secure)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    return {"status": r.status_code, "headers": dict(r.headers), "body": body.decode("utf-8", "replace")}

login = get("/accounts/login")
css = [w for w in login["body"].split('"') if w.startswith("/static/core/linli.") and w.endswith(".css")]
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_HTTPONLY")},
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "missing": get("/no-such-page"),
    "login": login,
    "login_http": get("/accounts/login", secure=False),
    "healthz_http": get("/healthz", secure=False),
    "css": get(css[0]) if css else None,
    "css_plain": get("/static/core/linli.css"),
}))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """One production process: migrate, collectstatic, then a few requests through the whole stack."""
    var_dir = tmp_path_factory.mktemp("production")
    env = production_env(var_dir, DJANGO_SETTINGS_MODULE="config.settings")
    for command in (("migrate", "--noinput", "-v0"), ("collectstatic", "--noinput", "-v0")):
        result = manage(*command, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", PROBE % {"host": HOST}], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_turns_debug_off_and_cookies_https_only(probe):
    assert probe["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_HTTPONLY": True,
    }


def test_production_sends_hsts_and_csp(probe):
    headers = probe["login"]["headers"]
    assert probe["login"]["status"] == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_production_shows_no_debug_page(probe):
    missing = probe["missing"]
    assert missing["status"] == 404
    for debug_marker in ("Django tried these URL patterns", "DEBUG = True", "Traceback", "technical_404"):
        assert debug_marker not in missing["body"]


def test_production_redirects_http_but_not_healthz(probe):
    assert probe["login_http"]["status"] == 301
    assert probe["login_http"]["headers"]["Location"].startswith(f"https://{HOST}/")
    assert probe["healthz_http"]["status"] == 200


def test_production_serves_collected_static_files_with_hashed_names(probe):
    assert probe["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert probe["css"] is not None, "the login page does not link a hashed linli.css"
    assert probe["css"]["status"] == 200
    # Hashed names never change content: cached for a year.
    assert "max-age=315360000" in probe["css"]["headers"]["Cache-Control"]
