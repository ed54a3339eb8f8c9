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
        ingest = sub.add_parser("ingest", help="Modtag filer eller mapper / ingest files or folders")
        ingest.add_argument("paths", nargs="+")
        ingest.add_argument(
            "--sender",
            action="append",
            default=[],
            metavar="UNIT",
            help="Kun meddelelser fra denne organisation (gentag) / only messages from this unit (key, SOR or GLN; "
            "repeat); others are refused",
        )
        watch = sub.add_parser(
            "watch", help="Overvåg en mappe / watch a drop folder (done/, failed/ and refused/)"
        )
        watch.add_argument("folder")
        watch.add_argument(
            "--sender",
            action="append",
            required=True,
            metavar="UNIT",
            help="Afsenderorganisation mappen tilhører (gentag) / a sender organisation the folder belongs to "
            "(key, SOR code or GLN; repeat for several); files from any other sender are refused",
        )
        watch.add_argument(
            "--once", action="store_true", help="Behandl mappen én gang / process once and stop"
        )
        watch.add_argument("--interval", type=float, default=5.0)
        sub.add_parser("send", help="Send udbakken / deliver the outbox once")
        work = sub.add_parser(
            "process",
            help="Behandl modtagne meddelelser / process stored messages (the ingestion worker; run several)",
        )
        work.add_argument("--once", action="store_true", help="Behandl det ventende én gang / once and stop")
        work.add_argument(
            "--batch", type=int, default=200, help="meddelelser pr. transaktion / per transaction"
        )
        work.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] in ("ingest", "watch", "send", "process"):
            getattr(self, f"_{options['what']}")(options)
            return
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

    def _ingest(self, options: dict[str, Any]) -> None:
        import json
        from pathlib import Path

        from sektorbro.messaging.folder import ingest_paths

        missing = [p for p in options["paths"] if not Path(p).exists()]
        if missing:
            raise CommandError(f"findes ikke / not found: {', '.join(missing)}")
        allowed = self._units(options["sender"]) or None
        summary, reasons = ingest_paths([Path(p) for p in options["paths"]], allowed=allowed)
        self.stdout.write(json.dumps(summary.as_dict()))
        for name in summary.refused_files:
            self.stdout.write(f"REFUSED {name}: {reasons.get(name, '')}")
        for name in summary.rejected_files:
            self.stdout.write(f"REJECTED {name}: {reasons.get(name, '')}")
        for name in summary.quarantined_files:
            self.stdout.write(f"QUARANTINED {name}: {reasons.get(name, '')}")

    def _units(self, names: list[str]) -> list[Any]:
        from sektorbro.organisations.selectors import UnknownUnit, unit_named

        try:
            return [unit_named(name) for name in names]
        except UnknownUnit as exc:
            raise CommandError(str(exc)) from exc

    def _watch(self, options: dict[str, Any]) -> None:
        import json
        import time
        from pathlib import Path

        from sektorbro.messaging.folder import drain_folder

        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"ikke en mappe / not a folder: {folder}")
        allowed = self._units(options["sender"])
        while True:
            summary = drain_folder(folder, allowed=allowed)
            if summary.as_dict() != {k: 0 for k in summary.as_dict()}:
                self.stdout.write(json.dumps(summary.as_dict()))
            if options["once"]:
                return
            time.sleep(options["interval"])

    def _send(self, options: dict[str, Any]) -> None:
        import json

        from sektorbro.messaging.outbox import run_outbox

        run = run_outbox()
        self.stdout.write(json.dumps({"sent": run.sent, "retrying": run.retrying, "failed": run.failed}))

    def _process(self, options: dict[str, Any]) -> None:
        import json
        import time

        from sektorbro.messaging.ingest import process_pending

        if options["batch"] < 1:
            raise CommandError("--batch skal være mindst 1 / must be at least 1")
        while True:
            done = process_pending(batch_size=options["batch"], quarantine_failures=True)
            if done or options["once"]:
                self.stdout.write(json.dumps({"processed": done}))
            if options["once"]:
                return
            if not done:
                time.sleep(options["interval"])
