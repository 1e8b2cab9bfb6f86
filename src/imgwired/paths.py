"""The one table of URLs: which endpoint class a URL belongs to, and how the URLs the server
hands out (upload, download, CDN) are laid out.

The CORS layer classifies every request with ``classify()``, the routes are mounted at the
templates below, and the URL builders fill the same templates in. Endpoint classes
(DESIGN.md section 5):

- server-only: everything not in ``ENDPOINTS`` as browser-facing; no CORS headers, a preflight
  gets 403.
- client: ``POST /api/v1/images/standard_upload`` and ``GET /api/v1/images/{image_id}``; the
  environment's allowlist and policy.
- upload: the ``PUT`` behind an upload URL; the image's environment's allowlist and policy.
- public: CDN delivery and the browser SDK; ``*``, no credentials.

``tests/web/test_endpoint_classes.py`` checks that the app's routes and this table agree.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass

from imgwired.ids import canonical_id

API_PREFIX = "/api/v1"
UPLOAD_PREFIX = "/upload/"
DOWNLOAD_PREFIX = "/downloads/"
CDN_PREFIX = "/cdn/"
SDK_PREFIX = "/sdk/"

UPLOAD_ROUTE = "/upload/{environment_id}/{image_id}"
DOWNLOAD_ROUTE = "/downloads/{environment_id}/{file_name}"
CDN_ROUTE = "/cdn/{organization_id}/{environment_id}/{image_ref}"
SDK_ROUTE = "/sdk/imgwire.js"
IMAGE_ROUTE = API_PREFIX + "/images/{image_id}"
STANDARD_UPLOAD_ROUTE = API_PREFIX + "/images/standard_upload"

# Names under /api/v1/images/ that are operations, not image ids.
IMAGE_OPERATIONS = frozenset(
    {"standard_upload", "upload_via_url", "token", "downloads", "bulk_delete"}
)


class EndpointClass(enum.Enum):
    SERVER_ONLY = "server_only"
    CLIENT = "client"
    UPLOAD = "upload"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class EndpointRule:
    """One row of the table: the route at ``template`` answers ``methods`` in class ``kind``.

    ``space`` widens the class to every path under a prefix, so that a 404 there (a CDN path
    naming nothing) still leaves with the class's headers. ``not_ids`` are the names a
    ``{param}`` segment never takes: they are sibling routes of their own.
    """

    kind: EndpointClass
    name: str
    methods: frozenset[str]
    template: str
    space: str | None = None
    not_ids: frozenset[str] = frozenset()

    def matches(self, path: str, method: str) -> bool:
        if method not in self.methods:
            return False
        if self.space is not None:
            return path.startswith(self.space)
        match = _pattern(self.template).fullmatch(path)
        return match is not None and not (set(match.groups()) & self.not_ids)


_READ = frozenset({"GET", "HEAD"})

ENDPOINTS: tuple[EndpointRule, ...] = (
    EndpointRule(EndpointClass.UPLOAD, "upload", frozenset({"PUT"}), UPLOAD_ROUTE, UPLOAD_PREFIX),
    EndpointRule(EndpointClass.PUBLIC, "cdn", _READ, CDN_ROUTE, CDN_PREFIX),
    EndpointRule(EndpointClass.PUBLIC, "sdk", _READ, SDK_ROUTE, SDK_PREFIX),
    EndpointRule(
        EndpointClass.CLIENT, "standard_upload", frozenset({"POST"}), STANDARD_UPLOAD_ROUTE
    ),
    EndpointRule(EndpointClass.CLIENT, "get_image", _READ, IMAGE_ROUTE, not_ids=IMAGE_OPERATIONS),
    # A download URL is a link for a browser tab or curl, never for a page's script.
    EndpointRule(EndpointClass.SERVER_ONLY, "download", _READ, DOWNLOAD_ROUTE),
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    kind: EndpointClass
    # Counted under this name in the CORS rejections report.
    name: str
    # Known from the URL itself (an upload URL); None until authentication or a lookup says.
    environment_id: uuid.UUID | None = None


SERVER_ONLY = Endpoint(EndpointClass.SERVER_ONLY, "server_only")


def classify(path: str, method: str) -> Endpoint:
    """The class of the endpoint ``method path`` (for a preflight: the method it asks about)."""
    for rule in ENDPOINTS:
        if rule.kind is not EndpointClass.SERVER_ONLY and rule.matches(path, method):
            environment_id = None
            if rule.kind is EndpointClass.UPLOAD:
                # The upload URL names its environment: even its preflight knows whose policy.
                parsed = parse_upload_path(path)
                environment_id = parsed[0] if parsed else None
            return Endpoint(rule.kind, rule.name, environment_id)
    return SERVER_ONLY


def image_id_of(path: str) -> uuid.UUID | None:
    """The image a ``GET /api/v1/images/{image_id}`` path names, in the canonical spelling."""
    match = _pattern(IMAGE_ROUTE).fullmatch(path)
    return canonical_id(match.group(1)) if match else None


def upload_path(environment_id: uuid.UUID, image_id: uuid.UUID) -> str:
    return UPLOAD_ROUTE.format(environment_id=environment_id, image_id=image_id)


def parse_upload_path(path: str) -> tuple[uuid.UUID | None, str] | None:
    """(environment, image segment) of an upload URL path; None when it has another shape."""
    if not path.startswith(UPLOAD_PREFIX):
        return None
    parts = path[len(UPLOAD_PREFIX) :].split("/")
    if len(parts) != 2:
        return None
    return canonical_id(parts[0]), parts[1]


def download_path(environment_id: uuid.UUID, download_id: uuid.UUID) -> str:
    return DOWNLOAD_ROUTE.format(environment_id=environment_id, file_name=f"{download_id}.zip")


def cdn_path(organization_id: uuid.UUID, environment_id: uuid.UUID, image_ref: str) -> str:
    """The CDN path of an image (``image_ref`` is its id, with ``@preset`` if any)."""
    return CDN_ROUTE.format(
        organization_id=organization_id, environment_id=environment_id, image_ref=image_ref
    )


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(template: str) -> re.Pattern[str]:
    """``/a/{x}/b`` as a regular expression in which each ``{param}`` is one path segment."""
    pattern = _PATTERNS.get(template)
    if pattern is None:
        parts = re.split(r"\{[^}]+\}", template)
        pattern = _PATTERNS[template] = re.compile("([^/]+)".join(re.escape(p) for p in parts))
    return pattern
