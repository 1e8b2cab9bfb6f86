"""Delivery tests run on the filesystem blob store and on S3, like the images tests."""

from __future__ import annotations

from tests.images.conftest import settings

__all__ = ["settings"]
