"""``linli open311-key NAME``: issue an Open311 API key and print it (once; only its hash is stored)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from linli.open311.actions import open311_key_issue


class Command(BaseCommand):
    help = "Issue an Open311 API key named NAME and print it (it is not shown again)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, **options):
        row, key = open311_key_issue(name=options["name"], actor=None)
        self.stdout.write(key)
        self.stderr.write(f"Open311 key #{row.pk} “{row.name}” issued; store it now, it is not shown again.")
