"""``linli demo``: build the demo street and its users (idempotent), then print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from linli.accounts import demo


class Command(BaseCommand):
    help = "Create the demo street and the demo users (password Linli-demo-2026) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Only when the database has no users yet (make run)."
        )
        parser.add_argument(
            "--codes", action="store_true", help="Create nothing: print the logins with the current TOTP codes."
        )
        parser.add_argument("--no-logins", action="store_true", help="Do not print the logins table.")

    def handle(self, *args, if_empty: bool = False, codes: bool = False, no_logins: bool = False, **options):
        if codes:
            pass  # print only
        elif if_empty and not demo.demo_is_empty():
            self.stdout.write("The database has users already: the demo data was left as it is.")
        else:
            demo.demo_build()
            self.stdout.write(self.style.SUCCESS("The demo street 「邻里街道」 and the demo users are ready."))
        table = "" if no_logins else demo.demo_logins_table(demo.demo_logins())
        if table:
            self.stdout.write("\nDemo logins:\n" + table)
