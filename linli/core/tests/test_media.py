"""/media/<path>: the registry, name checks, headers, X-Accel-Redirect (apps' resolvers: their own tests)."""

from __future__ import annotations

import os

import pytest

from linli.core import media


@pytest.fixture
def root(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LINLI_MEDIA_ACCEL_PREFIX = ""
    base = tmp_path / "media" / "t"
    base.mkdir(parents=True)
    (base / "a.jpg").write_bytes(b"\xff\xd8jpeg")
    (base / "b.png").write_bytes(b"\x89PNGpng")
    (base / "c.webp").write_bytes(b"RIFFwebp")
    (base / "d.pdf").write_bytes(b"%PDF-1.4")
    (base / "e.html").write_bytes(b"<script>alert(1)</script>")
    (base / "中文.jpg").write_bytes(b"\xff\xd8jpeg")
    (tmp_path / "secret.txt").write_bytes(b"outside")
    (tmp_path / "media" / "other.jpg").write_bytes(b"\xff\xd8nobody owns me")
    allowed: set[str] = {"t/a.jpg", "t/b.png", "t/c.webp", "t/d.pdf", "t/e.html", "t/中文.jpg"}
    calls: list[str] = []

    def resolver(request, name):
        calls.append(name)
        return name in allowed

    monkeypatch.setitem(media._RESOLVERS, "t/", resolver)
    return {"dir": tmp_path, "allowed": allowed, "calls": calls}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_allowed_image_is_streamed_inline_with_private_headers(client, root):
    response = client.get("/media/t/a.jpg")
    assert response.status_code == 200
    assert _body(response) == b"\xff\xd8jpeg"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize(
    ("name", "content_type", "disposition"),
    [
        ("t/b.png", "image/png", "inline"),
        ("t/c.webp", "image/webp", "inline"),
        ("t/d.pdf", "application/pdf", "attachment"),
        ("t/e.html", "text/html", "attachment"),
    ],
)
def test_only_jpeg_png_webp_are_inline(client, root, name, content_type, disposition):
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].split(";")[0] == disposition


def test_a_refused_file_and_a_missing_file_are_both_404(client, root):
    root["allowed"].discard("t/a.jpg")
    assert client.get("/media/t/a.jpg").status_code == 404
    assert client.get("/media/t/missing.jpg").status_code == 404


def test_a_path_no_app_owns_is_404(client, root):
    assert client.get("/media/other.jpg").status_code == 404
    assert client.get("/media/x/a.jpg").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "t/../secret.txt",
        "t/%2e%2e/secret.txt",
        "t/..%2fsecret.txt",
        "t/../../secret.txt",
        "t/./a.jpg",
        "t//a.jpg",
        "t/a.jpg/",
        "/t/a.jpg",
        "%2ft/a.jpg",
        "t\\..\\secret.txt",
        "t/%00a.jpg",
        "t/",
    ],
)
def test_traversal_and_odd_names_are_404_without_asking_the_app(client, root, path):
    root["allowed"].update({"t/../secret.txt", "t/../../secret.txt", "t/./a.jpg"})
    assert client.get(f"/media/{path}").status_code == 404
    assert root["calls"] == []


def test_a_symlink_out_of_media_root_is_404(client, root):
    link = root["dir"] / "media" / "t" / "link.txt"
    os.symlink(root["dir"] / "secret.txt", link)
    root["allowed"].add("t/link.txt")
    assert client.get("/media/t/link.txt").status_code == 404


def test_only_get_and_head(client, root):
    assert client.head("/media/t/a.jpg").status_code == 200
    assert client.post("/media/t/a.jpg").status_code == 405


def test_with_the_accel_prefix_nginx_sends_the_file(client, root, settings):
    settings.LINLI_MEDIA_ACCEL_PREFIX = "/protected-media/"
    response = client.get("/media/t/a.jpg")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/t/a.jpg"
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"
    quoted = client.get("/media/t/中文.jpg")
    assert quoted["X-Accel-Redirect"] == "/protected-media/t/%E4%B8%AD%E6%96%87.jpg"


def test_with_the_accel_prefix_refused_is_still_404(client, root, settings):
    settings.LINLI_MEDIA_ACCEL_PREFIX = "/protected-media/"
    root["allowed"].clear()
    response = client.get("/media/t/a.jpg")
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_longest_prefix_decides(monkeypatch):
    monkeypatch.setitem(media._RESOLVERS, "p/", lambda r, n: True)
    monkeypatch.setitem(media._RESOLVERS, "p/q/", lambda r, n: False)
    assert media.media_resolver("p/q/x.jpg")(None, "") is False
    assert media.media_resolver("p/x.jpg")(None, "") is True
    assert media.media_resolver("pq/x.jpg") is None


@pytest.mark.parametrize("prefix", ["", "cases", "/cases/", "../x/", "a//"])
def test_a_bad_prefix_is_refused(prefix):
    with pytest.raises(ValueError):
        media.media_register(prefix, lambda r, n: True)


def test_the_apps_register_their_folders():
    assert media.media_resolver("cases/2026/01/x.jpg") is not None
    assert media.media_resolver("party/orders/2026/01/x.jpg") is not None
    assert media.media_resolver("party/wishes/2026/01/x.jpg") is not None
