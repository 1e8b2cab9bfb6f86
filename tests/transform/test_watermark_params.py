"""Reading the seven watermark parameters: forms, clamps, defaults, and the rules between them."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl, quote

import pytest

from imgwired.errors import InvalidTransformationError
from imgwired.transform.params import Transformation, parse_transformations
from imgwired.transform.values import BlendMode, Gravity, Rotate
from imgwired.transform.watermark_values import (
    Placement,
    WatermarkImage,
    WatermarkPosition,
    WatermarkShadow,
    WatermarkSize,
    WatermarkText,
    placement,
)

MARK = "0190f0c4-7b1e-7cc1-8a5e-3f4d2a1b9c00"


def parse(query: str) -> Transformation:
    return parse_transformations(parse_qsl(query, keep_blank_values=True))


def refusal(query: str) -> str:
    with pytest.raises(InvalidTransformationError) as caught:
        parse(query)
    return caught.value.detail


def as_json(value: object) -> str:
    return quote(json.dumps(value))


def b64(url: str, *, pad: bool = False, alphabet: str = "url") -> str:
    encode = base64.urlsafe_b64encode if alphabet == "url" else base64.standard_b64encode
    text = encode(url.encode()).decode()
    return quote(text if pad else text.rstrip("="), safe="")


# -- watermark (an image id) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (MARK, WatermarkImage(MARK)),
        (MARK.upper(), WatermarkImage(MARK)),
        (f"{MARK}:se", WatermarkImage(MARK, Gravity.SOUTHEAST)),
        (f"{MARK}:soea:10:-5", WatermarkImage(MARK, Gravity.SOUTHEAST, 10.0, -5.0)),
        (f"{MARK}::0.25:0.5", WatermarkImage(MARK, None, 0.25, 0.5)),
        (f"{MARK}:n:99999", WatermarkImage(MARK, Gravity.NORTH, 8192.0)),
        (as_json({"image_id": MARK}), WatermarkImage(MARK)),
        (
            as_json({"imageId": MARK, "gravity": "nw", "x": 4, "y": 6}),
            WatermarkImage(MARK, Gravity.NORTHWEST, 4.0, 6.0),
        ),
    ],
)
def test_watermark_names_an_image_and_optionally_its_position(
    value: str, expected: WatermarkImage
) -> None:
    assert parse(f"wm={value}").watermark == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "not an image id"),
        (MARK.replace("-", ""), "not an image id"),
        (f"{{{MARK}}}", "not a valid JSON object"),
        (f"urn:uuid:{MARK}", "not an image id"),
        (f"{MARK}:attention", "compass gravity"),
        (f"{MARK}:ce:sm", "not a number"),
        (f"{MARK}:se:1:2:3", "more than image_id:gravity:x:y"),
        (f"{MARK}:se:x", "not a number"),
        (as_json({"gravity": "se"}), "needs an image_id"),
        (as_json({"image_id": MARK, "opacity": 1}), "has no field 'opacity'"),
    ],
)
def test_a_malformed_watermark_is_a_400(value: str, reason: str) -> None:
    detail = refusal(f"watermark={value}")
    assert detail.startswith("Invalid value"), detail
    assert "watermark" in detail
    assert reason in detail


# -- watermark_position ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("se", WatermarkPosition(Gravity.SOUTHEAST)),
        ("sowe:10:20", WatermarkPosition(Gravity.SOUTHWEST, 10.0, 20.0)),
        ("ce:0:0:0.5", WatermarkPosition(Gravity.CENTER, 0.0, 0.0, 0.5)),
        ("::-0.5:0.5:multiply", WatermarkPosition(None, None, -0.5, 0.5, BlendMode.MULTIPLY)),
        ("n:0:0:7", WatermarkPosition(Gravity.NORTH, 0.0, 0.0, 1.0)),  # opacity clamps to 1
        ("n:0:0:-1", WatermarkPosition(Gravity.NORTH, 0.0, 0.0, 0.0)),
        ("e:-100000:1", WatermarkPosition(Gravity.EAST, -8192.0, 1.0)),
        ("w::::normal", WatermarkPosition(Gravity.WEST)),
        (
            as_json({"g": "s", "y": 3, "blend": "screen"}),
            WatermarkPosition(Gravity.SOUTH, None, 3.0, blend=BlendMode.SCREEN),
        ),
    ],
)
def test_watermark_position(value: str, expected: WatermarkPosition) -> None:
    for name in ("watermark_position", "watermark_offset", "wmp"):
        assert parse(f"{name}={value}&wmt=x").watermark_position == expected


@pytest.mark.parametrize("value", ["somewhere", "se:1:2:0.5:glow", "se:1:2:0.5:over:1", "entropy"])
def test_a_malformed_watermark_position_is_a_400(value: str) -> None:
    assert "watermark_position" in refusal(f"wmp={value}&wmt=x")


def test_a_position_that_asks_for_nothing_is_none() -> None:
    assert parse("wmp=:::1:normal&wmt=x") == parse("wmt=x")
    # An explicit centre is something: it overrides a gravity given inline with `watermark`.
    assert parse("wmp=ce&wmt=x").watermark_position == WatermarkPosition(Gravity.CENTER)


def test_watermark_position_wins_field_by_field_over_the_inline_position() -> None:
    t = parse(f"wm={MARK}:se:10:20&wmp=:5::0.5")
    assert placement(t.watermark, t.watermark_position) == Placement(
        Gravity.SOUTHEAST, 5.0, 20.0, 0.5
    )
    assert placement(None, None) == Placement()


# -- watermark_size, watermark_rotate, watermark_shadow ----------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100", WatermarkSize(100.0)),
        ("0:40", WatermarkSize(0.0, 40.0)),
        ("0.5:0.25", WatermarkSize(0.5, 0.25)),
        ("::0.3", WatermarkSize(scale=0.3)),
        ("20:20:2", WatermarkSize(20.0, 20.0, 1.0)),  # scale clamps to 1
        ("99999:-4", WatermarkSize(8192.0, 0.0)),
        (as_json({"w": 10, "scale": 0.5}), WatermarkSize(10.0, 0.0, 0.5)),
    ],
)
def test_watermark_size(value: str, expected: WatermarkSize) -> None:
    assert parse(f"wms={value}&wmt=x").watermark_size == expected


def test_a_size_that_asks_for_nothing_is_none() -> None:
    assert parse("wms=0:0:0&wmt=x") == parse("wmt=x")
    assert "watermark_size" in refusal("wms=1:2:3:4&wmt=x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90", Rotate(90.0)),
        ("-45:ff0000", Rotate(315.0, (255, 0, 0, 255))),
        (as_json({"angle": 30, "background": "00f"}), Rotate(30.0, (0, 0, 255, 255))),
        ("360", None),
    ],
)
def test_watermark_rotate(value: str, expected: Rotate | None) -> None:
    for name in ("watermark_rotate", "wm_rot", "wmr"):
        assert parse(f"{name}={value}&wmt=x").watermark_rotate == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", WatermarkShadow()),
        ("t", WatermarkShadow()),
        ("false", None),
        ("0", None),
        ("ff0000", WatermarkShadow((255, 0, 0, 255))),
        ("%23000000cc:5", WatermarkShadow((0, 0, 0, 204), 5.0)),
        ("000:0:-2:400", WatermarkShadow((0, 0, 0, 255), 0.0, -2.0, 400.0)),
        ("000:1000:5000:-5000", WatermarkShadow((0, 0, 0, 255), 100.0, 1024.0, -1024.0)),
        (as_json({"colour": "0:0:255", "sigma": 2}), WatermarkShadow((0, 0, 255, 255), 2.0)),
    ],
)
def test_watermark_shadow(value: str, expected: WatermarkShadow | None) -> None:
    assert parse(f"wmsh={value}&wmt=x").watermark_shadow == expected


@pytest.mark.parametrize("value", ["2", "0:0:255", "000:x", "000:1:2:3:4", "maybe"])
def test_a_malformed_watermark_shadow_is_a_400(value: str) -> None:
    assert "watermark_shadow" in refusal(f"wmsh={value}&wmt=x")


# -- watermark_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Hello", WatermarkText("Hello")),
        ("%C2%A9+Ada+%3A%29", WatermarkText("\u00a9 Ada :)")),
        ("%3Cb%3E%26", WatermarkText("<b>&")),
        (
            as_json({"text": "Hi", "font": "DejaVu  Sans Bold", "size": 40, "color": "fff"}),
            WatermarkText("Hi", "DejaVu Sans Bold", 40.0, (255, 255, 255, 255)),
        ),
        (as_json({"text": "a\nb", "fontSize": 9999}), WatermarkText("a\nb", size=256.0)),
        (as_json({"text": "a", "font_size": 0}), WatermarkText("a", size=1.0)),
    ],
)
def test_watermark_text(value: str, expected: WatermarkText) -> None:
    assert parse(f"wmt={value}").watermark_text == expected


@pytest.mark.parametrize(
    "value",
    [
        "%20%20",
        "a%00b",
        "a%07",
        as_json({"font": "Sans"}),
        as_json({"text": 5}),
        as_json({"text": "a", "font": "Sans; rm"}),
        as_json({"text": "a", "font": "Sans,Serif"}),
        as_json({"text": "a", "size": "big"}),
    ],
)
def test_a_malformed_watermark_text_is_a_400(value: str) -> None:
    assert "watermark_text" in refusal(f"watermark_text={value}")


def test_text_with_separators_cannot_collide_in_the_cache_key() -> None:
    first = parse(f"wmt={as_json({'text': 'a:b', 'size': 30})}").canonical()
    second = parse(f"wmt={as_json({'text': 'a', 'size': 30})}").canonical()
    assert first != second
    assert parse("wmt=Hello").canonical() == parse(f"wmt={as_json({'text': 'Hello'})}").canonical()


# -- watermark_url -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        b64("https://example.com/marks/logo.png?v=2"),
        b64("https://example.com/marks/logo.png?v=2", pad=True),
        b64("https://example.com/marks/logo.png?v=2", alphabet="standard", pad=True),
        b64("https://EXAMPLE.com/marks/logo.png?v=2"),
    ],
)
def test_watermark_url_is_base64_with_or_without_padding(encoded: str) -> None:
    for name in ("watermark_url", "wmu"):
        t = parse(f"{name}={encoded}")
        assert t.watermark_url == "https://example.com/marks/logo.png?v=2"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("https://example.com/a.png", "not base64"),
        ("a", "impossible"),
        (b64("ftp://example.com/a.png"), "scheme"),
        (b64("https://user:pw@example.com/a.png"), "user name"),
        (b64("not a url"), "cannot be used"),
        (quote(base64.urlsafe_b64encode(b"\xff\xfe").decode()), "does not decode"),
    ],
)
def test_a_malformed_watermark_url_is_a_400(value: str, reason: str) -> None:
    detail = refusal(f"wmu={value}")
    assert "watermark_url" in detail
    assert reason in detail


# -- between the parameters --------------------------------------------------------------------


def test_one_source_at_most() -> None:
    detail = refusal(f"wm={MARK}&wmt=hi")
    assert "watermark and watermark_text both name a watermark" in detail
    assert "both name a watermark" in refusal(f"wmt=hi&wmu={b64('https://example.com/a.png')}")


def test_shaping_parameters_without_a_source_ask_for_nothing() -> None:
    t = parse("wmp=se&wms=0.5&wmr=45&wmsh=true")
    assert t == Transformation()
    assert t.is_identity
    assert t.canonical() == ""


def test_a_watermark_is_a_transformation_with_its_own_cache_key() -> None:
    plain = parse("w=100")
    marked = parse(f"w=100&wm={MARK}")
    assert not parse(f"wm={MARK}").is_identity
    assert plain.canonical() != marked.canonical()
    assert f"watermark=({json.dumps(MARK)}:::)" in marked.canonical()
    assert parse(f"wm={MARK}&wmp=se").canonical() == parse(f"watermark={MARK}&wmp=soea").canonical()
