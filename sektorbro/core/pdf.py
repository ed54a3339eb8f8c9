"""HTML to PDF with WeasyPrint, without the network.

A page rendered to PDF may name images or stylesheets; WeasyPrint would fetch them from wherever the URL points.
Here only ``data:`` URLs and files under the folder of ``base_url`` (when it is a local folder) are read; every
other URL (http, https, ftp, a file elsewhere) is refused and the resource left out. WeasyPrint is imported on
first use, so the rest of the platform starts without Pango."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


class PDFError(RuntimeError):
    """The PDF could not be made (WeasyPrint or its system libraries are missing)."""


def _local_root(base_url: str | None) -> Path | None:
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("", "file"):
        return None
    path = Path(unquote(parts.path))
    return (path if base_url.endswith("/") or path.is_dir() else path.parent).resolve()


def refuses(url: str, root: Path | None) -> str | None:
    """Why ``url`` is not fetched, or None when it may be (``data:`` always; ``file:`` under ``root``)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file":
        return f"not fetched, no network access for PDFs: {url}"
    if root is None:
        return f"not fetched, no local folder allowed: {url}"
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root):
        return f"not fetched, outside {root}: {url}"
    return None


def _fetcher(root: Path | None) -> Any:
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            reason = refuses(url, root)
            if reason is not None:
                raise ValueError(reason)
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` to PDF bytes. Relative URLs resolve against ``base_url``; nothing is fetched over the
    network."""
    # Quiet WeasyPrint's INFO line per stylesheet and page (it logs some while being imported).
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz missing (scripts/lib.sh installs them)
        raise PDFError(f"WeasyPrint cannot run here: {exc}") from exc
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=_fetcher(_local_root(base_url)))
    pdf: bytes = document.write_pdf()
    return pdf
