from collections.abc import Sequence

from sektorbro.indicators.cli import indicators_compute_main
from sektorbro.indicators.management.commands._passthrough import PassthroughCommand
from sektorbro.overview.platform_source import SektorbroCourses


def compute_with_platform(argv: Sequence[str]) -> int:
    """``indicators compute`` over registry files, or over the platform's own courses with ``--from-platform``."""
    return indicators_compute_main(argv, platform_source=SektorbroCourses())


class Command(PassthroughCommand):
    help = (
        "Indikatorer / indicators: `indicators compute --registry DIR --from D --to D --out FILE "
        "[--engine duckdb|spark]` or `--from-platform`"
    )
    subcommand = "compute"
    entry = staticmethod(compute_with_platform)
