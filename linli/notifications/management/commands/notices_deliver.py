"""Deliver the due notices now (what the worker's task does every minute): for an operator after an
outage of the SMS gateway, or a cron-only installation."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Claim and send the due notice deliveries (SMS, WeChat, e-mail) once."

    def handle(self, *args, **options):
        from linli.notifications.delivery import deliveries_run

        counts = deliveries_run()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing due")
