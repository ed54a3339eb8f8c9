from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Udsted et API-token til en bruger / issue an API token for a user (the key is printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="Hvad tokenet bruges til / what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Ukendt bruger / unknown user: {options['username']}")
        _token, key = ApiToken.issue(user=user, name=options["name"])
        self.stdout.write(key)
