"""``/dashboard/images``: the grid of an environment's images, and one image's details.

The grid has two ways through the images, both fast at a million of them:

- **the list** (no filter): numbered pages of the images service's list, whose count and any
  page are found without walking the rows before it;
- **a search** (a status, the start of a file name, or both): pages that start after the last
  image of the previous one (``?after=<id>``), with no total, since counting matches would read
  them all. A search for a whole image id opens that image alone.

Actions (delete, bulk delete, bulk download) are the page module's calls to the Resource API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from imgwired.db.models import Image, ImageStatus
from imgwired.errors import ImageNotFoundError
from imgwired.images.service import ImageQuery
from imgwired.pagination import MAX_PAGE, PageRequest
from imgwired.web.dashboard.nav import BY_SLUG
from imgwired.web.dashboard.views import PageError, View, ViewDep, render
from imgwired.web.services import ServicesDep

router = APIRouter()

PER_PAGE = 48
PAGE = BY_SLUG["images"]
STATUSES = tuple(status.value for status in ImageStatus)
# A longer prefix cannot match: file names are at most this long.
MAX_SEARCH_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class Tile:
    """An image as the grid shows it."""

    image: Image
    thumbnail_url: str | None
    detail_url: str


@dataclass(frozen=True, slots=True)
class Pager:
    """Links to the other pages of the grid (None where there is none)."""

    first: str | None = None
    previous: str | None = None
    next: str | None = None
    last: str | None = None
    # "Page 3 of 20 833" for the list; None for a search, which has no total.
    summary: str | None = None


@router.get("/dashboard/images", name="dashboard.images")
def images_page(
    view: ViewDep,
    services: ServicesDep,
    status: str = "",
    q: str = "",
    after: str = "",
    page: str = "1",
) -> Response:
    environment_id = view.environment_id
    if environment_id is None:
        return render(view, "images.html", page=PAGE, tiles=[], pager=Pager(), **_form(q, status))
    wanted_status = _status_of(status)
    search = q.strip()
    if len(search) > MAX_SEARCH_LENGTH:
        raise PageError(400, "Search too long", "File names are at most 1024 characters long.")
    by_id = _uuid_or_none(search)
    images: list[Image]
    if by_id is not None:
        images = _exact(services, environment_id, by_id, wanted_status)
        pager = Pager(summary="The image with this id" if images else None)
        total = len(images)
    elif search or wanted_status is not None:
        query = ImageQuery(status=wanted_status, name_prefix=search or None)
        found = services.images.search(
            environment_id, query, after=_cursor_of(after), limit=PER_PAGE
        )
        images = found.items
        total = None
        pager = _search_pager(view, search, status, after, found.next_after)
    else:
        request = _page_request(page)
        listed = services.images.list(environment_id, request)
        images = listed.items
        total = listed.total
        pager = _list_pager(view, request.page, listed.total, listed.next_page)
    tiles = [_tile(view, services, image) for image in images]
    return render(
        view, "images.html", page=PAGE, tiles=tiles, pager=pager, total=total, **_form(q, status)
    )


@router.get("/dashboard/images/{image_id}", name="dashboard.image")
def image_page(image_id: str, view: ViewDep, services: ServicesDep) -> Response:
    wanted = _uuid_or_none(image_id)
    environment_id = view.environment_id
    if wanted is None or environment_id is None:
        raise PageError(404, "Image not found", "This environment has no image with that id.")
    try:
        image = services.images.get(environment_id, wanted)
    except ImageNotFoundError:
        raise PageError(
            404, "Image not found", "This environment has no image with that id."
        ) from None
    cdn_url = services.images.cdn_url(image)
    ready = image.status is ImageStatus.READY
    return render(
        view,
        "image.html",
        page=PAGE,
        image=image,
        cdn_url=cdn_url,
        preview_url=f"{cdn_url}@medium" if ready else None,
        ready=ready,
        back_url=_url(view, "/dashboard/images"),
        playground_url=_url(view, "/dashboard/playground", image=str(image.id)),
        facts=_facts(image),
    )


def _form(q: str, status: str) -> dict[str, Any]:
    # Not ``status``: ``render`` takes that as the response's.
    return {"q": q, "status_filter": status, "statuses": STATUSES}


def _status_of(text: str) -> ImageStatus | None:
    if not text:
        return None
    try:
        return ImageStatus(text.strip().upper())
    except ValueError:
        raise PageError(
            400, "Unknown status", f"The status is one of {', '.join(STATUSES)}."
        ) from None


def _uuid_or_none(text: str) -> uuid.UUID | None:
    """A whole image id, in any spelling a user might paste (braces, capitals)."""
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def _cursor_of(text: str) -> uuid.UUID | None:
    if not text:
        return None
    cursor = _uuid_or_none(text)
    if cursor is None:
        raise PageError(400, "Bad page link", "This page link is damaged; start from page one.")
    return cursor


def _page_request(text: str) -> PageRequest:
    try:
        number = int(text)
        return PageRequest(number, PER_PAGE)
    except ValueError:
        raise PageError(400, "No such page", f"Pages are numbered from 1 to {MAX_PAGE}.") from None


def _exact(
    services: ServicesDep,
    environment_id: uuid.UUID,
    image_id: uuid.UUID,
    status: ImageStatus | None,
) -> list[Image]:
    try:
        image = services.images.get(environment_id, image_id)
    except ImageNotFoundError:
        return []
    return [image] if status is None or image.status is status else []


def _tile(view: View, services: ServicesDep, image: Image) -> Tile:
    thumbnail = None
    if image.status is ImageStatus.READY:
        thumbnail = f"{services.images.cdn_url(image)}@thumbnail"
    return Tile(image, thumbnail, _url(view, f"/dashboard/images/{image.id}"))


def _list_pager(view: View, page: int, total: int, next_page: int | None) -> Pager:
    last = max(1, -(-total // PER_PAGE))
    link = "/dashboard/images"
    return Pager(
        first=_url(view, link, page="1") if page > 1 else None,
        previous=_url(view, link, page=str(min(page - 1, last))) if page > 1 else None,
        next=_url(view, link, page=str(next_page)) if next_page else None,
        last=_url(view, link, page=str(last)) if page < last else None,
        summary=f"Page {page:,} of {last:,}".replace(",", "\N{THIN SPACE}"),
    )


def _search_pager(
    view: View, q: str, status: str, after: str, next_after: uuid.UUID | None
) -> Pager:
    link = "/dashboard/images"
    kept = {"q": q, "status": status}
    return Pager(
        first=_url(view, link, **kept) if after else None,
        next=_url(view, link, **kept, after=str(next_after)) if next_after else None,
    )


def _url(view: View, path: str, **params: str) -> str:
    """``path`` in the page's environment, with the non-empty ``params``."""
    query = {key: value for key, value in params.items() if value}
    if view.environment_id is not None:
        query = {"env": str(view.environment_id), **query}
    return f"{path}?{urlencode(query)}" if query else path


def _facts(image: Image) -> list[tuple[str, str]]:
    """The image's recorded facts, as (label, value) rows of the detail page."""
    rows = [
        ("Status", image.status.value),
        ("File name", image.original_filename),
        ("Type", image.mime_type),
        ("Dimensions", _dimensions(image)),
        ("Size", _size(image.size_bytes)),
        ("Uploaded", image.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    if image.pages and image.pages > 1:
        rows.append(("Frames", str(image.pages)))
    if image.purpose:
        rows.append(("Purpose", image.purpose))
    if image.content_sha256:
        rows.append(("SHA-256", image.content_sha256))
    return rows


def _dimensions(image: Image) -> str:
    if not image.width:
        return "not known yet"
    return f"{image.width} \N{MULTIPLICATION SIGN} {image.height} px"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit} ({size:,} bytes)"
