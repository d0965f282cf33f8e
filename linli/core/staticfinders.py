"""Static files from npm packages: only the files the pages use, not whole ``dist`` folders.

``settings.LINLI_VENDOR_STATIC`` lists ``(prefix, folder, patterns)``; a file under ``folder`` whose
path relative to it matches one of the glob ``patterns`` is served as ``<prefix>/<relative path>``.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, app_names=None, *args, **kwargs):
        self.entries: list[tuple[str, Path, tuple[str, ...]]] = [
            (prefix.strip("/"), Path(folder), tuple(patterns))
            for prefix, folder, patterns in getattr(settings, "LINLI_VENDOR_STATIC", [])
        ]
        self.storages = {prefix: FileSystemStorage(location=str(folder)) for prefix, folder, _ in self.entries}
        for prefix, storage in self.storages.items():
            storage.prefix = prefix  # type: ignore[attr-defined]

    def check(self, **kwargs):
        return [
            CheckWarning(f"Front-end folder {folder} is missing: run `make install`.", id="linli.W001")
            for _prefix, folder, _patterns in self.entries
            if not folder.is_dir()
        ]

    def _files(self, folder: Path, patterns: tuple[str, ...]):
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                relative = path.relative_to(folder).as_posix()
                if any(fnmatch(relative, pattern) for pattern in patterns):
                    yield relative

    def find(self, path, find_all=False, **kwargs):
        matches = []
        for prefix, folder, patterns in self.entries:
            if not path.startswith(prefix + "/"):
                continue
            relative = path[len(prefix) + 1 :]
            candidate = folder / relative
            if candidate.is_file() and any(fnmatch(relative, p) for p in patterns):
                if not find_all:
                    return str(candidate)
                matches.append(str(candidate))
        return matches

    def list(self, ignore_patterns):
        for prefix, folder, patterns in self.entries:
            for relative in self._files(folder, patterns):
                yield relative, self.storages[prefix]
