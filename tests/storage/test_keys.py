"""The key rules, which every backend applies before any I/O."""

from __future__ import annotations

import pytest

from imgwired.storage import InvalidBlobKeyError, is_valid_key, validate_key, validate_prefix


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "original",
        "0b6f1c1e-8f0e-4a51-9d7b-3f5a2f8b9c10/7d0e/original",
        "v1.2_thumb-100x100.webp",
        "a..b",  # dots inside a segment are fine; a segment of dots is not
        "-leading-dash",
        "/".join(["s" * 128] * 3 + ["t" * 125]),
    ],
)
def test_valid_keys_are_returned_unchanged(key: str) -> None:
    assert validate_key(key) == key
    assert is_valid_key(key)


@pytest.mark.parametrize("key", ["", "a/", "/a", "a//b", "..", "a/.b", "a:b", "a*", "x" * 129])
def test_invalid_keys_say_why(key: str) -> None:
    with pytest.raises(InvalidBlobKeyError) as caught:
        validate_key(key)
    assert caught.value.detail
    assert not is_valid_key(key)


@pytest.mark.parametrize("prefix", ["", "a", "a/", "env/img", "env/img/"])
def test_a_prefix_is_empty_or_a_key_with_an_optional_trailing_slash(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["/", "a//", "../", "/a/"])
def test_invalid_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(InvalidBlobKeyError):
        validate_prefix(prefix)


def test_an_empty_prefix_can_be_refused() -> None:
    with pytest.raises(InvalidBlobKeyError, match="every blob"):
        validate_prefix("", allow_empty=False)
