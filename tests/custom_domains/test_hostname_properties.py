"""parse_hostname is idempotent for every Unicode input: mapping first, then every check."""

from __future__ import annotations

import idna
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from imgwired.custom_domains.hostnames import parse_hostname
from imgwired.errors import InvalidHostnameError
from tests.dns_text import PROPERTY, any_text, dns_names

PREFIXES = ["", "", "", "images.", "\uff49mages\uff0e", "*.", "https://", "\u2460\u3002"]
SUFFIXES = ["", "", "", "", ".", "\u3002", ":443", "\uff1a443", "/", "\uff0fpath", "\uff03top"]


@st.composite
def plausible_hostnames(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(PREFIXES)) + draw(dns_names())
    return name + draw(st.sampled_from(SUFFIXES))


def assert_idempotent(raw: str) -> None:
    """A refusal is the documented error; a success parses again to itself."""
    try:
        stored = parse_hostname(raw)
    except InvalidHostnameError as exc:
        exc.detail.encode("utf-8")  # shown in a JSON body, whatever was typed
        return
    assert stored.isascii(), stored
    assert parse_hostname(stored) == stored, (raw, stored)
    mapped = idna.uts46_remap(raw.strip(), std3_rules=False, transitional=False)
    assert parse_hostname(mapped) == stored, (raw, mapped)


@PROPERTY
@given(any_text())
@example("img.example.\u2460")
@example("img.example.com\u3002")
def test_arbitrary_text_is_refused_or_parses_to_itself(raw: str) -> None:
    assert_idempotent(raw)


@PROPERTY
@given(plausible_hostnames())
def test_plausible_hostnames_are_refused_or_parse_to_themselves(raw: str) -> None:
    assert_idempotent(raw)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("img.example.com\u3002", "img.example.com"),
        ("IMG\uff0eexample\uff0ecom", "img.example.com"),
        ("\u2460.example.com", "1.example.com"),
        ("\u212a.example.com", "k.example.com"),
    ],
)
def test_compatibility_spellings_store_their_mapped_form(raw: str, stored: str) -> None:
    assert parse_hostname(raw) == stored
    assert parse_hostname(stored) == stored


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("img.example.\u2460", "ip address"),
        ("\u2460\u3002\u2460\u3002\u2460\u3002\u2460", "ip address"),
        ("img.example.com\u3002\u3002", "empty label"),
        ("\uff0a.example.com", "wildcard"),
        ("img.example.com\uff1a8443", "port"),
        ("img.example.com\uff0fphotos", "path"),
        ("https\uff1a//img.example.com", "scheme"),
        ("img\u00ad.example.com", "invisible"),
    ],
)
def test_refusals_apply_to_the_mapped_form(raw: str, words: str) -> None:
    with pytest.raises(InvalidHostnameError) as refused:
        parse_hostname(raw)
    assert words in refused.value.detail.lower(), refused.value.detail
