"""Certificates: numbered per community and year, the QR code printed on the PDF opens the public check,
which shows genuine/issuer/date only; a revoked certificate says so."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from linli.core.errors import PermissionDenied, Refused
from linli.hall.actions import application_submit, application_transition, certificate_revoke
from linli.hall.models import Certificate


@pytest.fixture
def done_cert(submit, service, community_staff):
    def _make():
        app = submit(service)
        application_transition(application=app, name="accept", actor=community_staff)
        application_transition(application=app, name="complete", actor=community_staff, data={"purpose": "子女入学"})
        return Certificate.objects.get(application=app)

    return _make


def test_a_certificate_service_issues_a_numbered_certificate(done_cert, world):
    cert = done_cert()
    assert cert.community_id == world.community.pk
    assert cert.serial == 1
    assert cert.number.endswith("测试一社区证字第00001号")
    assert "王秀英" in cert.text and "幸福里3幢2单元101" in cert.text and "子女入学" in cert.text
    assert cert.issuer_name == "测试一社区居民委员会"
    assert len(cert.code) >= 20


def test_serials_count_per_community_and_year(done_cert, service, community_staff, street_supervisor, world):
    assert [done_cert().serial for _ in range(3)] == [1, 2, 3]
    other = application_submit(actor=street_supervisor, service=service, applicant_name="赵六", place=world.grid_c.pk,
                               walk_in=True)
    application_transition(application=other, name="accept", actor=street_supervisor)
    application_transition(application=other, name="complete", actor=street_supervisor)
    cert = Certificate.objects.get(application=other)
    assert cert.community_id == world.community_2.pk and cert.serial == 1


def test_a_service_without_certificate_issues_none(app_in_state):
    app = app_in_state("done")
    assert not Certificate.objects.filter(application=app).exists()


def test_the_qr_code_on_the_pdf_verifies(done_cert, client, applicant):
    import zxingcpp
    from PIL import Image

    from linli.core.testing.personas import PASSWORD
    from linli.hall.pdf import certificate_qr_png
    from linli.hall.views import verify_url

    cert = done_cert()
    client.login(username=applicant.username, password=PASSWORD)
    pdf = client.get(reverse("hall:certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    url = verify_url(None, cert.code)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(certificate_qr_png(url))))
    assert [d.text for d in decoded] == [url]
    client.logout()
    page = client.get(decoded[0].text)  # anyone, not logged in
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="verify-result"' in body and "测试一社区居民委员会" in body
    assert "王秀英" not in body and "幸福里" not in body  # genuine, issuer, date: nothing personal


def test_a_revoked_certificate_says_so(done_cert, client, community_staff):
    cert = done_cert()
    certificate_revoke(certificate=cert, actor=community_staff, reason="申请人提供虚假材料")
    page = client.get(reverse("certificate_verify", args=[cert.code]))
    assert page.status_code == 200
    assert "revoked" in page.content.decode().lower() or "作废" in page.content.decode()
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    with pytest.raises(Refused):
        certificate_revoke(certificate=cert, actor=community_staff, reason="again")


def test_an_unknown_code_is_not_found(client, db):
    assert client.get(reverse("certificate_verify", args=["nope"])).status_code == 404


def test_the_applicant_cannot_revoke(done_cert, applicant):
    cert = done_cert()
    with pytest.raises(PermissionDenied):
        certificate_revoke(certificate=cert, actor=applicant, reason="x")


def test_verify_api_is_public(done_cert, client):
    cert = done_cert()
    body = client.get("/api/v1/hall/verify", {"code": cert.code}).json()
    assert body["genuine"] is True and body["issuer"] == "测试一社区居民委员会"
    assert "holder_name" not in body
