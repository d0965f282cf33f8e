"""The certificate as a PDF (reportlab; Chinese through the built-in STSong-Light CID font, no font file
needed) with the QR code of its public check ``/v/<code>``."""

from __future__ import annotations

import io

from django.utils import timezone

FONT = "STSong-Light"


def certificate_qr_png(verify_url: str) -> bytes:
    """The QR code printed on the certificate: the address of its public check."""
    from linli.core.qr import qr_png

    return qr_png(verify_url, box_size=6, border=2)


def certificate_pdf(cert, verify_url: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(f"{cert.title} {cert.number}")
    c.setFont(FONT, 26)
    c.drawCentredString(width / 2, height - 40 * mm, cert.title)
    c.setFont(FONT, 11)
    c.drawRightString(width - 25 * mm, height - 52 * mm, cert.number)
    c.setFont(FONT, 14)
    y = height - 75 * mm
    for paragraph in cert.text.splitlines() or [""]:
        line = ""
        for ch in "　　" + paragraph:
            if pdfmetrics.stringWidth(line + ch, FONT, 14) > width - 60 * mm:
                c.drawString(30 * mm, y, line)
                y -= 9 * mm
                line = ""
            line += ch
        c.drawString(30 * mm, y, line)
        y -= 11 * mm
    c.drawString(30 * mm, y - 4 * mm, "　　特此证明。")
    issued = timezone.localtime(cert.issued_at)
    c.drawRightString(width - 30 * mm, y - 30 * mm, cert.issuer_name)
    c.drawRightString(width - 30 * mm, y - 40 * mm, f"{issued.year}年{issued.month}月{issued.day}日")
    qr = ImageReader(io.BytesIO(certificate_qr_png(verify_url)))
    c.drawImage(qr, 25 * mm, 25 * mm, 32 * mm, 32 * mm)
    c.setFont(FONT, 9)
    c.drawString(60 * mm, 45 * mm, "扫码核验本证明真伪")
    c.drawString(60 * mm, 39 * mm, verify_url)
    if cert.revoked_at is not None:
        c.setFont(FONT, 40)
        c.setFillColorRGB(0.8, 0, 0)
        c.drawCentredString(width / 2, height / 2, "已作废")
    c.showPage()
    c.save()
    return out.getvalue()
