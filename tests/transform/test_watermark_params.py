"""Reading the seven watermark parameters: forms, clamps, defaults, and the rules between them."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl, quote

import pytest

from imgwired.errors import InvalidTransformationError
from imgwired.transform.grammar.params import Transformation, parse_transformations
from imgwired.transform.grammar.values import BlendMode, Gravity, Rotate
from imgwired.transform.grammar.watermark_values import (
    Placement,
    TextAlign,
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
    ("value", "position"),
    [
        (MARK, None),
        (MARK.upper(), None),
        (f"{MARK}:se", WatermarkPosition(Gravity.SOUTHEAST)),
        (f"{MARK}:soea:10:-5", WatermarkPosition(Gravity.SOUTHEAST, 10.0, -5.0)),
        (f"{MARK}::0.25:0.5", WatermarkPosition(None, 0.25, 0.5)),
        (f"{MARK}:n:99999", WatermarkPosition(Gravity.NORTH, 8192.0)),
        # The Python builder leaves out an empty gravity: a number after the id is x.
        (f"{MARK}:5:6", WatermarkPosition(None, 5.0, 6.0)),
        # A mark has nothing to look for: smart gravities are the centre.
        (f"{MARK}:attention", None),
        (f"{MARK}:entropy:5", WatermarkPosition(None, 5.0)),
        (as_json({"image_id": MARK}), None),
        (
            as_json({"imageId": MARK, "gravity": "nw", "x": 4, "y": 6}),
            WatermarkPosition(Gravity.NORTHWEST, 4.0, 6.0),
        ),
        (
            as_json({"imageId": MARK, "opacity": 0.5, "blend": "multiply"}),
            WatermarkPosition(opacity=0.5, blend=BlendMode.MULTIPLY),
        ),
        (as_json({"imageId": MARK, "left": 4, "top": 6}), WatermarkPosition(None, 4.0, 6.0)),
        (as_json({"imageId": MARK, "offset": {"x": 4}}), WatermarkPosition(None, 4.0)),
        (
            as_json({"imageId": MARK, "x": 1, "left": 2, "offset": {"x": 3, "y": 4}}),
            WatermarkPosition(None, 1.0, 4.0),
        ),
    ],
)
def test_watermark_names_an_image_and_optionally_its_position(
    value: str, position: WatermarkPosition | None
) -> None:
    t = parse(f"wm={value}")
    assert t.watermark == WatermarkImage(MARK)
    # The position given with the image is read as watermark_position.
    assert t.watermark_position == position


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "not an image id"),
        (MARK.replace("-", ""), "not an image id"),
        (f"{{{MARK}}}", "not a valid JSON object"),
        (f"urn:uuid:{MARK}", "not an image id"),
        (f"{MARK}:ce:sm", "not a number"),
        (f"{MARK}:se:1:2:3", "more than image_id:gravity:x:y"),
        (f"{MARK}:5:6:7", "more than image_id:gravity:x:y"),
        (f"{MARK}:se:x", "not a number"),
        (as_json({"gravity": "se"}), "needs an image_id"),
        (as_json({"image_id": MARK, "size": 1}), "has no field 'size'"),
        (as_json({"image_id": MARK, "offset": 5}), "offset that is not an object"),
        (as_json({"image_id": MARK, "offset": {"z": 1}}), "has no field 'z'"),
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
        # What equals the default is left out: one spelling per placement.
        ("ce:0:0:0.5", WatermarkPosition(opacity=0.5)),
        ("::-0.5:0.5:multiply", WatermarkPosition(None, None, -0.5, 0.5, BlendMode.MULTIPLY)),
        ("n:0:0:7", WatermarkPosition(Gravity.NORTH)),  # opacity clamps to 1
        ("n:0:0:-1", WatermarkPosition(Gravity.NORTH, opacity=0.0)),
        ("e:-100000:1", WatermarkPosition(Gravity.EAST, -8192.0, 1.0)),
        ("w::::normal", WatermarkPosition(Gravity.WEST)),
        ("attention:5:5", WatermarkPosition(None, 5.0, 5.0)),
        (
            as_json({"g": "s", "y": 3, "blend": "screen"}),
            WatermarkPosition(Gravity.SOUTH, None, 3.0, blend=BlendMode.SCREEN),
        ),
        (
            as_json({"gravity": "se", "left": 5, "top": 6, "opacity": 0.85, "blend": "over"}),
            WatermarkPosition(Gravity.SOUTHEAST, 5.0, 6.0, 0.85),
        ),
        (as_json({"offset": {"y": 2}}), WatermarkPosition(None, None, 2.0)),
    ],
)
def test_watermark_position(value: str, expected: WatermarkPosition) -> None:
    for name in ("watermark_position", "watermark_offset", "wmp"):
        assert parse(f"{name}={value}&wmt=x").watermark_position == expected


@pytest.mark.parametrize("value", ["somewhere", "se:1:2:0.5:glow", "se:1:2:0.5:over:1", "ce:sm"])
def test_a_malformed_watermark_position_is_a_400(value: str) -> None:
    assert "watermark_position" in refusal(f"wmp={value}&wmt=x")


def test_a_position_that_asks_for_nothing_is_none() -> None:
    assert parse("wmp=:::1:normal&wmt=x") == parse("wmt=x")
    assert parse("wmp=ce&wmt=x") == parse("wmt=x")
    # An explicit centre overrides a gravity given inline with `watermark`.
    assert parse(f"wmp=ce&wm={MARK}:se") == parse(f"wm={MARK}")
    assert parse(f"wmp=::::normal&wm={json.dumps({'imageId': MARK, 'blend': 'screen'})}") == (
        parse(f"wm={MARK}")
    )


def test_watermark_position_wins_field_by_field_over_the_inline_position() -> None:
    t = parse(f"wm={MARK}:se:10:20&wmp=:5::0.5")
    assert placement(t.watermark_position) == Placement(Gravity.SOUTHEAST, 5.0, 20.0, 0.5)
    assert placement(None) == Placement()
    assert parse(f"wm={MARK}:se").canonical() == parse(f"wm={MARK}&wmp=soea").canonical()


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
        (
            as_json({"color": {"r": 0, "g": 0, "b": 255, "alpha": 0.5}}),
            WatermarkShadow((0, 0, 255, 128)),
        ),
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
        (
            as_json({"text": "a", "color": {"r": 255, "g": 0, "b": 0}, "align": "Center"}),
            WatermarkText("a", color=(255, 0, 0, 255), align=TextAlign.CENTRE),
        ),
        (as_json({"text": "a", "align": "right"}), WatermarkText("a", align=TextAlign.RIGHT)),
    ],
)
def test_watermark_text(value: str, expected: WatermarkText) -> None:
    assert parse(f"wmt={value}").watermark_text == expected


def test_a_position_and_a_size_given_with_the_text_shape_it() -> None:
    given = {"text": "a", "gravity": "nw", "x": 3, "opacity": 0.5, "width": 40, "height": 20}
    t = parse(f"wmt={as_json(given)}")
    assert t.watermark_text == WatermarkText("a")
    assert t.watermark_position == WatermarkPosition(Gravity.NORTHWEST, 3.0, opacity=0.5)
    assert t.watermark_size == WatermarkSize(40.0, 20.0)
    # watermark_position and watermark_size win, field by field.
    t = parse(f"wmt={as_json(given)}&wmp=se&wms=0:10")
    assert t.watermark_position == WatermarkPosition(Gravity.SOUTHEAST, 3.0, opacity=0.5)
    assert t.watermark_size == WatermarkSize(40.0, 10.0)


def test_texts_as_long_as_the_official_builders_send_are_read() -> None:
    assert parse("wmt=" + "x" * 2048).watermark_text == WatermarkText("x" * 2048)
    long = as_json({"text": "y" * 2048, "size": 12})
    assert parse(f"wmt={long}").watermark_text == WatermarkText("y" * 2048, size=12.0)
    assert "too long" in refusal("wmt=" + "x" * 8193)


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
        as_json({"text": "a", "align": "justify"}),
        as_json({"text": "a", "width": "wide"}),
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


def test_the_first_source_given_is_used() -> None:
    # In the order watermark, watermark_text, watermark_url, as the Node builder keeps them.
    url = b64("https://example.com/a.png")
    assert parse(f"wm={MARK}&wmt=hi&wmu={url}") == parse(f"wm={MARK}")
    assert parse(f"wmu={url}&wmt=hi") == parse("wmt=hi")
    # What is given with a dropped source goes with it.
    assert parse(f"wm={MARK}&wmt={as_json({'text': 'hi', 'gravity': 'se'})}") == parse(f"wm={MARK}")
    # A source that is dropped must still be well formed.
    assert "watermark_url" in refusal(f"wm={MARK}&wmu=%%%")


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
    assert f"watermark=({json.dumps(MARK)})" in marked.canonical()
    assert parse(f"wm={MARK}&wmp=se").canonical() == parse(f"watermark={MARK}&wmp=soea").canonical()
