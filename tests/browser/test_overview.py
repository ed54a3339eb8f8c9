"""The overview in Chromium: open a cluster page from the menu, change the period filter (HTMX swaps the result,
the address follows), download the CSV export; no serious axe violations."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from sektorbro.overview.publish import COLUMNS, publish
from tests.browser.axe import install_axe, serious_violations
from tests.overview.test_publish_and_pages import result_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cluster_page_filter_and_csv_download(
    page: Page, live_server: Any, make_user: Any, screenshot: Any, tmp_path: Path
) -> None:
    path = tmp_path / "result.csv"
    pd.DataFrame(result_rows(), columns=list(COLUMNS)).to_csv(path, index=False)
    publish(path, label="Browsertest 2024")
    make_user("overview.reader", "committee_secretary", "sekretariat-randersklyngen")
    install_axe(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/overblik/")
    page.locator("input[name=username]").fill("overview.reader")
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(f"{base}/overblik/")
    page.locator("a[href='/overblik/klynge/randersklyngen/']").click()
    expect(page.locator("#ov-result svg.ov-chart").first).to_be_visible()
    screenshot("overview-cluster")
    assert serious_violations(page) == []

    section = page.locator("#ind-readmission_30d_somatic")
    expect(section.locator("table").first.locator("tbody tr")).to_have_count(4)  # quarters by default
    page.locator("#f-periode").select_option("year")
    expect(page).to_have_url(re.compile(r"/overblik/klynge/randersklyngen/\?periode=year&"))
    expect(section.locator("table").first.locator("tbody tr")).to_have_count(1)
    expect(page.locator("#f-fra option")).to_have_count(2)  # "first" and 2024: the range follows the type
    expect(page.locator("#f-fra option")).to_have_count(2)  # "first" and 2024: the range follows the type
    assert serious_violations(page) == []

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV til dansk Excel").click()
    danish = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert info.value.suggested_filename.endswith("-dansk.csv") and danish.startswith("Afsnit;Indikator;")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (maskinformat)").click()
    download = info.value
    assert download.suggested_filename.startswith("sektorbro-overblik-klynge-randersklyngen")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    periods = {r[3] for r in rows[1:] if r[0] == "over_time"}
    assert periods == {"2024"}
