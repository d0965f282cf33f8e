"""``linli create_data_key [--rotate]``: the field-encryption key file (``LINLI_DATA_KEY_FILE``,
default ``var/data.key``), created with mode 0600 when it is missing (``make run`` calls this).

``--rotate`` puts a fresh key first in the file; the older keys stay so that old rows still decrypt.
Then run ``linli rotate-key`` to re-encrypt, after which the old keys may be removed. When the ring
comes from ``LINLI_DATA_KEY`` the file is not used: ``--print-new`` prints a new key line to put first
in that variable. Key ids are printed; keys never are (except with ``--print-new``).
"""

from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linli.core import crypto


class Command(BaseCommand):
    help = "Create the data key file if it is missing (mode 0600); --rotate puts a new key first."

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="Put a new key first in the key file.")
        parser.add_argument(
            "--print-new", action="store_true", help="Only print a new key line (for LINLI_DATA_KEY)."
        )

    def handle(self, *args, rotate: bool = False, print_new: bool = False, **options):
        if print_new:
            self.stdout.write(crypto.new_key_line())
            return
        if getattr(settings, "LINLI_DATA_KEY", None):
            if rotate:
                raise CommandError(
                    "The key ring comes from LINLI_DATA_KEY: put a new key first there "
                    "(create-data-key --print-new makes one), restart, then run rotate-key."
                )
            self.stdout.write("LINLI_DATA_KEY is set: the key file is not used, nothing was created.")
            return
        if not settings.LINLI_DATA_KEY_FILE:
            raise CommandError("LINLI_DATA_KEY_FILE is not set.")
        path = Path(settings.LINLI_DATA_KEY_FILE)
        if rotate:
            try:
                key_id = crypto.prepend_key_to_file(path)
            except Exception as exc:  # ImproperlyConfigured for a broken file, OSError
                raise CommandError(f"Cannot rotate {path}: {exc}") from exc
            count = len(crypto.parse_key_ring(path.read_text()).keys)
            self.stdout.write(
                f"New key {key_id} put first in {path} ({count - 1} older kept for decryption). "
                "Running processes see the change of the file. Now run: linli rotate-key"
            )
            return
        if crypto.create_key_file(path):
            key_id = crypto.parse_key_ring(path.read_text()).current.key_id
            self.stdout.write(f"Created {path} (key {key_id}, mode 0600). Keep a backup: without it the data is lost.")
            return
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            self.stderr.write(f"Warning: {path} is readable by others (mode {mode:o}); chmod 600 it.")
        self.stdout.write(f"{path} exists: left as it is.")
