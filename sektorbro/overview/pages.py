"""Assemble what an overview page shows (reads published values; suppression applied here, once, for the
screen and the exports alike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, QueryDict
from django.utils.translation import get_language

from sektorbro.indicators.definitions import REGISTRY
from sektorbro.indicators.model import Indicator
from sektorbro.indicators.reference import region
from sektorbro.overview import periods as P
from sektorbro.overview.charts import Chart, FunnelUnit, funnel_plot, line_chart
from sektorbro.overview.models import IndicatorRun, IndicatorValue
from sektorbro.overview.stats import SUPPRESSED, suppress

AREAS = ("somatic", "psychiatric")
# Which area an indicator describes; indicators absent here cover both areas (the result table does not cross
# the area stratum with residence, so they cannot be split by area).
INDICATOR_AREA = {
    "readmission_30d_somatic": "somatic",
    "preventable_65plus": "somatic",
    "acute_per_copd": "somatic",
    "acute_per_diabetes2": "somatic",
    "readmission_30d_psychiatric": "psychiatric",
}
FUNNEL_KINDS = ("proportion", "population_rate")


def lang() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def indicator_name(indicator: Indicator) -> str:
    return indicator.name_en if lang() == "en" else indicator.name_da


@dataclass(frozen=True)
class Unit:
    level: str  # region, cluster, municipality
    key: str  # stratum in the result table
    name: str


def unit_for(level: str, key: str) -> Unit:
    reg = region()
    if level == "region":
        return Unit("region", reg.key, reg.name)
    if level == "cluster":
        for c in reg.clusters:
            if c.key == key:
                return Unit("cluster", c.key, c.name)
    if level == "municipality":
        for m in reg.municipalities:
            if m.code == key:
                return Unit("municipality", m.code, m.name)
    raise Http404


def municipality_names() -> dict[str, str]:
    return {m.code: m.name for m in region().municipalities}


@dataclass(frozen=True)
class Filters:
    run: IndicatorRun
    granularity: str
    start: str | None
    end: str | None
    area: str
    compare: str
    all_periods: list[str]
    available: list[str]  # periods of the chosen granularity
    whole: str

    def query(self, **changes: str) -> str:
        values = {
            "run": str(self.run.pk),
            "periode": self.granularity,
            "fra": self.start or "",
            "til": self.end or "",
            "omraade": self.area,
            "sammenlign": self.compare,
        }
        values.update(changes)
        q = QueryDict(mutable=True)
        for k, v in values.items():
            if v:
                q[k] = v
        return q.urlencode()


def runs() -> list[IndicatorRun]:
    return list(IndicatorRun.objects.all()[:20])


def parse_filters(params: QueryDict) -> Filters | None:
    """The filters from the GET parameters; unknown values fall back to defaults (never an error page)."""
    run = None
    if (raw := params.get("run", "")).isdigit():
        run = IndicatorRun.objects.filter(pk=int(raw)).first()
    run = run or IndicatorRun.objects.first()
    if run is None:
        return None
    all_periods = sorted(set(run.values.values_list("period", flat=True).distinct()))
    whole = next((p for p in all_periods if ".." in p), all_periods[0] if all_periods else "")
    gran = params.get("periode", "quarter")
    if gran not in P.GRANULARITIES:
        gran = "quarter"
    available = P.of_granularity(all_periods, gran)
    start = params.get("fra") or None
    end = params.get("til") or None
    start = start if start in available else None
    end = end if end in available else None
    area = params.get("omraade", "")
    area = area if area in AREAS else ""
    compare = params.get("sammenlign", "")
    compare = compare if compare in all_periods else whole
    return Filters(run, gran, start, end, area, compare, all_periods, available, whole)


def indicators_in_run(run: IndicatorRun) -> set[str]:
    return set(run.values.values_list("indicator", flat=True).distinct())


def indicators_for(area: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if not area or INDICATOR_AREA.get(i.id, area) == area]


@dataclass
class Row:
    label: str
    numerator: float | None
    denominator: float | None
    value: float | None
    standardised: float | None
    suppressed: bool
    highlight: bool = False
    key: str = ""


@dataclass
class Block:
    indicator: Indicator
    name: str
    unit_label: str
    area: str
    series: list[Row] = field(default_factory=list)
    chart: Chart | None = None
    comparison: list[Row] = field(default_factory=list)
    funnel: Chart | None = None
    any_suppressed: bool = False


def _row(indicator: Indicator, label: str, v: IndicatorValue | None, **extra: Any) -> Row:
    if v is None:
        return Row(label, None, None, None, None, False, **extra)
    cell = suppress(v.numerator, v.denominator, v.value, kind=indicator.kind)
    std = None if cell.suppressed else v.standardised_value
    return Row(label, cell.numerator, cell.denominator, cell.value, std, cell.suppressed, **extra)


def build_page(unit: Unit, filters: Filters) -> list[Block]:
    run = filters.run
    shown = P.between(filters.available, filters.start, filters.end)
    present = indicators_in_run(run)
    indicators = [i for i in indicators_for(filters.area) if i.id in present]
    ids = [i.id for i in indicators]
    series_values = {
        (v.indicator, v.period): v
        for v in run.values.filter(
            stratum_type=unit.level, stratum=unit.key, indicator__in=ids, period__in=shown
        )
    }
    compare_values = {
        (v.indicator, v.stratum): v
        for v in run.values.filter(stratum_type="municipality", indicator__in=ids, period=filters.compare)
    }
    names = municipality_names()
    highlight = _highlighted(unit)
    blocks = []
    for ind in indicators:
        unit_label = ind.unit_en if lang() == "en" else ind.unit_da
        block = Block(ind, indicator_name(ind), unit_label, INDICATOR_AREA.get(ind.id, ""))
        block.series = [_row(ind, P.label(p, lang()), series_values.get((ind.id, p))) for p in shown]
        block.chart = line_chart([r.label for r in block.series], [r.value for r in block.series])
        block.comparison = [
            _row(ind, name, compare_values.get((ind.id, code)), highlight=code in highlight, key=code)
            for code, name in sorted(names.items(), key=lambda kv: kv[1])
            if (ind.id, code) in compare_values
        ]
        block.any_suppressed = any(r.suppressed for r in block.series + block.comparison)
        if ind.kind in FUNNEL_KINDS:
            units = [
                FunnelUnit(r.label, float(r.numerator), float(r.denominator), r.highlight)
                for r in block.comparison
                if not r.suppressed and r.numerator is not None and r.denominator
            ]
            if len(units) >= 2:
                block.funnel = funnel_plot(ind.kind, units, ind.scale)
        blocks.append(block)
    return blocks


def _highlighted(unit: Unit) -> set[str]:
    if unit.level == "municipality":
        return {unit.key}
    if unit.level == "cluster":
        return {m.code for m in region().municipalities if m.cluster == unit.key}
    return set()


def _plain(number: float | None) -> float | int | None:
    """Counts as whole numbers in exports (stored as floats)."""
    return int(number) if number is not None and float(number).is_integer() else number


EXPORT_HEADER = (
    "section",
    "indicator",
    "area_unit",
    "period",
    "numerator",
    "denominator",
    "value",
    "standardised_value",
    "note",
)


def export_rows(unit: Unit, filters: Filters, blocks: list[Block]) -> list[tuple[Any, ...]]:
    """Exactly what the page shows, suppression included (suppressed cells say ``<5``)."""

    def cells(r: Row) -> tuple[Any, ...]:
        if r.suppressed:
            shown = SUPPRESSED if r.denominator is None else _plain(r.denominator)
            return (SUPPRESSED, shown, SUPPRESSED, SUPPRESSED, "suppressed: fewer than 5")
        return (_plain(r.numerator), _plain(r.denominator), r.value, r.standardised, "")

    out: list[tuple[Any, ...]] = []
    for b in blocks:
        for r in b.series:
            out.append(("over_time", b.indicator.id, unit.name, r.label, *cells(r)))
        for r in b.comparison:
            out.append(("comparison", b.indicator.id, r.label, P.label(filters.compare), *cells(r)))
    return out


DANISH_EXPORT_HEADER = (
    "Afsnit",
    "Indikator",
    "Område eller enhed",
    "Periode",
    "Tæller",
    "Nævner",
    "Værdi",
    "Standardiseret værdi",
    "Bemærkning",
)
_DANISH_SECTIONS = {"over_time": "Udvikling over tid", "comparison": "Sammenligning af kommuner"}


def _danish_number(value: Any) -> Any:
    """A number as Danish Excel reads it: comma decimals, no thousands separator; text as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",")


def danish_export_rows(rows: list[tuple[Any, ...]], names: dict[str, str]) -> list[tuple[Any, ...]]:
    """The export rows for Danish Excel: Danish section and indicator names, comma decimals, Danish notes."""
    out = []
    for section, indicator_id, unit, period, *numbers, note in rows:
        out.append(
            (
                _DANISH_SECTIONS.get(section, section),
                names.get(indicator_id, indicator_id),
                unit,
                period,
                *(_danish_number(n) for n in numbers),
                "undertrykt: færre end 5 personer eller ophold" if note else "",
            )
        )
    return out
