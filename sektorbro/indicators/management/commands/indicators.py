from sektorbro.indicators.cli import indicators_compute_main
from sektorbro.indicators.management.commands._passthrough import PassthroughCommand


class Command(PassthroughCommand):
    help = "Indikatorer / indicators: `indicators compute --registry DIR --from D --to D --out FILE [--engine duckdb|spark]`"
    subcommand = "compute"
    entry = staticmethod(indicators_compute_main)
