from sektorbro.indicators.cli import registry_synth_main
from sektorbro.indicators.management.commands._passthrough import PassthroughCommand


class Command(PassthroughCommand):
    help = "Register / registry: `registry synth --persons N --years Y --seed S --out DIR [--format csv|parquet]`"
    subcommand = "synth"
    entry = staticmethod(registry_synth_main)
