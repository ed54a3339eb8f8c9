from collections.abc import Sequence

from sektorbro.followup.cli import audits_candidates_main
from sektorbro.followup.platform import platform_admissions
from sektorbro.indicators.management.commands._passthrough import PassthroughCommand


def _main(argv: Sequence[str]) -> int:
    return audits_candidates_main(list(argv), platform=platform_admissions)


class Command(PassthroughCommand):
    help = (
        "Audit / audits: `audits candidates --registry DIR|--from-platform --at D --out FILE.csv [--months 3] "
        "[--min-admissions 4] [--preventable-only] [--per-municipality N --seed S]`"
    )
    subcommand = "candidates"
    entry = staticmethod(_main)
