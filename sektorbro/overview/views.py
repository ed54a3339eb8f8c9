"""The overview pages. Aggregates only: every signed-in user may see them (see docs/overview.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from sektorbro.core.pdf import PDFError, html_to_pdf
from sektorbro.indicators.definitions import REGISTRY
from sektorbro.indicators.model import STAY_PARAMETERS
from sektorbro.indicators.reference import region
from sektorbro.overview import periods as P
from sektorbro.overview.pages import (
    AREAS,
    DANISH_EXPORT_HEADER,
    EXPORT_HEADER,
    INDICATOR_AREA,
    Unit,
    build_page,
    danish_export_rows,
    export_rows,
    indicator_name,
    indicators_for,
    indicators_in_run,
    lang,
    parse_filters,
    runs,
    unit_for,
)
from sektorbro.overview.wording import checked, indicator_status

LEVEL_SLUGS = {"region": "region", "klynge": "cluster", "kommune": "municipality"}


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and an active member of some organisation (any role: the pages hold aggregates only)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.active_memberships():  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@member_required
def index(request: HttpRequest) -> HttpResponse:
    reg = region()
    clusters = [
        {"cluster": c, "municipalities": [m for m in reg.municipalities if m.cluster == c.key]}
        for c in reg.clusters
    ]
    filters = parse_filters(request.GET)
    return render(
        request,
        "overview/index.html",
        {
            "region": reg,
            "clusters": clusters,
            "run": filters.run if filters else None,
            "indicators": [(i, indicator_name(i)) for i in REGISTRY.values()],
        },
    )


def _unit(level_slug: str, key: str) -> Unit:
    level = LEVEL_SLUGS.get(level_slug)
    if level is None:
        raise Http404
    return unit_for(level, key if level != "region" else "")


@member_required
def unit_page(request: HttpRequest, level: str, key: str = "") -> HttpResponse:
    unit = _unit(level, key)
    filters = parse_filters(request.GET)
    context: dict[str, Any] = {
        "unit": unit,
        "level": level,
        "key": key,
        "filters": filters,
        "runs": runs(),
        "page_url": request.path,
    }
    if filters is not None:
        context.update(_result_context(unit, filters))
        context.update(
            period_choices=[(p, P.label(p, lang())) for p in filters.available],
            compare_choices=[
                (p, P.label(p, lang())) for p in reversed(filters.all_periods) if P.granularity(p) != "month"
            ],
            areas=AREAS,
            query=filters.query(),
            csv_url=f"{request.path}eksport.csv?{filters.query()}",
            xlsx_url=f"{request.path}eksport.xlsx?{filters.query()}",
            danish_csv_url=f"{request.path}eksport.dk.csv?{filters.query()}",
            pdf_url=f"{request.path}rapport.pdf?{filters.query()}",
        )
    # HTMX swaps the result and, out of band, the period range choices (they depend on the period type).
    context["oob"] = bool(getattr(request, "htmx", False))
    template = "overview/_result.html" if context["oob"] else "overview/unit.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _result_context(unit: Unit, filters: Any) -> dict[str, Any]:
    """What the result shows for ``filters`` (the page and its printed version show the same)."""
    return {
        "blocks": build_page(unit, filters),
        "absent": [
            indicator_name(i)
            for i in indicators_for(filters.area)
            if i.id not in indicators_in_run(filters.run)
        ],
        "compare_label": P.label(filters.compare, lang()),
        "period_label": " – ".join(
            dict.fromkeys(P.label(p, lang()) for p in (filters.start, filters.end) if p)
        ),
    }


PRINT_CSS = Path(__file__).parent / "static" / "overview" / "overview.css"


@member_required
def report_pdf(request: HttpRequest, level: str, key: str = "") -> HttpResponse:
    """The overview page as a PDF for committee papers: the same filters, the charts drawn as inline SVG."""
    unit = _unit(level, key)
    filters = parse_filters(request.GET)
    context: dict[str, Any] = {
        "unit": unit,
        "filters": filters,
        "printed_at": timezone.localtime(),
        "css": PRINT_CSS.read_text(encoding="utf-8"),
        "language": lang(),
    }
    if filters is not None:
        context.update(_result_context(unit, filters))
    html = render_to_string("overview/print.html", context, request=request)
    try:
        pdf = html_to_pdf(html)
    except PDFError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    name = f"sektorbro-overblik-{level}{'-' + key if key else ''}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=name) or "inline"
    )
    return response


@member_required
def export(request: HttpRequest, level: str, fmt: str, key: str = "") -> HttpResponse:
    if fmt not in ("csv", "xlsx", "dk.csv"):
        raise Http404
    unit = _unit(level, key)
    filters = parse_filters(request.GET)
    # With nothing published the export is the header alone (the page says so too).
    rows = export_rows(unit, filters, build_page(unit, filters)) if filters else []
    name = f"sektorbro-overblik-{level}{'-' + key if key else ''}" + (
        f"-run{filters.run.pk}" if filters else ""
    )
    if fmt == "dk.csv":
        # Danish Excel: semicolons, comma decimals, Danish headings and names, a byte-order mark.
        names = {i.id: i.name_da for i in REGISTRY.values()}
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(DANISH_EXPORT_HEADER)
        writer.writerows(["" if c is None else c for c in row] for row in danish_export_rows(rows, names))
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-dansk.csv"'
        return response
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(EXPORT_HEADER)
        writer.writerows(["" if c is None else c for c in row] for row in rows)
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Overblik"
        sheet.append(list(EXPORT_HEADER))
        for row in rows:
            sheet.append(list(row))
        sheet.append([])
        if filters:
            sheet.append([f"Run: {filters.run.label} ({filters.run.sha256[:12]})"])
        sheet.append(["<5: suppressed, a count of fewer than 5 persons or stays"])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@member_required
def indicator(request: HttpRequest, indicator_id: str) -> HttpResponse:
    ind = REGISTRY.get(indicator_id)
    if ind is None:
        raise Http404
    d = ind.describe()
    language = lang()
    return render(
        request,
        "overview/indicator.html",
        {
            "indicator": ind,
            "name": indicator_name(ind),
            "definition": d["definition"][language],
            "numerator": d["numerator"][language],
            "denominator": d["denominator"][language],
            "unit_label": d["unit"][language],
            "area": INDICATOR_AREA.get(ind.id, ""),
            "parameters": [
                {
                    "name": p["name"],
                    "default": p["default"],
                    "description": p["description"][language],
                    "status": checked(p["status"]),
                }
                for p in d["parameters"] + [s.describe() for s in STAY_PARAMETERS]
            ],
            "status": indicator_status(ind.status),
            "value_sets": [
                {
                    **v,
                    "status": checked(v["status"]),
                    # The version's "-unverified" suffix is for maintainers; the status says it for readers.
                    "version": str(v["version"]).removesuffix("-unverified"),
                    "name": v["name"][language],
                    "groups": [{**g, "name": g["name"][language]} for g in v["groups"]],
                }
                for v in d["value_sets"]
            ],
            "deviations": d["deviations"],
        },
    )
