"""The app's routes and the endpoint-class table of ``paths.py`` agree.

Every route under /api/v1 has the class its authentication implies (a route a client key may
call is client-callable, every other is server-only), and every route the table names exists
with the methods the table gives it and no key at all (its URL is its credential, or it is
public).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from imgwired import paths
from imgwired.accounts.auth import Access
from imgwired.paths import ENDPOINTS, EndpointClass, classify

_SAMPLE = str(uuid.UUID(int=7))
_TABLE_PREFIXES = (paths.UPLOAD_PREFIX, paths.DOWNLOAD_PREFIX, paths.CDN_PREFIX, paths.SDK_PREFIX)


def _accesses(dependant: Dependant) -> set[Access]:
    found: set[Access] = set()
    access = getattr(dependant.call, "access", None)
    if isinstance(access, Access):
        found.add(access)
    for sub in dependant.dependencies:
        found |= _accesses(sub)
    return found


@dataclass(frozen=True)
class _Route:
    path: str
    methods: frozenset[str]
    accesses: frozenset[Access]


def _routes(app: FastAPI) -> list[_Route]:
    """Every route of ``app``, included routers flattened (as FastAPI itself matches them)."""
    found: list[_Route] = []
    for entry in app.routes:
        # FastAPI keeps an included router as one entry and matches its routes in context.
        contexts: Any = getattr(entry, "effective_route_contexts", None)
        for route in contexts() if contexts is not None else [entry]:
            # A plain Starlette route in a router is carried by a context without a path.
            original = getattr(route, "original_route", route)
            path = getattr(route, "path", None) or getattr(original, "path", None)
            if not path:
                continue
            dependant: Any = getattr(route, "dependant", None)
            accesses = _accesses(dependant) if dependant is not None else set()
            methods = frozenset(
                getattr(route, "methods", None) or getattr(original, "methods", None) or ()
            )
            found.append(_Route(path, methods, frozenset(accesses)))
    return found


def _sample_path(template: str) -> str:
    """A request path the route at ``template`` answers (every parameter an id)."""
    return paths._pattern(template).pattern.replace("([^/]+)", _SAMPLE).replace("\\", "")


def test_every_api_route_has_the_class_its_authentication_implies(app: FastAPI) -> None:
    checked = 0
    for route in _routes(app):
        if not route.path.startswith(paths.API_PREFIX + "/"):
            continue
        accesses = route.accesses
        assert accesses, f"{route.path} has no authentication"
        expected = (
            EndpointClass.CLIENT
            if Access.SERVER_OR_CLIENT in accesses
            else EndpointClass.SERVER_ONLY
        )
        for method in route.methods:
            assert classify(_sample_path(route.path), method).kind is expected, (method, route.path)
            checked += 1
    assert checked > 30


def test_every_route_the_table_names_exists_without_a_key(app: FastAPI) -> None:
    routes: dict[str, set[str]] = {}
    keyed: set[str] = set()
    for route in _routes(app):
        routes.setdefault(route.path, set()).update(route.methods)
        if route.accesses:
            keyed.add(route.path)
    for rule in ENDPOINTS:
        assert rule.template in routes, f"no route at {rule.template}"
        # HEAD is GET's shadow: the CORS layer lets it through wherever GET is.
        assert rule.methods - {"HEAD"} <= routes[rule.template], rule.template
        if not rule.template.startswith(paths.API_PREFIX):
            assert rule.template not in keyed, (
                f"{rule.template} takes a key, so it is not a URL of its own"
            )
        for method in rule.methods:
            assert classify(_sample_path(rule.template), method).kind is rule.kind


def test_every_upload_download_and_cdn_route_is_in_the_table(app: FastAPI) -> None:
    templates = {rule.template for rule in ENDPOINTS}
    for route in _routes(app):
        if route.path.startswith(_TABLE_PREFIXES):
            assert route.path in templates, f"{route.path} is not in paths.ENDPOINTS"


def test_no_image_id_is_taken_for_an_operation_of_its_own(app: FastAPI) -> None:
    siblings = {
        route.path.rsplit("/", 1)[1]
        for route in _routes(app)
        if route.path.count("/") == paths.IMAGE_ROUTE.count("/")
        and route.path.startswith(paths.API_PREFIX + "/images/")
        and "{" not in route.path
    }
    assert siblings - {""} == paths.IMAGE_OPERATIONS


def test_the_url_builders_fill_the_route_templates() -> None:
    environment_id, image_id = uuid.uuid4(), uuid.uuid4()
    upload = paths.upload_path(environment_id, image_id)
    assert classify(upload, "PUT").environment_id == environment_id
    assert paths.parse_upload_path(upload) == (environment_id, str(image_id))
    assert paths.download_path(environment_id, image_id).endswith(f"/{image_id}.zip")
    assert classify(paths.cdn_path(image_id, environment_id, "x@p"), "GET").name == "cdn"
