"""Static files compressed in development too.

In production ``collectstatic`` (WhiteNoise's ``CompressedManifestStaticFilesStorage``) writes a ``.gz``
beside every text file under hashed names, and WhiteNoise serves them with a cache lifetime of ten years.
In development (``linli serve``, ``make run``) WhiteNoise serves straight from the finders
(``WHITENOISE_USE_FINDERS`` with autorefresh) and only sends a compressed copy that exists on disk: the npm
packages ship none, so every page's Bootstrap, htmx and ECharts went out uncompressed (the resident's QR
page about 600 KB where production sends about 230 KB). This middleware compresses a file the first time
it is asked for, into ``STATIC_ROOT/.dev-gzip/`` under a name of its path, size and modification time (an
edited file is compressed again), and lets WhiteNoise choose between the two as in production.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path
from typing import Any
from wsgiref.headers import Headers

from django.conf import settings
from whitenoise.compress import Compressor
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import StaticFile

_COMPRESSOR = Compressor(quiet=True)


def dev_gzip_path(path: str) -> str | None:
    """The gzip copy of the static file at ``path`` in the development cache, written if missing; ``None``
    for a file not worth compressing (images, fonts, archives: WhiteNoise's own list) or one that does not
    shrink."""
    if not _COMPRESSOR.should_compress(path):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()[:32]
    folder = Path(settings.STATIC_ROOT) / ".dev-gzip"
    target = folder / f"{key}.gz"
    if target.exists():
        return str(target) if target.stat().st_size > 0 else None
    data = Path(path).read_bytes()
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f"{key}.{os.getpid()}.tmp"
    # An empty file marks "does not shrink", so it is not tried again on every request.
    scratch.write_bytes(packed if len(packed) < len(data) * 0.95 else b"")
    os.replace(scratch, target)
    return str(target) if target.stat().st_size > 0 else None


class StaticMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, plus gzip for the files it finds through the finders (development, autorefresh)."""

    def get_static_file(self, path: str, url: str, stat_cache: Any = None) -> StaticFile:
        packed = dev_gzip_path(path) if self.autorefresh and stat_cache is None else None
        if packed is None:  # production: collectstatic wrote the .gz files, WhiteNoise finds them
            return super().get_static_file(path, url, stat_cache=stat_cache)
        headers = Headers([])  # as WhiteNoise's own get_static_file, with the cached copy as the gzip one
        self.add_mime_headers(headers, path, url)
        self.add_cache_headers(headers, path, url)
        if self.allow_all_origins:
            headers["Access-Control-Allow-Origin"] = "*"
        if self.add_headers_function is not None:
            self.add_headers_function(headers, path, url)
        return StaticFile(path, headers.items(), encodings={"gzip": packed})
