"""``linli points-reconcile``: every balance against the sum of its entries. Exits non-zero on any
difference, naming the person (masked) and both figures."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from linli.core.masking import mask_name
from linli.points.selectors import reconcile
from linli.residents.selectors import person_names


class Command(BaseCommand):
    help = "Check every points balance against the sum of its ledger entries; exit 1 on any difference."

    def handle(self, *args, **options):

        diffs = reconcile()
        if not diffs:
            self.stdout.write("points-reconcile: every balance matches its ledger.")
            return
        names = person_names(d["person_id"] for d in diffs)
        for d in diffs:
            balance = "no account" if d["balance"] is None else d["balance"]
            self.stdout.write(
                f"person {d['person_id']} {mask_name(names.get(d['person_id'], ''))}: "
                f"balance {balance}, ledger {d['ledger']}"
            )
        raise CommandError(f"points-reconcile: {len(diffs)} difference(s)")
