"""Limits at the door: image and workbook bombs are refused before they are decoded (413/422), and the
process's memory grows by less than 100 MB, measured with ``resource`` in a forked child
(linli.core.testing.memory). A control run with the limit switched off shows the measure can fail."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.core.errors import Invalid, TooLarge
from linli.core.testing.bombs import png_bomb, xlsx_bomb, xlsx_entities
from linli.core.testing.memory import peak_growth
from linli.core.uploads import photo_clean, photos_from_base64, xlsx_check

LIMIT_MB = 100


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_bomb()  # 79 Mpx, ~0.2 MB


@pytest.fixture(scope="module")
def workbook_bomb() -> bytes:
    return xlsx_bomb(400)  # 400 MB of XML, ~0.4 MB


def _refused(call) -> str:
    try:
        call()
    except (Invalid, TooLarge) as exc:
        return f"{exc.status}:{exc.code}"
    return "accepted"


def _jpeg(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def test_image_bomb_refused_before_decoding_with_little_memory(bomb):
    grown, outcome = peak_growth(lambda: _refused(lambda: photo_clean(bomb)))
    assert outcome == "422:too_many_pixels"
    assert grown < LIMIT_MB, f"{grown:.0f} MB"


def test_control_the_same_bomb_decoded_costs_hundreds_of_mb(bomb, settings):
    """Without the pixel check the measure sees the bomb: the test above can fail."""
    settings.LINLI_PHOTO_MAX_PIXELS_FULL = 10**9
    grown, outcome = peak_growth(lambda: _refused(lambda: photo_clean(bomb)))
    assert outcome == "accepted" and grown > LIMIT_MB


def test_a_large_jpeg_is_decoded_at_reduced_scale():
    big = peak_growth(lambda: _jpeg((8000, 6000)))[1]  # 48 Mpx, made in a child: 144 MB decoded
    grown, photo = peak_growth(lambda: photo_clean(big))
    assert max(photo.width, photo.height) == 2048
    assert grown < LIMIT_MB, f"{grown:.0f} MB"


def test_photo_limits_and_formats(settings):
    settings.LINLI_PHOTO_MAX_BYTES = 1000
    with pytest.raises(TooLarge):
        photo_clean(_jpeg((400, 400), (1, 2, 3)) + b"\0" * 1000)
    settings.LINLI_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(Invalid):
        photo_clean(gif.getvalue())  # not a photo format we take
    with pytest.raises(Invalid):
        photo_clean(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    clean = photo_clean(SimpleUploadedFile("a.jpg", _jpeg()))
    assert clean.width == 64 and Image.open(io.BytesIO(clean.data)).getexif() == {}


def test_base64_photos_limited_one_by_one_and_together(settings):
    settings.LINLI_API_PHOTOS_MAX_BYTES = 3000
    one = base64.b64encode(b"x" * 2000).decode()
    assert len(photos_from_base64([one])) == 1
    with pytest.raises(TooLarge):
        photos_from_base64([one, one])
    with pytest.raises(Invalid):
        photos_from_base64(["not base64!"])


def test_workbook_bomb_refused_before_parsing_with_little_memory(workbook_bomb):
    grown, outcome = peak_growth(lambda: _refused(lambda: xlsx_check(workbook_bomb)))
    assert outcome == "422:too_much_data"
    assert grown < LIMIT_MB, f"{grown:.0f} MB"


def test_control_the_workbook_bomb_parsed_costs_hundreds_of_mb(workbook_bomb):
    def parse():
        from openpyxl import load_workbook

        load_workbook(io.BytesIO(workbook_bomb), read_only=True)

    grown, _ = peak_growth(parse)
    assert grown > LIMIT_MB


def test_workbook_size_and_shape(settings, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名"])
    good = io.BytesIO()
    wb.save(good)
    xlsx_check(good.getvalue())
    path = tmp_path / "a.xlsx"
    path.write_bytes(good.getvalue())
    xlsx_check(str(path))
    upload = SimpleUploadedFile("a.xlsx", good.getvalue())
    upload.seek(5)
    xlsx_check(upload)
    assert upload.tell() == 5  # the position is restored
    with pytest.raises(Invalid):
        xlsx_check(b"PK\x03\x04 not really a zip")
    settings.LINLI_XLSX_MAX_BYTES = 100
    with pytest.raises(TooLarge):
        xlsx_check(good.getvalue())


def test_workbook_with_entity_expansion_is_not_expanded():
    """defusedxml is installed, so openpyxl refuses a document type with entities (billion laughs)."""
    from openpyxl import load_workbook

    data = xlsx_entities()
    xlsx_check(data)  # small: the door lets it through to the parser ...
    with pytest.raises(Exception) as caught:  # noqa: B017 - ... which refuses the entities
        load_workbook(io.BytesIO(data), read_only=True)
    cause = caught.value.__cause__ or caught.value.__context__
    assert "Entities" in type(cause).__name__  # defusedxml's EntitiesForbidden
