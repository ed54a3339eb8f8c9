from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sektorbro.flowchart.content import DATA_DIR, FlowchartDataError, load_flowchart


class Command(BaseCommand):
    help = "Flowchart: check the content files / kontrollér flowchartets datafiler."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        check = sub.add_parser("check", help="Validate the data files / kontrollér datafilerne")
        check.add_argument(
            "--dir", default=str(DATA_DIR), help="Folder with the files (default: the installed ones)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        try:
            flowchart = load_flowchart(directory)
        except FlowchartDataError as exc:
            raise CommandError(f"INVALID {exc}") from exc
        for chart in flowchart.charts:
            self.stdout.write(
                f"OK {chart.id}.json: {len(chart.steps)} steps, "
                f"{chart.recovered_count} from recovered flowchart pages"
            )
