"""Hypothesis strategies for text that people type as DNS names, Unicode mixed in.

Shared by the property tests of ``dns_names``, CORS origin patterns and custom-domain hostnames:
the examples aim at the places where a UTS 46 mapping changes what a check sees (label
boundaries, the last label, ports, wildcards, ignorable and invisible characters).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded so each property takes a few seconds.
PROPERTY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that a UTS 46 mapping turns into something else, and some that it keeps.
COMPATIBLE = [
    "\u2460",  # ① -> 1
    "\u2474",  # ⑴ -> (1)
    "\uff0e",  # fullwidth full stop -> .
    "\u3002",  # ideographic full stop -> .
    "\uff61",  # halfwidth ideographic full stop -> .
    "\uff0a",  # fullwidth asterisk -> *
    "\uff1a",  # fullwidth colon -> :
    "\uff0f",  # fullwidth solidus -> /
    "\uff20",  # fullwidth commercial at -> @
    "\uff21",  # fullwidth A -> a
    "\uff18",  # fullwidth 8 -> 8
    "\u00b9",  # superscript one -> 1
    "\u2126",  # ohm sign -> omega
    "\u212a",  # kelvin sign -> k
    "\u00a8",  # diaeresis -> space + combining mark
    "\u00ad",  # soft hyphen, ignored
    "\ufe0f",  # variation selector, ignored
    "\u200b",  # zero width space, ignored
    "\u200c",  # zero width non-joiner, kept (CONTEXTJ)
    "\u0130",  # capital I with dot above
    "\u1e9e",  # capital sharp s -> ß
    "\u00df",  # ß, kept (non-transitional)
    "\u03c2",  # final sigma, kept
    "\u00fc",  # ü
    "\u0308",  # combining diaeresis
    "\u0661",  # Arabic-Indic digit one (bidi rules)
    "\u05d0",  # Hebrew alef (bidi rules)
    "\ufdfa",  # one character that maps to eighteen, spaces included
    "\ud800",  # a lone surrogate, which a JSON body can carry
]
SEPARATORS = [".", "\u3002", "\uff0e", "\uff61"]
TLDS = ["com", "co.uk", "github.io", "localhost", "example", "1", "\u2460", "0x1f", "xn--p1ai"]


def any_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text at all; Hypothesis leaves surrogates out by default, so they are asked for."""
    return st.text(st.characters(codec=None, exclude_categories=()), max_size=max_size)


@st.composite
def labels(draw: st.DrawFn) -> str:
    """Mostly a plain label, often with one character that the mapping changes put in it."""
    label = draw(st.text("abcxyz019-", min_size=1, max_size=6))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(label)))
        label = label[:at] + draw(st.sampled_from(COMPATIBLE)) + label[at:]
    return label


@st.composite
def dns_names(draw: st.DrawFn) -> str:
    """``label(.label)*.tld[.]`` with separators and characters that UTS 46 maps."""
    separators = st.sampled_from([".", ".", ".", *SEPARATORS])
    parts = [*draw(st.lists(labels(), min_size=1, max_size=3)), draw(st.sampled_from(TLDS))]
    name = "".join(label + draw(separators) for label in parts)[:-1]
    if draw(st.integers(0, 4)) == 0:
        name += draw(separators)
    return name
