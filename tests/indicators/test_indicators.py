"""Given a tiny hand-made region (scenario.py), each indicator gives the table counted by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sektorbro.indicators.definitions import REGISTRY
from sektorbro.indicators.engine import compute
from sektorbro.indicators.model import PROPORTION
from sektorbro.indicators.reference import region
from tests.indicators.builders import World, one, pick, table
from tests.indicators.scenario import scenario

YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    registry = scenario().registry(strict=True)
    try:
        return compute(registry, *YEAR)
    finally:
        registry.close()


def run(world: World, **options: object) -> pd.DataFrame:
    registry = world.registry(strict=True)
    try:
        return compute(registry, *YEAR, **options)  # type: ignore[arg-type]
    finally:
        registry.close()


def test_the_result_is_one_long_table_with_every_period_and_stratum(result: pd.DataFrame) -> None:
    assert list(result.columns) == [
        "indicator", "period", "stratum_type", "stratum", "numerator", "denominator", "value", "standardised_value",
    ]  # fmt: skip
    assert list(dict.fromkeys(result.indicator)) == list(REGISTRY)
    periods = list(dict.fromkeys(result[result.indicator == "discharges"].period))
    assert periods[:6] == ["2024-01-01..2024-12-31", "2024", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert periods[6:] == [f"2024-{m:02d}" for m in range(1, 13)]
    year = result[(result.indicator == "discharges") & (result.period == "2024")]
    assert list(dict.fromkeys(year.stratum_type)) == [
        "region", "cluster", "municipality", "hospital", "area", "age_group", "sex",
    ]  # fmt: skip
    assert sorted(pick(result, "discharges", stratum_type="municipality").stratum) == sorted(
        region().municipality_codes
    )
    assert sorted(pick(result, "discharges", stratum_type="cluster").stratum) == sorted(
        c.key for c in region().clusters
    )


def test_discharges_count_admissions_with_the_4_and_12_hour_rules(result: pd.DataFrame) -> None:
    row = one(result, "discharges")
    assert (row.numerator, row.value) == (21, 21.0) and pd.isna(row.denominator)
    assert one(result, "discharges", period="2024-01-01..2024-12-31").numerator == 21
    assert one(result, "discharges", period="2024-Q1").numerator == 7
    assert [one(result, "discharges", period=f"2024-0{m}").numerator for m in (1, 2, 3)] == [2, 1, 4]
    municipalities = pick(result, "discharges", stratum_type="municipality")
    assert {r.stratum: r.numerator for r in municipalities.itertuples() if r.numerator} == {
        "730": 12, "791": 3, "751": 6,
    }  # fmt: skip
    clusters = pick(result, "discharges", stratum_type="cluster")
    assert table(clusters, ("stratum", "numerator")) == [
        ("aarhusklyngen", 6), ("goedstrupklyngen", 0), ("horsensklyngen", 0), ("midtklyngen", 3), ("randersklyngen", 12),
    ]  # fmt: skip
    # the discharging hospital; the non-resident counts at Aarhus but not in the region
    hospitals = pick(result, "discharges", stratum_type="hospital")
    assert table(hospitals, ("stratum", "numerator")) == [
        ("auh", 8),
        ("hem", 2),
        ("psykiatrien", 2),
        ("rhr", 10),
    ]
    assert table(pick(result, "discharges", stratum_type="area"), ("stratum", "numerator")) == [
        ("psychiatric", 2), ("somatic", 19),
    ]  # fmt: skip


def test_readmissions_somatic(result: pd.DataFrame) -> None:
    # 15 index admissions: P1 x2 (the transfer is one stay), P3, P4 x2 (planned is no readmission), P5 (the
    # cancer stay is no index), P9 x3 (720 h counts, 720 h 1 min does not), P10 x2 (injury), P11 (hospice is
    # no index), P12 x2 (birth), P13 (cancer as a secondary diagnosis is no index); P2 died at discharge.
    row = one(result, "readmission_30d_somatic")
    assert (row.numerator, row.denominator, round(row.value, 4)) == (2, 15, 13.3333)
    auh = one(result, "readmission_30d_somatic", stratum_type="hospital", stratum="auh")
    assert (auh.numerator, auh.denominator) == (1, 7)  # includes the non-resident from Copenhagen
    assert table(
        pick(result, "readmission_30d_somatic", period="2024-Q3", stratum_type="municipality", stratum="730")
    ) == [("730", 1, 1, 100.0)]


def test_readmissions_psychiatric(result: pd.DataFrame) -> None:
    row = one(result, "readmission_30d_psychiatric")
    assert (row.numerator, row.denominator, row.value) == (1, 2, 50.0)
    assert table(pick(result, "readmission_30d_psychiatric", stratum_type="area")) == [
        ("psychiatric", 1, 2, 50.0)
    ]


def test_preventable_stays_of_the_elderly(result: pd.DataFrame) -> None:
    # P1 x2, P3, P5, P10 (hip fracture), P11, P13 x2, P7 on the 65th birthday (not the day before): 9 stays,
    # over 750 residents aged 65+ on 1 January.
    row = one(result, "preventable_65plus")
    assert (row.numerator, row.denominator, row.value, row.standardised_value) == (9, 750, 12.0, 12.0)
    municipalities = pick(result, "preventable_65plus", stratum_type="municipality")
    assert [r for r in table(municipalities) if r[1] or r[2]] == [
        ("615", 1, 150, 6.6667), ("730", 5, 500, 10.0), ("751", 2, 0, None), ("791", 1, 100, 10.0),
    ]  # fmt: skip
    # 730: the woman aged 73 has no residents in her sex and age group, so the standardised rate rests on
    # women 75-84 (3 of 300) and men 65-74 (1 of 200), weighted by the region's residents
    assert (
        one(result, "preventable_65plus", stratum_type="municipality", stratum="730").standardised_value
        == 8.0
    )
    assert table(pick(result, "preventable_65plus", stratum_type="age_group")) == [
        ("65-74", 6, 350, 17.1429), ("75-84", 3, 300, 10.0), ("85+", 0, 100, 0.0),
    ]  # fmt: skip
    rows = result[(result.indicator == "preventable_65plus") & (result.period == "2024")]
    assert set(rows.stratum_type) == {
        "region", "cluster", "municipality", "age_group", "sex",
    }  # fmt: skip


def test_preventable_parameters() -> None:
    admissions_only = run(
        scenario(), indicators=["preventable_65plus"], params={"preventable_65plus": {"min_stay_hours": 12}}
    )
    assert one(admissions_only, "preventable_65plus").numerator == 8  # P7's two short stays drop out
    three_hours = run(scenario(), indicators=["preventable_65plus"], params={"stays": {"gap_hours": 3}})
    assert one(three_hours, "preventable_65plus").numerator == 10  # P3's contacts 4 hours apart split
    with pytest.raises(ValueError, match="unknown parameter"):
        run(scenario(), indicators=["preventable_65plus"], params={"preventable_65plus": {"min_hours": 1}})


def test_readmission_window_parameter() -> None:
    shorter = run(
        scenario(),
        indicators=["readmission_30d_somatic"],
        params={"readmission_30d_somatic": {"window_hours": 719}},
    )
    assert one(shorter, "readmission_30d_somatic").numerator == 1


def test_acute_admissions_per_copd_and_diabetes_patient(result: pd.DataFrame) -> None:
    # COPD on 1 January 2024: P1, P2 (dies in February) and P6; P3 enters in March, P14 is a child.
    # Their acute somatic admissions: P1 x2 and P2's 12-hour stay (the 11 h 59 min stay is no admission).
    row = one(result, "acute_per_copd")
    assert (row.numerator, row.denominator, row.value) == (3, 3, 1000.0)
    assert row.standardised_value == 1750.0  # P6's sex and age group has no residents: weights 300 and 100
    assert (
        table(pick(result, "acute_per_copd", stratum_type="municipality")).count(("730", 2, 2, 1000.0)) == 1
    )
    diabetes = one(result, "acute_per_diabetes2")
    assert (diabetes.numerator, diabetes.denominator) == (1, 1)  # P12's acute stay; the birth was planned


def test_ready_for_discharge_days_amount_and_same_day(result: pd.DataFrame) -> None:
    # P1: 1 night; P3: 0 (discharged on the ready date); P5: 0 (treatment resumed the same day);
    # P9: ready, resumed, ready again: 1 + 1 nights.
    days = one(result, "ready_days")
    assert (days.numerator, days.denominator, days.value) == (3, 4, 3.0)
    assert table(pick(result, "ready_days", stratum_type="hospital")) == [
        ("auh", 1, 1, 1.0),
        ("rhr", 2, 3, 2.0),
    ]
    amount = one(result, "ready_days_amount")
    assert (amount.numerator, amount.value) == (3, 6600.0)  # 3 x 2,200 kr. (example tariff 2024)
    same_day = one(result, "ready_discharged_same_day")
    assert (same_day.numerator, same_day.denominator, same_day.value) == (1, 4, 25.0)


def test_tariff_amounts_follow_the_dated_table() -> None:
    w = World().person("A", "1940-01-01").residents(2024, "730", "F", 84, 1)
    w.contact("K1", "A", "2024-06-28 08:00", "2024-07-03 10:00", priority="ATA3")
    w.ready_at("K1", "2024-06-29 10:00")  # nights of 29 and 30 June, 1 and 2 July
    tariffs = pd.DataFrame(
        {
            "sector": ["somatic", "somatic"],
            "valid_from": [dt.date(2024, 1, 1), dt.date(2024, 7, 1)],
            "valid_to": [dt.date(2024, 7, 1), None],
            "dkk_per_day": [1000.0, 1500.5],
            "source": ["test", "test"],
            "example": [False, False],
        }
    )
    result = run(w, indicators=["ready_days_amount"], tariffs=tariffs)
    assert one(result, "ready_days_amount").value == 2 * 1000 + 2 * 1500.5
    assert result.attrs["notes"] == []


def test_indicators_needing_optional_tables_are_skipped_with_a_note() -> None:
    w = World().person("A", "1940-01-01").residents(2024, "730", "F", 84, 1)
    w.contact("K1", "A", "2024-06-28 08:00", "2024-07-03 10:00")
    result = run(w)
    assert "ready_days" not in set(result.indicator) and "acute_per_copd" not in set(result.indicator)
    assert any("ready_days skipped" in note for note in result.attrs["notes"])
    assert one(result, "discharges").numerator == 1


def test_numerators_never_exceed_denominators_for_proportions(result: pd.DataFrame) -> None:
    for indicator in REGISTRY.values():
        if indicator.kind == PROPORTION:
            rows = result[(result.indicator == indicator.id) & result.denominator.notna()]
            assert (rows.numerator <= rows.denominator).all(), indicator.id
            values = rows.value.dropna()
            assert ((values >= 0) & (values <= 100)).all()
            assert rows[rows.denominator == 0].value.isna().all()


def test_strata_add_up_to_the_region(result: pd.DataFrame) -> None:
    for indicator in ("discharges", "readmission_30d_somatic", "preventable_65plus", "ready_days"):
        total = one(result, indicator)
        for stratum_type in ("cluster", "municipality", "age_group", "sex"):
            rows = pick(result, indicator, stratum_type=stratum_type)
            assert rows.numerator.sum() == total.numerator, (indicator, stratum_type)
        months = result[
            (result.indicator == indicator)
            & (result.stratum_type == "region")
            & result.period.str.match(r"^2024-\d\d$")
        ]
        assert months.numerator.sum() == total.numerator


def test_unknown_indicator_and_bad_period_are_refused() -> None:
    registry = scenario().registry()
    try:
        with pytest.raises(ValueError, match="unknown indicator"):
            compute(registry, *YEAR, indicators=["nope"])
        with pytest.raises(ValueError, match="ends before"):
            compute(registry, dt.date(2024, 2, 1), dt.date(2024, 1, 1))
        with pytest.raises(ValueError, match="unknown engine"):
            compute(registry, *YEAR, engine="polars")
    finally:
        registry.close()


def test_every_definition_describes_itself() -> None:
    for indicator in REGISTRY.values():
        description = indicator.describe()
        assert description["name"]["da"] and description["name"]["en"]
        assert description["definition"]["da"] and description["definition"]["en"]
        for value_set in description["value_sets"]:
            assert value_set["status"] in ("verified", "partly verified", "unverified")
    preventable = REGISTRY["preventable_65plus"].describe()
    assert preventable["value_sets"][0]["status"] == "unverified"
    assert len(preventable["value_sets"][0]["groups"]) == 9
    assert "PROXY" in REGISTRY["acute_per_copd"].status


def test_codes_with_stray_spaces_and_case_count_as_their_clean_values() -> None:
    """The loader trims (and upper-cases SKS codes and sex); the stays table's coded columns hold the clean
    values whatever the source looked like."""

    def world(untidy: bool) -> World:
        pad = (lambda text: f"  {text} ") if untidy else (lambda text: text)
        w = World().person("A", "1940-01-01", sex=pad("f" if untidy else "F"), municipality="730")
        w.residents(2024, "730", "F", 84, 100)
        w.contact("K1", "A", "2024-03-01 08:00", "2024-03-03 10:00", area=pad("somatic"), hospital=pad("rhr"),
                  diagnosis=pad("dj189" if untidy else "DJ189"), mode=pad("home"))  # fmt: skip
        w.contact("K2", "A", "2024-03-10 08:00", "2024-03-12 10:00", area=pad("somatic"), hospital=pad("rhr"),
                  diagnosis=pad("DJ189"), mode=pad("home"))  # fmt: skip
        return w

    tidy, untidy = run(world(False)), run(world(True))
    pd.testing.assert_frame_equal(untidy, tidy)
    assert one(tidy, "readmission_30d_somatic").numerator == 1
    assert one(tidy, "preventable_65plus").numerator == 2
