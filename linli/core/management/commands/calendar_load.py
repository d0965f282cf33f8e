"""``linli calendar_load FILE [--replace-year]``: load public holidays and make-up working days.

The file is a CSV like the shipped ``linli/core/data/cn_holiday_calendar.csv``: ``date,kind,name``
(kind ``holiday`` or ``workday``). Every row is checked first; one bad row and nothing is written.
``--replace-year`` also removes the entries of the file's years that the file does not list.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.core.actions import calendar_load
from linli.core.errors import Invalid
from linli.core.workdays import calendar_rows_parse


class Command(BaseCommand):
    help = "Load public holidays and make-up working days from a CSV file (date,kind,name)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with the columns date, kind, name")
        parser.add_argument(
            "--replace-year",
            action="store_true",
            help="Remove the entries of the file's years that the file does not list.",
        )

    def handle(self, *args, file: Path, replace_year: bool = False, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            rows = calendar_rows_parse(text)
        except Invalid as exc:
            lines = [str(exc.message)]
            lines += [f"  {where}: {message}" for where, messages in exc.fields.items() for message in messages]
            raise CommandError("\n".join(lines)) from exc
        counts = calendar_load(rows=rows, replace_years=replace_year, actor=None)
        years = ", ".join(str(y) for y in sorted({r.date.year for r in rows}))
        self.stdout.write(
            f"Calendar {years}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['deleted']} deleted."
        )
