"""parse_pattern is idempotent for every Unicode input: mapping first, then every check.

A stored pattern is read back by every start and every refresh, so a pattern that normalises to
a form that no longer parses would break its environment for good.
"""

from __future__ import annotations

import idna
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from imgwired.cors.patterns import InvalidOriginPatternError, parse_pattern
from tests.dns_text import PROPERTY, any_text, dns_names

SCHEMES = ["", "", "https://", "http://", "HTTPS://", "ftp://", "\uff48ttps\uff1a//", "https:/"]
WILDCARDS = ["", "", "*.", "\uff0a.", "*\u3002", "*.*.", "a*."]
SPECIAL_HOSTS = ["localhost", "127.0.0.1", "[::1]", "[::\uff11]", "127.0.0.\u2460", "app.\u2460"]
PORTS = ["", "", "", ":8443", ":443", ":80", ":0", ":08080", ":\uff18\uff10", ":", ":99999"]


@st.composite
def plausible_patterns(draw: st.DrawFn) -> str:
    """``[scheme://][*.]name[:port]`` with Unicode where it hurts most."""
    named = draw(st.sampled_from(WILDCARDS)) + draw(dns_names())
    host = named if draw(st.integers(0, 4)) else draw(st.sampled_from(SPECIAL_HOSTS))
    return draw(st.sampled_from(SCHEMES)) + host + draw(st.sampled_from(PORTS))


def assert_idempotent(raw: str) -> None:
    """A refusal is the documented error; a success parses again to itself."""
    try:
        first = parse_pattern(raw)
    except InvalidOriginPatternError as exc:
        # The sentence goes out in a JSON body: it must be encodable whatever was typed.
        str(exc).encode("utf-8")
        return
    stored = first.normalized
    assert stored.isascii(), stored
    assert parse_pattern(stored) == first, (raw, stored)
    # Parsing sees the mapped host only: what UTS 46 maps alike is treated alike.
    mapped = idna.uts46_remap(raw.strip(), std3_rules=False, transitional=False)
    assert parse_pattern(mapped) == first, (raw, mapped)


@PROPERTY
@given(any_text())
@example("app.\u2460")
@example("app.example.com\u3002")
@example("\uff0a\uff0eexample\uff0ecom")
def test_arbitrary_text_is_refused_or_parses_to_itself(raw: str) -> None:
    assert_idempotent(raw)


@PROPERTY
@given(plausible_patterns())
def test_plausible_patterns_are_refused_or_parse_to_themselves(raw: str) -> None:
    assert_idempotent(raw)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("APP\uff0eexample\uff0ecom", "app.example.com"),
        ("\uff0a.example.com", "*.example.com"),
        ("*\u3002example.com", "*.example.com"),
        ("https://\uff21pp.example.com:8443", "https://app.example.com:8443"),
        ("\u2460.example.com", "1.example.com"),
        ("B\u00fccher.example", "xn--bcher-kva.example"),
        ("\u212aelvin.example.com", "kelvin.example.com"),
    ],
)
def test_compatibility_spellings_store_their_mapped_form(raw: str, normalized: str) -> None:
    assert parse_pattern(raw).normalized == normalized
    assert parse_pattern(normalized).normalized == normalized


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("app.\u2460", "ipv4"),
        ("app.example.\u2460", "ipv4"),
        ("127.0.0.\u2460\u2460\u2460\u2460", "ipv4"),
        ("app.example.com\u3002", "end with a dot"),
        ("app.example.com\uff0e", "end with a dot"),
        ("https://app.example.com\uff61", "end with a dot"),
        ("*\uff0ecom", "public suffix"),
        ("\uff0a.co.uk", "public suffix"),
        # The scheme and the port are ASCII, as in a URL; only the host is mapped.
        ("\uff48ttps://app.example.com", "scheme"),
        ("app.example.com:\uff18\uff10\uff18\uff10", "number"),
        ("app.example.com\uff1a\uff18\uff10\uff18\uff10", "stands for ':'"),
        ("app.example.com\uff0fpath", "stands for '/'"),
        ("user\uff20app.example.com", "stands for '@'"),
        ("\uff3b::1\uff3d", "brackets"),
        ("app\u3002\u3002example.com", "empty label"),
        ("\u00a8app.example.com", "whitespace"),
        # Invisible characters are refused as typed, before a mapping could drop them.
        ("app\u00ad.example.com", "invisible"),
        ("app.\ud800.com", "invisible"),
        ("\ufe0f", "no host"),
    ],
)
def test_refusals_apply_to_the_mapped_form(raw: str, words: str) -> None:
    with pytest.raises(InvalidOriginPatternError) as refused:
        parse_pattern(raw)
    assert words in str(refused.value).lower(), str(refused.value)
