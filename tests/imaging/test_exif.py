from __future__ import annotations

import pytest

from imgwired.imaging.exif import MAX_STRING_LENGTH, MAX_TAGS, exif_from_fields, parse_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Canon (Canon, ASCII, 6 components, 6 bytes)", "Canon"),
        ("EOS (R5) (EOS (R5), ASCII, 9 components, 9 bytes)", "EOS (R5)"),
        (
            "2024:01:02 03:04:05 (2024:01:02 03:04:05, ASCII, 20 components, 20 bytes)",
            "2024:01:02 03:04:05",
        ),
        ("6 (Internal error (unknown value 6), Short, 1 components, 2 bytes)", 6),
        ("6 (Right-top, Short, 1 components, 2 bytes)", 6),
        ("400 (400, Short, 1 components, 2 bytes)", 400),
        ("64 (64, Long, 1 components, 4 bytes)", 64),
        ("-2 (-2, SLong, 1 components, 4 bytes)", -2),
        ("1/250 (1/250 sec., Rational, 1 components, 8 bytes)", 0.004),
        ("28/10 (f/2.8, Rational, 1 components, 8 bytes)", 2.8),
        ("-1/3 (-0.33 EV, SRational, 1 components, 8 bytes)", -1 / 3),
        ("51/1 30/1 1234/100 (51, 30, 12.34, Rational, 3 components, 24 bytes)", "51, 30, 12.34"),
        ("1.5 (1.5, Float, 1 components, 4 bytes)", 1.5),
    ],
)
def test_values_are_plain_and_typed(text: str, expected: str | int | float) -> None:
    value = parse_value(text)
    assert value == pytest.approx(expected) if isinstance(expected, float) else value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "Exif Version 2.1 (Exif Version 2.1, Undefined, 4 components, 4 bytes)",
        "1 2 3 (1 2 3, Undefined, 3 components, 3 bytes)",
        "1/0 (1/0, Rational, 1 components, 8 bytes)",
        "nan (nan, Double, 1 components, 8 bytes)",
        "x (x, Short, 1 components, 2 bytes)",
        "no libvips suffix at all",
        "",
    ],
)
def test_binary_and_unparseable_values_are_skipped(text: str) -> None:
    assert parse_value(text) is None


def test_long_strings_are_capped() -> None:
    long = "x" * 1000
    value = parse_value(f"{long} ({long}, ASCII, 1001 components, 1001 bytes)")
    assert value == "x" * MAX_STRING_LENGTH


def test_fields_become_bare_tag_names_without_the_thumbnail_ifd() -> None:
    exif = exif_from_fields(
        [
            ("exif-ifd0-Make", "Canon (Canon, ASCII, 6 components, 6 bytes)"),
            ("exif-ifd0-Orientation", "6 (Right-top, Short, 1 components, 2 bytes)"),
            ("exif-ifd1-Orientation", "1 (Top-left, Short, 1 components, 2 bytes)"),
            ("exif-ifd1-JPEGInterchangeFormat", "1234 (1234, Long, 1 components, 4 bytes)"),
            (
                "exif-ifd2-MakerNote",
                "61 bytes undefined data (61, Undefined, 61 components, 61 bytes)",
            ),
            ("exif-ifd3-GPSLatitudeRef", "N (N, ASCII, 2 components, 2 bytes)"),
            ("exif-data", "not a tag"),
            ("orientation", "6"),
        ]
    )
    assert exif == {"Make": "Canon", "Orientation": 6, "GPSLatitudeRef": "N"}


def test_the_number_of_tags_is_capped() -> None:
    fields = [(f"exif-ifd0-Tag{i}", f"{i} ({i}, Long, 1 components, 4 bytes)") for i in range(1000)]
    assert len(exif_from_fields(fields)) == MAX_TAGS
