from __future__ import annotations

import pytest

from imgwired.imaging.formats import EXTENSIONS, extension_for, is_directly_deliverable
from imgwired.media_types import SupportedMimeType as Mime


def test_every_supported_type_has_an_extension() -> None:
    assert set(EXTENSIONS) == set(Mime)
    assert [extension_for(mime) for mime in Mime] == [
        "jpg", "jxl", "png", "webp", "avif", "gif", "ico", "heic", "bmp", "tiff",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("mime_type", "deliverable"),
    [
        (Mime.JPEG, True),
        (Mime.PNG, True),
        (Mime.WEBP, True),
        (Mime.GIF, True),
        (Mime.AVIF, True),
        (Mime.ICO, True),
        (Mime.HEIC, False),
        (Mime.TIFF, False),
        (Mime.BMP, False),
        (Mime.JXL, False),
    ],
)
def test_only_what_every_browser_shows_is_directly_deliverable(
    mime_type: Mime, deliverable: bool
) -> None:
    assert is_directly_deliverable(mime_type) is deliverable
