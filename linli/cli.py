"""The ``linli`` console script: ``linli <command>`` runs ``manage.py <command>`` (hyphens or underscores).

Examples: ``linli migrate``, ``linli demo``, ``linli serve``, ``linli unlock USER``, ``linli rotate-key``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help"]
    # Commands are spelt with hyphens at the console (rotate-key) and underscores in Python (rotate_key).
    args[0] = args[0].replace("-", "_")
    execute_from_command_line(["linli", *args])


if __name__ == "__main__":
    main()
