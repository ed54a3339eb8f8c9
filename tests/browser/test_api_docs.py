"""The API documentation (Swagger UI) loads from the platform's own static files under the site's CSP (#16)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_no_outside_request_and_no_csp_violation(
    page: Page, live_server: Any, client: Any
) -> None:
    violations: list[str] = []
    outside: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.on(
        "request", lambda req: outside.append(req.url) if not req.url.startswith(live_server.url) else None
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sektorbro API")
    expect(page.get_by_text("/api/v1/courses/", exact=True).first).to_be_visible()
    assert violations == []
    assert [url for url in outside if not url.startswith("data:")] == []


def test_the_docs_page_names_no_cdn(client: Any) -> None:
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in body and "unpkg" not in body
    assert "/static/ninja/swagger-ui-bundle.js" in body
