"""The shared DNS-name check: UTS 46 mapping first, and a stored form that is a fixed point."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imgwired.dns_names import DnsNameError, map_dns_text, normalise_dns_name, shown
from tests.dns_text import PROPERTY, any_text, dns_names


@PROPERTY
@given(st.one_of(any_text(), dns_names()))
def test_mapping_is_idempotent_and_names_are_fixed_points(text: str) -> None:
    try:
        mapped = map_dns_text(text, noun="host")
    except DnsNameError as exc:
        str(exc).encode("utf-8")
        return
    assert map_dns_text(mapped, noun="host") == mapped
    try:
        name = normalise_dns_name(text, noun="host")
    except DnsNameError as exc:
        str(exc).encode("utf-8")
        return
    assert name.isascii()
    assert normalise_dns_name(name, noun="host") == name
    assert normalise_dns_name(mapped, noun="host") == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("App.Example.COM", "app.example.com"),
        ("app\uff0eexample\u3002com", "app.example.com"),
        ("\u2460.example", "1.example"),
        ("B\u00fccher.example", "xn--bcher-kva.example"),
        ("stra\u00dfe.example", "xn--strae-oqa.example"),
    ],
)
def test_names_are_mapped_then_encoded(text: str, name: str) -> None:
    assert normalise_dns_name(text, noun="host") == name


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a\u3002\u3002b", "empty label"),
        ("example.com\u3002", "empty label"),
        ("a\u2474.example", "invalid character '('"),
        ("a\u2603.example", "internationalised"),
        ("\ud800.example", "internationalised"),
    ],
)
def test_refusals_judge_the_mapped_text(text: str, words: str) -> None:
    with pytest.raises(DnsNameError) as refused:
        normalise_dns_name(text, noun="host")
    assert words in str(refused.value)


def test_shown_text_is_cut_and_encodable() -> None:
    assert shown("x" * 100) == "x" * 80
    assert shown("a\ud800b") == "a\\ud800b"
