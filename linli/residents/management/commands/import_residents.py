"""``linli import-residents FILE --community CODE_OR_NAME [--create-houses] [--update-existing] [--user NAME]``

Checks every row of the workbook, then writes them all in one transaction. Prints the counts; or
prints every problem (row, column, message), writes nothing and exits with status 1. ``--report``
also writes the error report workbook. Without ``--user`` the import runs as the console (no scope
limit, audited as "console"); with it, as that user with their scope and permissions.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.selectors import user_by_username
from linli.core.errors import Invalid


class Command(BaseCommand):
    help = "Import residents from the registry Excel template (all rows or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook (the registry template's columns)")
        parser.add_argument("--community", required=True, help="the community's 12-digit code or its name")
        parser.add_argument("--create-houses", action="store_true", help="create missing buildings, entrances and houses")
        parser.add_argument("--update-existing", action="store_true",
                            help="update persons whose ID number is already registered instead of reporting them")
        parser.add_argument("--user", help="run as this user (their scope and permissions)")
        parser.add_argument("--report", help="write the error report to this .xlsx path when there are problems")

    def handle(self, *args, **options):
        from linli.residents.importer import Importer, find_community

        try:
            community = find_community(options["community"])
        except Invalid as exc:
            raise CommandError(str(exc.message)) from exc
        actor = None
        if options["user"]:
            actor = user_by_username(options["user"])
            if actor is None:
                raise CommandError(f"No active user {options['user']!r}.")
        started = time.monotonic()

        def progress(phase: str, done: int, total: int | None) -> None:
            if options["verbosity"] >= 2 and done:
                self.stderr.write(f"{phase}: {done}/{total or '?'}")

        importer = Importer(
            path=options["file"], community=community, actor=actor, create_houses=options["create_houses"],
            update_existing=options["update_existing"], report_path=options["report"], progress=progress,
        )
        result = importer.run()
        seconds = time.monotonic() - started
        if not result.ok:
            for p in result.problems:
                where = f"row {p.row}" if p.row else "file"
                self.stdout.write(f"{where}\t{p.column or '-'}\t{p.message}")
            if result.problem_count > len(result.problems):
                self.stdout.write(f"... and {result.problem_count - len(result.problems)} more problems")
            self.stderr.write(self.style.ERROR(
                f"{result.problem_count} problem(s) in {result.rows} rows: nothing was written."
            ))
            if result.report_path:
                self.stderr.write(f"Error report: {result.report_path}")
            sys.exit(1)
        for key, value in result.counts.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write(self.style.SUCCESS(f"Imported {result.rows} rows in {seconds:.1f} s."))
