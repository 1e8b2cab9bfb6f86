"""Signed URLs: any text offered as a signature gets an answer, never an exception."""

from __future__ import annotations

import pytest

from imgwired.signing import new_signing_secret, sign, verify

SECRET = new_signing_secret()


def test_a_valid_signature_verifies_until_it_expires() -> None:
    signature = sign(SECRET, "env", "image", expires=1000)
    assert verify(SECRET, "env", "image", expires=1000, signature=signature, now=999) == ""
    assert verify(SECRET, "env", "image", expires=1000, signature=signature, now=1001) == "expired"


@pytest.mark.parametrize(
    "signature", ["", "é", "\ud800", "\x00", "\uff41" * 64, "É" * 64, "f" * 10_000, "0" * 64]
)
def test_any_other_text_is_invalid(signature: str) -> None:
    assert verify(SECRET, "env", "image", expires=1000, signature=signature, now=0) == "invalid"


def test_a_signature_for_other_parts_or_expiry_is_invalid() -> None:
    signature = sign(SECRET, "env", "image", expires=1000)
    assert verify(SECRET, "env", "other", expires=1000, signature=signature, now=0) == "invalid"
    assert verify(SECRET, "env", "image", expires=1001, signature=signature, now=0) == "invalid"
    assert verify(SECRET, "env", "image", expires=-1000, signature=signature, now=0) == "invalid"
