"""``linli unlock USER``: release an account's lock from the console (audited as the console)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.accounts.actions import is_locked, user_find_by_login, user_unlock


class Command(BaseCommand):
    help = "Unlock a user account locked after repeated failed logins (username or mobile phone)."

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or mobile phone")

    def handle(self, *args, **options):
        user = user_find_by_login(options["user"])
        if user is None:
            raise CommandError(f"No such user: {options['user']}")
        was_locked = is_locked(user)
        until = user.locked_until
        user_unlock(user=user, actor=None)
        if was_locked and until is not None:
            self.stdout.write(f"Unlocked {user.username} (was locked until {timezone.localtime(until):%Y-%m-%d %H:%M}).")
        else:
            self.stdout.write(f"{user.username} was not locked; failed-login count reset.")
