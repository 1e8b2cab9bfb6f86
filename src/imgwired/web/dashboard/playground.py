"""``/dashboard/playground``: build a CDN URL for one image and see what it renders.

The page offers the common parameters as fields and every other one by name (from the
transformation table the server parses with, so the page never offers what the CDN refuses);
its module writes the URL as the fields change and shows the CDN's answer: the image, or the
400's message when a value is wrong.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.responses import Response

from imgwired.db.models import Image, ImageStatus
from imgwired.errors import ImageNotFoundError
from imgwired.images.service import ImageQuery
from imgwired.transform.grammar.params import PRESETS
from imgwired.transform.grammar.parsers import PARAMETERS
from imgwired.transform.grammar.values import Gravity, OutputFormat, ResizingType
from imgwired.web.dashboard.nav import BY_SLUG, href
from imgwired.web.dashboard.views import ViewDep, render
from imgwired.web.services import ServicesDep

router = APIRouter()

PAGE = BY_SLUG["playground"]
# How many recent READY images the picker shows.
PICKS = 12


@dataclass(frozen=True, slots=True)
class Pick:
    image: Image
    thumbnail_url: str
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class ParameterHint:
    """A parameter of the transformation table, as the "more parameters" field suggests it."""

    name: str
    aliases: str
    accepts: str


@router.get("/dashboard/playground", name="dashboard.playground")
def playground_page(view: ViewDep, services: ServicesDep, image: str = "") -> Response:
    environment_id = view.environment_id
    if environment_id is None:
        return render(view, "playground.html", page=PAGE, chosen=None, picks=[], problem=None)
    chosen, problem = _chosen(services, environment_id, image)
    recent = services.images.search(
        environment_id, ImageQuery(status=ImageStatus.READY), after=None, limit=PICKS
    ).items
    picks = [
        Pick(
            item,
            f"{services.images.cdn_url(item)}@thumbnail",
            f"{href(PAGE, environment_id)}&image={item.id}",
            chosen is not None and item.id == chosen.id,
        )
        for item in recent
    ]
    return render(
        view,
        "playground.html",
        page=PAGE,
        chosen=chosen,
        cdn_url=services.images.cdn_url(chosen) if chosen else None,
        picks=picks,
        problem=problem,
        asked=image,
        presets=list(PRESETS),
        resizing_types=[kind.value for kind in ResizingType],
        gravities=[gravity.value for gravity in Gravity],
        formats=["auto", *(kind.value for kind in OutputFormat)],
        hints=[ParameterHint(p.name, ", ".join(p.aliases), p.accepts) for p in PARAMETERS.values()],
    )


def _chosen(
    services: ServicesDep, environment_id: uuid.UUID, asked: str
) -> tuple[Image | None, str | None]:
    """The image asked for by id, or why it cannot be used here."""
    if not asked.strip():
        return None, None
    try:
        image_id = uuid.UUID(asked.strip())
    except ValueError:
        return None, "That is not an image id."
    try:
        image = services.images.get(environment_id, image_id)
    except ImageNotFoundError:
        return None, "This environment has no image with that id."
    if image.status is not ImageStatus.READY:
        return None, f"That image is {image.status.value.lower()}: only ready images render."
    return image, None
