"""Accept header to output bucket."""

from __future__ import annotations

import pytest

from imgwired.transform.grammar.params import OutputFormat
from imgwired.transform.negotiate import negotiate


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # Chromium, Firefox and Safari image requests.
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", OutputFormat.AVIF),
        ("image/avif,image/webp,*/*", OutputFormat.AVIF),
        (
            "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,"
            "image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
            OutputFormat.AVIF,
        ),
        ("image/webp,*/*", OutputFormat.WEBP),
        ("IMAGE/WEBP", OutputFormat.WEBP),
        (" image/webp ; q=0.5 ", OutputFormat.WEBP),
        ("image/avif;q=0,image/webp", OutputFormat.WEBP),
        ("image/avif;q=0.0;foo=bar, image/webp;q=0", None),
        ("image/avif;q=abc", None),
        ("image/*,*/*", None),
        ("*/*", None),
        ("", None),
        (None, None),
        (",,,;;;", None),
        ("image/jpeg", None),
        ("x" * 5000 + ",image/avif", None),  # beyond the length looked at
    ],
)
def test_negotiate(accept: str | None, expected: OutputFormat | None) -> None:
    assert negotiate(accept) is expected
