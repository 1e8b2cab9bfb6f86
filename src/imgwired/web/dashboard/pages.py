"""The overview, and every page of the navigation that is its template alone (Upload: the
page's script does the work).

A page with a module of its own (``images.py`` ...) registers its route before this router, so
its route answers and the generic one below never does.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

from imgwired.web.dashboard.nav import BY_SLUG, HOME, PREFIX, href
from imgwired.web.dashboard.views import PageError, ViewDep, render

router = APIRouter()


@router.get(PREFIX, name="dashboard")
@router.get(PREFIX + "/", name="dashboard.overview", include_in_schema=False)
def overview(view: ViewDep) -> Response:
    """The overview is the first page, in the environment the session works in."""
    return RedirectResponse(href(HOME, view.environment_id), status_code=303)


@router.get(PREFIX + "/{slug}", name="dashboard.page")
def template_page(slug: str, view: ViewDep) -> Response:
    item = BY_SLUG.get(slug)
    if item is None:
        raise PageError(404, "Page not found", "The dashboard has no page at this address.")
    return render(view, item.template, page=item)
