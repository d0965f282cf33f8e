"""Hostile files for the tests of the limits at the door: small on disk, huge once decoded.

Both are written in a streaming way, so building them costs the test process little memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 10_000, height: int = 7_900) -> bytes:
    """A valid RGB PNG of ``width`` x ``height`` black pixels (79 Mpx by default: about 0.2 MB on disk,
    about 240 MB once decoded)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + width * 3)  # filter byte 0, then the pixels
    parts = []
    for _ in range(height):
        parts.append(packer.compress(row))
    parts.append(packer.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


SST_HEAD = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            b' count="1" uniqueCount="1"><si><t>')
SST_TAIL = b"</t></si></sst>"


def workbook_with_strings(write_strings) -> bytes:
    """A real workbook (one sheet, one text cell) whose shared-strings part is written by
    ``write_strings(part)`` (a writable zip member)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "人员信息"
    wb.active.append(["姓名"])
    template = io.BytesIO()
    wb.save(template)
    buf = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED,
                                                          compresslevel=9) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
            if item.filename != "xl/sharedStrings.xml":
                z.writestr(item.filename, data)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            write_strings(part)
    return buf.getvalue()


def xlsx_bomb(unpacked_mb: int = 400) -> bytes:
    """A workbook whose shared strings unpack to ``unpacked_mb`` MB of XML: about 0.4 MB on disk for 400."""

    def write(part):
        part.write(SST_HEAD)
        block = b"A" * (1024 * 1024)
        for _ in range(unpacked_mb):
            part.write(block)
        part.write(SST_TAIL)

    return workbook_with_strings(write)


def xlsx_entities() -> bytes:
    """A small workbook whose shared strings declare nested XML entities (billion laughs)."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    return workbook_with_strings(lambda part: part.write(laughs))
