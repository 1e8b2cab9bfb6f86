"""The dashboard's pages, in the order the navigation lists them: one table, read by the
layout's nav, the placeholder route and the tests that visit every page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

PREFIX = "/dashboard"


@dataclass(frozen=True, slots=True)
class NavItem:
    slug: str
    title: str

    @property
    def path(self) -> str:
        return f"{PREFIX}/{self.slug}"

    @property
    def template(self) -> str:
        return f"{self.slug.replace('-', '_')}.html"


NAV: tuple[NavItem, ...] = (
    NavItem("images", "Images"),
    NavItem("upload", "Upload"),
    NavItem("playground", "Playground"),
    NavItem("cors", "CORS"),
    NavItem("api-keys", "API keys"),
    NavItem("custom-domain", "Custom domain"),
    NavItem("metrics", "Metrics"),
)

BY_SLUG = {item.slug: item for item in NAV}
# Where ``/dashboard`` and a fresh sign-in land.
HOME = NAV[0]


def href(item: NavItem, environment_id: uuid.UUID | None) -> str:
    """The page's URL in ``environment_id``: the environment travels in the link, so two tabs
    can work in two environments."""
    if environment_id is None:
        return item.path
    return f"{item.path}?{urlencode({'env': str(environment_id)})}"
