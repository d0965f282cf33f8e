"""``linli kpi-recompute [--fix]``: rebuild the KPI rollups from the case event log and compare.

Exits 1 when the stored rollups differ from the event log (each difference is printed), unless
``--fix`` is given, which replaces the rollups by the recomputed ones.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from linli.cases.kpi import kpi_diff, kpi_fix, kpi_recompute
from linli.cases.open_counts import state_counts_diff, state_counts_rebuild


class Command(BaseCommand):
    help = "Recompute the case KPI rollups from the events; report differences (--fix to repair)."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Replace the rollups by the recomputed figures.")
        parser.add_argument("--limit", type=int, default=50, help="Differences to print (default 50).")

    def handle(self, *args, **options):
        fresh = kpi_recompute()
        diffs = kpi_diff(fresh)
        for d in diffs[: options["limit"]]:
            if len(d.key) == 5:
                month, path, category, department, compound_kind = d.key
                where = f"month={month} place={path or '-'}"
            else:  # a street or district row (linli/cases/kpi_areas.py)
                level, path, _street, _district, month, category, department, compound_kind = d.key
                where = f"{level} month={month} place={path or '-'}"
            self.stdout.write(
                f"{where} category={category} department={department} "
                f"compound_kind={compound_kind or '-'} "
                f"{d.field}: stored {d.stored}, events say {d.recomputed}"
            )
        if len(diffs) > options["limit"]:
            self.stdout.write(f"... and {len(diffs) - options['limit']} more")
        self.stdout.write(f"{fresh.events} events, {len(fresh.rows)} rollup rows, {len(diffs)} differences")
        # The open cases' counters (linli/cases/open_counts.py) against the cases themselves.
        state_diffs = state_counts_diff()
        for row, stored, counted in state_diffs[: options["limit"]]:
            clock, path, status, due_month, month, category, department, compound_kind, due_hour = row[:9]
            what = (f"status={status} due={due_month or '-'}" if not clock else
                    f"{clock} deadline hour={due_hour or 'past'} month={month} category={category} "
                    f"department={department} compound_kind={compound_kind or '-'}")
            self.stdout.write(f"open cases place={path or '-'} {what}: stored {stored}, cases say {counted}")
        if state_diffs:
            self.stdout.write(f"{len(state_diffs)} differences in the open cases' counters")
        if (diffs or state_diffs) and options["fix"]:
            if diffs:
                rows = kpi_fix(fresh)
                self.stdout.write(self.style.SUCCESS(f"rollups rebuilt: {rows} rows"))
            if state_diffs:
                rows = state_counts_rebuild()
                self.stdout.write(self.style.SUCCESS(f"open cases' counters rebuilt: {rows} rows"))
            return
        if diffs or state_diffs:
            raise CommandError(f"{len(diffs) + len(state_diffs)} differences between the rollups and the events "
                               "or cases (run with --fix)")
