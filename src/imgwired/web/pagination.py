"""The contract's pagination headers, on responses and in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from imgwired.pagination import Page

_HEADER_DOCS = {
    "X-Total-Count": "Total number of items matching the request.",
    "X-Page": "Current page number.",
    "X-Limit": "Maximum number of items returned per page.",
    "X-Prev-Page": "Previous page number, or null when there is no previous page.",
    "X-Next-Page": "Next page number, or null when there is no next page.",
}

PAGINATED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            name: {"description": doc, "schema": {"type": "string"}}
            for name, doc in _HEADER_DOCS.items()
        }
    }
}


def set_pagination_headers(response: Response, page: Page[Any]) -> None:
    headers = response.headers
    headers["X-Total-Count"] = str(page.total)
    headers["X-Page"] = str(page.request.page)
    headers["X-Limit"] = str(page.request.limit)
    headers["X-Prev-Page"] = _or_null(page.prev_page)
    headers["X-Next-Page"] = _or_null(page.next_page)


def _or_null(value: int | None) -> str:
    return "null" if value is None else str(value)
