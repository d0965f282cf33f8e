"""``linli demo``: build the demo street and its users (idempotent), then print the demo logins."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from linli.accounts import demo


class Command(BaseCommand):
    help = "Create the demo street and the demo users (password Linli-demo-2026) and print the logins."
    # The configuration checks (1.5–2 s of processor) are run by ``migrate``, which comes first, and by
    # ``check`` and the servers; the demo only writes rows through the actions.
    requires_system_checks: list[str] = []

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
            self.stdout.write(f"{'part':<14}{'seconds':>8}{'processor':>11}")
            started, cpu = time.perf_counter(), time.process_time()
            demo.demo_build(report=self._report)
            self._report("total", time.perf_counter() - started, time.process_time() - cpu)
            self.stdout.write(self.style.SUCCESS("The demo street 「邻里街道」 and the demo users are ready."))
        table = "" if no_logins else demo.demo_logins_table(demo.demo_logins())
        if table:
            self.stdout.write("\nDemo logins:\n" + table)

    def _report(self, part: str, seconds: float, cpu: float) -> None:
        """One line per part of the build as it finishes: the operator sees where the time goes."""
        self.stdout.write(f"{part:<14}{seconds:8.1f}{cpu:11.1f}")
        self.stdout.flush()
