from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.messaging.medcom.cli import ack_main, validate_main


class Command(BaseCommand):
    help = "MedCom FHIR-meddelelser / MedCom FHIR messages: validate, acknowledge."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        validate = sub.add_parser("validate", help="Validér filer / validate files (JSON or XML)")
        validate.add_argument("files", nargs="+")
        ack = sub.add_parser(
            "ack", help="Kvittering for en modtaget meddelelse / the Acknowledgement for a message"
        )
        ack.add_argument("file")
        ack.add_argument("--format", choices=["json", "xml"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "validate":
            code = validate_main(options["files"], self.stdout)
            if code:
                raise CommandError(
                    "en eller flere meddelelser er ugyldige / one or more messages are invalid",
                    returncode=code,
                )
        else:
            code = ack_main(options["file"], self.stdout, self.stderr, fmt=options["format"])
            if code:
                raise CommandError("ingen kvittering / no acknowledgement", returncode=code)
