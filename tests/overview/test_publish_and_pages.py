"""Publishing a result file, and the pages and exports built from it (database)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from sektorbro.indicators.reference import region
from sektorbro.overview.models import IndicatorRun, IndicatorValue
from sektorbro.overview.publish import COLUMNS, PublishError, publish

pytestmark = pytest.mark.django_db

WHOLE = "2024-01-01..2024-12-31"
QUARTERS = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]


def result_rows() -> list[dict[str, Any]]:
    """A small result table: readmissions (somatic and psychiatric) and discharges for the region, Randers
    cluster and all municipalities. Randers (730) in 2024-Q2 has only 3 readmissions: suppressed."""
    rows: list[dict[str, Any]] = []

    def add(ind: str, period: str, st: str, s: str, num: int, den: int | None) -> None:
        value = num / den * 100 if den else num
        rows.append({"indicator": ind, "period": period, "stratum_type": st, "stratum": s, "numerator": num,
                     "denominator": "" if den is None else den, "value": value, "standardised_value": ""})  # fmt: skip

    for period in [WHOLE, "2024", *QUARTERS]:
        add("readmission_30d_somatic", period, "region", "midtjylland", 400, 5000)
        add("readmission_30d_somatic", period, "cluster", "randersklyngen", 80, 1000)
        add("readmission_30d_psychiatric", period, "cluster", "randersklyngen", 20, 200)
        add("discharges", period, "cluster", "randersklyngen", 1000, None)
        for i, m in enumerate(region().municipalities):
            num = 3 if (m.code == "730" and period == "2024-Q2") else 10 + i
            add("readmission_30d_somatic", period, "municipality", m.code, num, 150 + 10 * i)
            add("discharges", period, "municipality", m.code, 100 + i, None)
    return rows


@pytest.fixture
def result_csv(tmp_path: Path) -> Path:
    path = tmp_path / "result.csv"
    pd.DataFrame(result_rows(), columns=list(COLUMNS)).to_csv(path, index=False)
    return path


@pytest.fixture
def published(result_csv: Path) -> IndicatorRun:
    return publish(result_csv, label="Test 2024")


def test_publish_command_imports_every_row(result_csv: Path) -> None:
    out = io.StringIO()
    call_command("overview", "publish", str(result_csv), "--label", "Første kørsel", stdout=out)
    run = IndicatorRun.objects.get()
    assert run.label == "Første kørsel" and str(run.period_from) == "2024-01-01" and len(run.sha256) == 64
    assert run.values.count() == len(result_rows())
    assert "published run" in out.getvalue()


def test_parquet_is_accepted(tmp_path: Path) -> None:
    frame = pd.DataFrame(result_rows(), columns=list(COLUMNS))
    frame["denominator"] = pd.to_numeric(frame["denominator"])
    frame["standardised_value"] = float("nan")
    path = tmp_path / "result.parquet"
    frame.to_parquet(path)
    run = publish(path, label="Parquet")
    assert run.values.filter(indicator="discharges", denominator__isnull=True).exists()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows: rows[5].update(numerator="tre"), "row 7, column numerator: 'tre' is not a number"),
        (lambda rows: rows[2].update(stratum_type="street"), "row 4, column stratum_type"),
        (lambda rows: rows[0].update(period="2024-13"), "row 2, column period"),
        (lambda rows: rows[3].update(denominator=-4), "row 5, column denominator: negative"),
        (lambda rows: rows.append(dict(rows[1])), "duplicate row"),
    ],
)
def test_a_bad_file_changes_nothing_and_says_where(
    tmp_path: Path, published: IndicatorRun, mutate: Any, message: str
) -> None:
    rows = result_rows()
    mutate(rows)
    path = tmp_path / "bad.csv"
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    before = (IndicatorRun.objects.count(), IndicatorValue.objects.count())
    with pytest.raises(CommandError, match=r"bad\.csv") as err:
        call_command("overview", "publish", str(path), "--label", "Bad")
    assert message in str(err.value)
    assert (IndicatorRun.objects.count(), IndicatorValue.objects.count()) == before


def test_missing_column_and_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    pd.DataFrame(result_rows()).drop(columns=["stratum"]).to_csv(path, index=False)
    with pytest.raises(PublishError, match="missing column"):
        publish(path, label="x")
    with pytest.raises(PublishError, match="unknown file type"):
        publish(tmp_path / "short.txt" if (tmp_path / "short.txt").write_text("a") else path, label="x")
    assert not IndicatorRun.objects.exists()


def _denominator_730_q2(run: IndicatorRun) -> int:
    value = run.values.get(
        indicator="readmission_30d_somatic", stratum_type="municipality", stratum="730", period="2024-Q2"
    )
    assert value.denominator is not None
    return int(value.denominator)


def test_cluster_page_shows_charts_tables_and_suppression(
    published: IndicatorRun, login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["analyst"])
    page = client.get("/overblik/klynge/randersklyngen/?periode=quarter").content.decode()
    assert "<svg" in page and 'class="ov-line"' in page
    assert "Randersklyngen" in page or "Randers" in page
    assert "et antal under 5 personer eller ophold" in page  # the suppression note, in Danish
    assert "ov-limit-95" in page and "ov-limit-998" in page  # funnel plot for the proportion
    assert "<script" not in page.split("</head>")[1] and "style=" not in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert not re.search(
        r'(x|y|x1|y1|cx|cy)="-?[0-9]+,[0-9]', svg
    )  # coordinates never localised (Danish comma)
    assert 'id="ind-preventable_65plus"' not in page  # not in this run: listed instead of empty charts


def test_municipality_page_suppresses_the_small_quarter(
    published: IndicatorRun, login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["secretary"])
    page = client.get("/overblik/kommune/730/?periode=quarter&omraade=somatic").content.decode()
    section = page.split('id="ind-readmission_30d_somatic"')[1].split("</section>")[0]
    q2 = section.split("2. kvt. 2024")[2]  # x tick first, then the table row
    row = q2.split("</tr>")[0]
    assert row.count("&lt;5") == 1  # the 3 readmissions; the index stays (150 or more) are no small number
    assert f">{_denominator_730_q2(published)}<" in row
    assert "readmission_30d_psychiatric" not in page  # area filter


def test_filters_narrow_the_periods_and_htmx_gets_the_partial(
    published: IndicatorRun, login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["analyst"])
    page = client.get(
        "/overblik/klynge/randersklyngen/?periode=quarter&fra=2024-Q3&til=2024-Q4"
    ).content.decode()
    section = page.split('id="ind-readmission_30d_somatic"')[1].split("</section>")[0]
    assert "3. kvt. 2024" in section and "1. kvt. 2024" not in section
    partial = client.get("/overblik/klynge/randersklyngen/?periode=year", headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert text.lstrip().startswith('<div id="ov-result">') and "<html" not in text
    # unknown filter values fall back to defaults instead of failing
    assert client.get("/overblik/klynge/randersklyngen/?periode=week&fra=x&run=999").status_code == 200


def test_unknown_units_are_404(published: IndicatorRun, login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["analyst"])
    assert client.get("/overblik/klynge/ingen/").status_code == 404
    assert client.get("/overblik/kommune/999/").status_code == 404
    assert client.get("/overblik/indikator/ingen/").status_code == 404


def test_csv_export_matches_the_page_with_suppression(
    published: IndicatorRun, login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["analyst"])
    response = client.get("/overblik/kommune/730/eksport.csv?periode=quarter&omraade=somatic")
    assert response["Content-Disposition"].startswith('attachment; filename="sektorbro-overblik-kommune-730')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["section", "indicator", "area_unit", "period"]
    q2 = [
        r
        for r in rows
        if r[0] == "over_time" and r[1] == "readmission_30d_somatic" and r[3] == "2. kvt. 2024"
    ]
    den = str(_denominator_730_q2(published))
    assert q2 == [["over_time", "readmission_30d_somatic", "Randers", "2. kvt. 2024", "<5", den, "<5", "<5",
                   "suppressed: fewer than 5"]]  # fmt: skip
    q1 = next(
        r
        for r in rows
        if r[0] == "over_time" and r[1] == "readmission_30d_somatic" and r[3] == "1. kvt. 2024"
    )
    assert q1[4:6] != ["<5", "<5"] and float(q1[4]) >= 5
    assert all(r[4] not in ("3", "3.0") for r in rows[1:])  # the hidden count never leaks
    assert not any(r[1] == "readmission_30d_psychiatric" for r in rows[1:])


def test_xlsx_export(published: IndicatorRun, login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["analyst"])
    response = client.get("/overblik/kommune/730/eksport.xlsx?periode=quarter")
    book = load_workbook(io.BytesIO(response.content))
    values = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert values[0][0] == "section"
    q2 = [
        r
        for r in values
        if r[1] == "readmission_30d_somatic" and r[0] == "over_time" and r[3] == "2. kvt. 2024"
    ]
    assert q2[0][4:8] == ["<5", _denominator_730_q2(published), "<5", "<5"]


def test_danish_csv_export_opens_in_danish_excel(
    published: IndicatorRun, login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["analyst"])
    page = client.get("/overblik/kommune/730/?periode=quarter&omraade=somatic").content.decode()
    assert "eksport.dk.csv?" in page and "CSV til dansk Excel" in page
    response = client.get("/overblik/kommune/730/eksport.dk.csv?periode=quarter&omraade=somatic")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert response["Content-Disposition"].endswith('-dansk.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Afsnit", "Indikator", "Område eller enhed", "Periode", "Tæller", "Nævner", "Værdi",
        "Standardiseret værdi", "Bemærkning",
    ]  # fmt: skip
    readmissions = [r for r in rows[1:] if r[1].startswith("Akutte genindlæggelser")]
    assert readmissions, "the indicator is named in Danish, not by its id"
    shown = [r for r in readmissions if r[0] == "Udvikling over tid" and r[4] != "<5"]
    assert shown and all("." not in r[6] for r in shown) and any("," in r[6] for r in shown)
    hidden = next(r for r in readmissions if r[3] == "2. kvt. 2024" and r[0] == "Udvikling over tid")
    assert hidden[4] == "<5" and hidden[6] == "<5" and hidden[8].startswith("undertrykt")


def test_index_and_indicator_pages(published: IndicatorRun, login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["gp_randers"])
    index = client.get("/overblik/").content.decode()
    for c in region().clusters:
        assert f"/overblik/klynge/{c.key}/" in index
    assert index.count("/overblik/kommune/") == 19
    page = client.get("/overblik/indikator/readmission_30d_somatic/").content.decode()
    assert "Verification status" in page or "Verifikationsstatus" in page or "verification" in page.lower()
    assert "DC" in page  # the cancer exclusion value set's prefixes


def test_pages_without_published_results(login: Any, personas: dict[str, Any]) -> None:
    client = login(personas["analyst"])
    assert client.get("/overblik/region/").status_code == 200
    response = client.get("/overblik/region/eksport.csv")
    assert response.content.decode("utf-8-sig").strip().startswith("section;indicator")


def test_outsider_without_organisation_is_refused(published: IndicatorRun, login: Any,
                                                   personas: dict[str, Any]) -> None:  # fmt: skip
    client = login(personas["outsider"])
    assert client.get("/overblik/").status_code == 403
    assert "/overblik/" not in client.get("/").content.decode()


def test_demo_builds_a_run_with_every_indicator() -> None:
    import tempfile

    from sektorbro.overview.demo import build_demo

    scratch = set(Path(tempfile.gettempdir()).glob("sektorbro-duckdb-*"))
    run = build_demo(persons=3000, years=1)
    # the engine's scratch folder is removed with the registry, nothing is left behind in /tmp
    assert set(Path(tempfile.gettempdir()).glob("sektorbro-duckdb-*")) <= scratch
    indicators = set(run.values.values_list("indicator", flat=True))
    assert {"discharges", "readmission_30d_somatic", "preventable_65plus"} <= indicators
    assert run.values.filter(stratum_type="municipality").values("stratum").distinct().count() >= 19


def test_the_printable_pdf_has_the_page_with_the_same_filters(
    published: IndicatorRun, login: Any, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login(personas["secretary"])
    page = client.get("/overblik/klynge/randersklyngen/?periode=quarter&omraade=somatic").content.decode()
    link = re.search(r'id="ov-print" href="([^"]+)"', page)
    assert link and "rapport.pdf?" in link.group(1) and "omraade=somatic" in link.group(1)
    assert "Udskriv / PDF" in page or "Print / PDF" in page
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "inline" in response["Content-Disposition"]
    # The printed HTML: the charts as inline SVG, the suppression note, only the chosen area's indicators.
    printed: list[str] = []

    def capture(html: str, **_: Any) -> bytes:
        printed.append(html)
        return b"%PDF"

    monkeypatch.setattr("sektorbro.overview.views.html_to_pdf", capture)
    client.get("/overblik/kommune/730/rapport.pdf?periode=quarter&omraade=somatic")
    [html] = printed
    assert "<svg" in html and 'class="ov-line"' in html and "<script" not in html
    assert 'class="num ov-suppressed"' in html and 'class="ov-note"' in html  # "<5" and what it means
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    assert client.get("/overblik/kommune/999/rapport.pdf").status_code == 404


def test_the_printable_pdf_without_published_results(login: Any, personas: dict[str, Any]) -> None:
    response = login(personas["analyst"]).get("/overblik/region/rapport.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", ["da", "en"])
def test_indicator_pages_keep_maintainers_notes_out(
    published: IndicatorRun, login: Any, personas: dict[str, Any], language: str
) -> None:
    from sektorbro.indicators.definitions import REGISTRY

    client = login(personas["analyst"])
    for indicator_id in REGISTRY:
        text = _visible(
            client.get(f"/overblik/indikator/{indicator_id}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        )
        lowered = text.lower()
        assert "unverified" not in lowered and "as in the brief" not in lowered, indicator_id
        assert "PROXY" not in text, indicator_id


def test_period_labels_follow_the_language() -> None:
    from sektorbro.overview.periods import label

    assert label("2024-Q1") == "1. kvt. 2024" and label("2024-Q1", "en") == "Q1 2024"
    assert label("2024-03", "en") == label("2024-03") == "03.2024"


def test_the_english_overview_shows_english_quarters(
    published: IndicatorRun, login: Any, personas: dict[str, Any]
) -> None:
    client = login(personas["analyst"])
    english = client.get("/overblik/kommune/730/?periode=quarter", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"Q[1-4] 20[0-9]{2}", english) and "kvt." not in _visible(english)
    danish = client.get("/overblik/kommune/730/?periode=quarter", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "kvt." in danish
