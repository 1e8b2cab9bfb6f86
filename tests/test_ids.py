"""``canonical_id()``: one spelling of a UUID names a resource; every other spelling names none."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from imgwired.ids import canonical_id, is_other_spelling


def other_spellings(value: uuid.UUID) -> list[str]:
    """What ``uuid.UUID()`` also reads as ``value``, beside its canonical spelling."""
    text = str(value)
    return [text.upper(), value.hex, f"{{{text}}}", f"urn:uuid:{text}", text.replace("a", "A")]


@given(st.uuids())
def test_the_canonical_spelling_is_read(value: uuid.UUID) -> None:
    assert canonical_id(str(value)) == value
    assert not is_other_spelling(str(value))


@given(st.uuids())
def test_other_spellings_are_recognised_and_refused(value: uuid.UUID) -> None:
    for text in other_spellings(value):
        if text == str(value):
            continue  # an id without the letter a: that spelling is the canonical one
        assert canonical_id(text) is None, text
        assert is_other_spelling(text), text


@given(st.text(max_size=60))
def test_anything_read_is_spelled_canonically(text: str) -> None:
    found = canonical_id(text)
    assert found is None or str(found) == text


def test_text_that_is_no_uuid_is_neither() -> None:
    for text in ("", "not-an-id", "0" * 36, "g" * 32):
        assert canonical_id(text) is None
        assert not is_other_spelling(text)
