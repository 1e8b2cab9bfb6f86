"""The access log never carries upload tokens or URL signatures."""

from __future__ import annotations

import logging

import pytest

from imgwired.web.access_log import RedactSecrets, redact


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "/api/v1/images/standard_upload?upload_token=ut_abc",
            "/api/v1/images/standard_upload?upload_token=[redacted]",
        ),
        ("/upload/e/i?expires=1&signature=ff00", "/upload/e/i?expires=1&signature=[redacted]"),
        ("/x?a=1&UPLOAD_TOKEN=zz&b=2", "/x?a=1&UPLOAD_TOKEN=[redacted]&b=2"),
        ("/x?not_signature=keep", "/x?not_signature=keep"),
        ("/api/v1/images/", "/api/v1/images/"),
    ],
)
def test_secret_query_values_are_redacted(target: str, expected: str) -> None:
    assert redact(target) == expected


def test_the_filter_rewrites_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/i?upload_token=ut_secret", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record) is True
    assert "ut_secret" not in record.getMessage()
    assert "upload_token=[redacted]" in record.getMessage()
