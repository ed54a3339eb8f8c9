"""Page numbers and sizes for the API's lists, bounded so that no request can ask the database for an offset it
cannot represent (a page number of 2**62 made SQLite answer "datatype mismatch", a 500). Out of bounds is a 400
naming ``page`` or ``page_size``, like every other invalid parameter."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description=f"1 to {MAX_PAGE_SIZE}")
