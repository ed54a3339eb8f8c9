from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.accounts.models import ApiToken, User
from sektorbro.organisations.selectors import UnknownUnit, unit_named


class Command(BaseCommand):
    help = (
        "Udsted et API-token til en bruger / issue an API token for a user (the key is printed once). "
        "--sender binds it to the organisations whose MedCom messages it may deliver."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="Hvad tokenet bruges til / what the token is for")
        parser.add_argument(
            "--sender",
            action="append",
            default=[],
            metavar="UNIT",
            help="Organisation (nøgle, SOR-kode eller lokationsnummer) hvis MedCom-meddelelser tokenet må "
            "aflevere; gentag for en gateway / a unit (key, SOR code or GLN) whose MedCom messages the token "
            "may deliver; repeat for a gateway. Without it the token cannot deliver MedCom messages.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Ukendt bruger / unknown user: {options['username']}")
        if user.is_demo_account and not settings.DEMO_MODE:
            raise CommandError(
                f"{user.username} er en demokonto; den får kun tokens i demotilstand (SEKTORBRO_DEMO=1) / "
                "is a demo account: it gets tokens only in demo mode (SEKTORBRO_DEMO=1)"
            )
        try:
            senders = [unit_named(name) for name in options["sender"]]
        except UnknownUnit as exc:
            raise CommandError(str(exc)) from exc
        _token, key = ApiToken.issue(user=user, name=options["name"], senders=senders)
        self.stdout.write(key)
