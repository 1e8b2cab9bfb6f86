"""Parsing CDN query parameters: names, aliases, grammars, normalisation and refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from imgwired.errors import InvalidTransformationError
from imgwired.transform.grammar.params import (
    PRESETS,
    OutputFormat,
    Transformation,
    parse_transformations,
)
from imgwired.transform.grammar.parsers import PARAMETERS, SPELLINGS
from imgwired.transform.grammar.values import (
    Adjust,
    Anchor,
    AspectRatio,
    BlendMode,
    ChromaSubsampling,
    ColorProfile,
    Contrast,
    Crop,
    Duotone,
    Extend,
    ExtendToSize,
    Flip,
    Gradient,
    Gravity,
    Kernel,
    Negate,
    Normalize,
    Padding,
    ResizingType,
    Rotate,
    Share,
    Sharpen,
    Sides,
    Zoom,
)
from imgwired.transform.grammar.watermark_readers import MODIFIERS
from imgwired.transform.grammar.watermark_values import (
    WatermarkImage,
    WatermarkPosition,
    WatermarkShadow,
    WatermarkSize,
    WatermarkText,
)

WATERMARK_ID = "0190f0c4-7b1e-7cc1-8a5e-3f4d2a1b9c00"

# The contract's parameters (tests/contract/transformations.json): name -> aliases.
_TABLE = Path(__file__).resolve().parents[1] / "contract" / "transformations.json"
CONTRACT: dict[str, tuple[str, ...]] = {
    entry["name"]: tuple(entry["aliases"])
    for entry in json.loads(_TABLE.read_text())["transformations"]
}

RED = (255, 0, 0, 255)
BLUE = (0, 0, 255, 255)

# One valid value per parameter, and the field value it parses to.
EXAMPLES: dict[str, tuple[str, Any]] = {
    "adjust": ("1.2:0.8:1.5", Adjust(1.2, 0.8, 1.5)),
    "background": ("f00", RED),
    "background_alpha": ("0.5", 0.5),
    "blur": ("2.5", 2.5),
    "brightness": ("1.5", 1.5),
    "chroma_subsampling": ("4:4:4", ChromaSubsampling.S444),
    "color_profile": ("rgb16", ColorProfile.RGB16),
    "colorize": ("#0000ff", BLUE),
    "contrast": ("1.5:100", Contrast(1.5, 100.0)),
    "crop": ("100:50:north", Crop(100, 50, gravity=Anchor(Gravity.NORTH))),
    "dpi": ("300", 300),
    "dpr": ("2", 2.0),
    "duotone": ("f00:00f", Duotone(RED, BLUE)),
    "enlarge": ("true", True),
    "extend": ("10", Extend(Sides(10, 10, 10, 10))),
    "extend_aspect_ratio": ("16:9", AspectRatio(16 / 9)),
    "flip": ("horizontal", Flip(horizontal=True, vertical=False)),
    "format": ("webp", OutputFormat.WEBP),
    "gradient": ("f00,00f", Gradient((RED, BLUE))),
    "gravity": ("se", Anchor(Gravity.SOUTHEAST)),
    "height": ("600", 600),
    "hue": ("90", 90.0),
    "keep_copyright": ("t", True),
    "lightness": ("0.5", 0.5),
    "min-height": ("10", 10),
    "min-width": ("20", 20),
    "monochrome": ("true", True),
    "negate": ("true", Negate()),
    "normalize": ("1", Normalize()),
    "padding": ("5", Padding(Sides(5, 5, 5, 5))),
    "pixelate": ("8", 8),
    "progressive": ("false", False),
    "quality": ("75", 75),
    "resizing_algorithm": ("nearest", Kernel.NEAREST),
    "resizing_type": ("cover", ResizingType.COVER),
    "rotate": ("90", Rotate(90.0)),
    "saturation": ("2", 2.0),
    "sharpen": ("true", Sharpen()),
    "strip_color_profile": ("false", False),
    "strip_metadata": ("0", False),
    "watermark": (WATERMARK_ID, WatermarkImage(WATERMARK_ID)),
    "watermark_position": ("se:10:20", WatermarkPosition(Gravity.SOUTHEAST, 10.0, 20.0)),
    "watermark_rotate": ("45", Rotate(45.0)),
    "watermark_shadow": ("true", WatermarkShadow()),
    "watermark_size": ("0.25", WatermarkSize(0.25)),
    "watermark_text": ("Hello", WatermarkText("Hello")),
    "watermark_url": ("aHR0cHM6Ly9leGFtcGxlLmNvbS9tYXJrLnBuZw", "https://example.com/mark.png"),
    "width": ("800", 800),
    "zoom": ("2", Zoom(2.0)),
}


def parse(query: str, preset: str | None = None) -> Transformation:
    return parse_transformations(parse_qsl(query, keep_blank_values=True), preset)


def refusal(query: str) -> str:
    with pytest.raises(InvalidTransformationError) as caught:
        parse(query)
    return caught.value.detail


def test_the_table_matches_the_contract() -> None:
    contract = {name: set(aliases) for name, aliases in CONTRACT.items()}
    assert {name: set(p.aliases) for name, p in PARAMETERS.items()} == contract
    assert set(EXAMPLES) == set(PARAMETERS)


@pytest.mark.parametrize(
    ("spelling", "name"), [(spelling, p.name) for spelling, p in SPELLINGS.items()]
)
def test_every_name_and_alias_is_read(spelling: str, name: str) -> None:
    text, expected = EXAMPLES[name]
    # What shapes a watermark is read only alongside a watermark.
    source = [("wmt", "x")] if name in MODIFIERS else []
    transformation = parse_transformations([(spelling, text), *source])
    assert getattr(transformation, PARAMETERS[name].field) == expected


@pytest.mark.parametrize(
    "equivalents",
    [
        ("w=800", "width=800", "width=800.0", "w=800.000"),
        ("bg=%23ff0000", "bg=f00", "background=FF0000", "bg=255:0:0", "bg=ff0000ff"),
        ("bg=255:0:0:0.5", "bg=ff000080"),
        ("g=ce:sm", "gravity=attention", "g=sm", "g=no:sm", "g=attention:10:10"),
        ("g=ne:0:0", "g=ne"),
        ("c=100:50:ce:0:0", "c=100:50:ce", "c=100:50:center"),
        (
            "c=10:10:50:50:attention",
            "c=0:0:50:50:ce:sm",
            'c={"mode":"extract","x":3,"y":4,"width":50,"height":50,"gravity":"attention"}',
        ),
        ('c={"mode":"cover","x":1,"y":2,"width":5,"height":6}', "c=5:6:ce:1:2"),
        ('c={"width":5,"height":6,"x":1}', "c=1:0:5:6"),
        ("pd=3", 'pd={"all":3}'),
        ("gr=f00", "gr=ff000000,ff0000", 'gr={"colors":["#f00"]}'),
        ('gr={"angle":90}', "gr=00000000,000:90"),
        ('norm={"lower":5}', "norm=5:99"),
        ('exar={"ratio":2,"width":16,"height":9}', "exar=2"),
        ("dt=ff0000:0:0:255", "dt=f00:00f", "dt=255:0:0:0:0:255"),
        ('sh={"sigma":2,"m1":3,"flat":1}', 'sh={"sigma":2,"m1":3}'),
        ("g=nw", "g=nowe", "gravity=northwest", "g=NorthWest"),
        ("g=ce", "gravity=center", ""),
        ("resizing_type=fit", "resizing_type=auto", "resizing_type=fill-down", ""),
        ("resizing_type=force", "resizing_type=fill"),
        ("format=jpg&w=10", "format=jpeg&w=10", "f=webp&w=10", "w=10"),
        ("q=auto", "quality=auto", "progressive=auto", "chroma_subsampling=auto", ""),
        ("enlarge=false", "el=0", "strip_metadata=true", "dpr=1", "rot=360", "zoom=1", ""),
        ("mc=false", "negate=false", "normalize=f", "blur=0", "sharpen=false", ""),
        ("flip=false:false", "brightness=1", "contrast=1", "hue=360", "padding=0", ""),
        ("flip=both", "flip=true:true"),
        ("crop=100:50", 'crop={"width":100,"height":50}', 'c={"w":100,"h":50.0}'),
        ("crop=10:20:100:50:se", 'crop={"x":10,"y":20,"width":100,"height":50,"gravity":"se"}'),
        ("rot=-90", "rotate=270", 'rotate={"angle":630}'),
        ("rot=45:f00", 'rot={"angle":45,"background":"255:0:0"}', "rot=45:255:0:0"),
        ("dt=000:fff", "dt=0:0:0:255:255:255", 'dt={"shadowColor":"#000","highlight":"fff"}'),
        ("ex=1:2", "ex=1:2:1:2", 'ex={"top":1,"right":2,"bottom":1,"left":2}'),
        ("pd=1:2", "pd=2:1:2", "pd=2:1:2:1", 'pd={"top":2,"right":1,"bottom":2,"left":1}'),
        ("exar=1.5", "exar=3:2", 'exar={"width":3,"height":2}', 'exar={"ratio":1.5}'),
        ("gr=f00,00f", "gr=f00,00f:180:1:normal", 'gr={"colors":["255:0:0","00f"]}'),
        ("a=1.2", 'a={"brightness":1.2}', "a=1.2:1"),
        ("co=2", "co=2:128", 'co={"multiplier":2}'),
        ("sh=2", 'sh={"sigma":2}'),
        ("blur=true", "blur=1", "bl=t"),
        ("z=2:nw", "zoom=2.0:northwest"),
    ],
)
def test_equivalent_spellings_have_one_canonical_form(equivalents: tuple[str, ...]) -> None:
    parsed = [parse(query) for query in equivalents]
    assert len({t.canonical() for t in parsed}) == 1, [t.canonical() for t in parsed]
    assert len({t.__hash__() for t in parsed}) == 1 or len({t.format for t in parsed}) > 1


def test_the_canonical_form() -> None:
    transformation = parse("q=80&w=800&g=ce:sm&bg=f00&format=webp&rot=90&dpr=1.5")
    assert transformation.canonical() == (
        "background=ff0000ff&dpr=1.5&gravity=attention&quality=80&rotate=(90:)&width=800"
    )
    assert parse("").canonical() == ""
    assert parse("format=png").canonical() == ""


def test_different_requests_have_different_canonical_forms() -> None:
    queries = [
        "w=800",
        "w=801",
        "h=800",
        "crop=10:20",
        "crop=20:10",
        "crop=0:0:10:20",
        "ex=1:2:3:4",
        "ex=1:2:3:4:f00",
        "pd=1:2:3:4",
        "bg=f00",
        "bg=f00&bga=0.5",
        "col=f00",
        "mc=f00",
        "mc=true",
        "neg=true",
        "neg=alpha:true",
        "rot=90",
        "rot=90:f00",
        "gr=f00,00f",
        "gr=f00,00f,0f0",
        "dt=f00:00f",
        "dt=00f:f00",
    ]
    forms = [parse(query).canonical() for query in queries]
    assert len(set(forms)) == len(forms)


def test_identity_and_format() -> None:
    assert parse("").is_identity
    assert parse("format=webp").is_identity
    assert parse("format=webp").format is OutputFormat.WEBP
    assert parse("format=auto").format is None
    assert parse("f=jpg").format is OutputFormat.JPEG
    assert parse("enlarge=false&q=auto").is_identity
    assert not parse("w=10").is_identity
    assert not parse("strip_metadata=false").is_identity


def test_transformations_are_hashable_and_equal_by_value() -> None:
    assert parse("w=10&bg=f00") == parse("bg=255:0:0&width=10")
    assert {parse("w=10"), parse("width=10.0")} == {parse("w=10")}


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("w=100&width=200", ["width", "'w'", "'width'"]),
        ("w=1&w=2", ["width", "'w'"]),
        ("min-width=1&mw=2", ["min-width", "'mw'"]),
        ("format=png&ext=jpg", ["format", "'ext'"]),
    ],
)
def test_a_parameter_given_twice_is_refused(query: str, mentions: list[str]) -> None:
    detail = refusal(query)
    assert "twice" in detail
    for words in mentions:
        assert words in detail


def test_unknown_parameters_are_named_and_close_ones_suggested() -> None:
    assert "'nonsense'" in refusal("nonsense=1")
    assert "did you mean 'width'" in refusal("widht=10")
    assert "'" + "x" * 100 + "...'" in refusal("x" * 5000 + "=1")


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("w=-5", "cannot be negative"),
        ("mh=-0.5", "cannot be negative"),
        ("c=-10:10", "cannot be negative"),
        ("w=0x10", "not a number"),
        ("w= 10", "not a number"),
        ("w=1_000", "not a number"),
        ("w=1e", "not a number"),
        ("w=%2B5", "not a number"),
        ("h=abc", "not a number"),
        ("blur=nan", "not a number"),
        ("blur=inf", "not a number"),
        ("dpr=-inf", "not a number"),
        ("hue=1e400", "too large"),
        ("bg=zzzzzz", "not a colour"),
        ("bg=%23ff00", "not a colour"),
        ("bg=ff00", "not a colour"),
        ("bg=256:0:0", "not a colour"),
        ("bg=255:0:0:2", "not a colour"),
        ("bg=1:2", "not a colour"),
        ("col=red", "not a colour"),
        ("format=bmp", "not one of"),
        ("g=up", "not a gravity"),
        ("resizing_type=squash", "not one of"),
        ("ra=bilinear", "not one of"),
        ("cp=p3", "not one of"),
        ("chroma_subsampling=4:1:1", "not one of"),
        ("enlarge=yes", "not a boolean"),
        ("fl=sideways", "not one of"),
        ("crop={not-json", "not a valid JSON object"),
        ("crop=[1,2]", "not width:height"),
        ('crop={"width":1}', "needs a width and a height"),
        ('crop={"width":1,"height":2,"depth":3}', "no field 'depth'"),
        ('crop={"width":1,"width":2}', "not a valid JSON object"),
        ('crop={"width":NaN,"height":1}', "not a valid JSON object"),
        ('crop={"width":1e999,"height":1}', "not a finite number"),
        ('crop={"mode":"extract","width":1,"height":1}', "needs x and y"),
        ('crop={"mode":"cover","x":1,"y":1,"width":1,"height":1,"g":"n:2:2"}', "offsets twice"),
        ('crop={"mode":"slice","width":1,"height":1}', "not extract, cover"),
        ('crop={"width":[1],"height":1}', "wrong type"),
        ("crop=1:2:3", "not a gravity"),
        ("crop=10:10:5:5:ce:1:2", "a gravity without offsets"),
        ("crop=5:5:ce:1", "not a gravity"),
        ("crop=5:5:ce:1:x", "not a number"),
        ("g=ce:1", "not a gravity"),
        ("g=north:1:2:3", "not a gravity"),
        ("g=attention:sm", "not a gravity"),
        ("dt=100:100:100:100", "more than one pair"),
        ("crop=north", "not width:height"),
        ("dt=f00", "not shadowColor:highlightColor"),
        ("gr=" + ",".join(["f00"] * 17), "more than 16 colours"),
        ("gr=255:0:0,00f", "hex"),
        ("gr=f00,00f:90:0.5:melt", "not one of"),
        ('gr={"colors":"f00"}', "list of colours"),
        ("norm=50:10", "lower below upper"),
        ("neg=alpha:maybe", "not a boolean"),
        ("pd=1:2:3:4:5", "more than four"),
        ("ex=1:2:3:4:nope", "not a colour"),
        ("exar=yes", "not a number"),
        ("ex=true:up", "not a gravity"),
        ("ex=false:up", "not a gravity"),
        ('sh={"sigma":2,"m9":1}', "no field 'm9'"),
        ("rot=abc", "not a number"),
        ("a=1:1:nope", "not a colour"),
        ("a=1:2:3:4", "not a colour"),
        ('a={"color":{"r":1}}', "without r, g and b"),
        ('rot={"angle":1,"background":{"r":1,"g":2,"b":3,"x":4}}', "no field 'x'"),
        ("norm={}", "a lower or an upper"),
    ],
)
def test_malformed_and_out_of_range_values_are_refused_clearly(query: str, mentions: str) -> None:
    name = query.split("=", 1)[0]
    detail = refusal(query)
    assert mentions in detail
    assert PARAMETERS[SPELLINGS[name].name].name in detail
    assert "Accepted:" in detail


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        # Out of the guide's range: clamped into it.
        ("w=100000", "width", 8192),
        ("mh=8193", "min_height", 8192),
        ("w=10.5", "width", 11),
        ("w=1e3", "width", 1000),
        ("w=1E3", "width", 1000),
        ("dpr=0", "dpr", 0.01),
        ("dpr=8.5", "dpr", 8.0),
        ("q=0", "quality", 1),
        ("q=101", "quality", 100),
        ("dpi=601", "dpi", 600),
        ("dpi=0.2", "dpi", 1),
        ("blur=0.1", "blur", 0.3),
        ("blur=-1", "blur", 0.3),
        ("blur=1e9", "blur", 100.0),
        ("br=0", "brightness", 0.01),
        ("l=-3", "lightness", 0.01),
        ("sa=1e-7", "saturation", 0.01),
        ("bga=2", "background_alpha", 1.0),
        ("pix=1", "pixelate", 2),
        ("pix=2.5", "pixelate", 3),
        ("pix=" + "9" * 400, "pixelate", 256),
        ("hue=1" + "0" * 40, "hue", float(10**40) % 360),
        ("hue=-1e-7", "hue", 360.0 - 1e-7),
        ("hue=-1e-20", "hue", 0.0),
        ("rot=-1e-20", "rotate", None),
        ("rot=1e20", "rotate", Rotate(1e20 % 360)),
        # No range in the guide: any finite value, within our documented clamp.
        ("sh=11", "sharpen", Sharpen(10.0)),
        ("sh=-1", "sharpen", Sharpen(0.01)),
        ("sh=0.0", "sharpen", None),
        ('sh={"sigma":99,"m2":500,"x1":-1}', "sharpen", Sharpen(10.0, m2=100.0, x1=0.0)),
        ("co=-1", "contrast", Contrast(-1.0)),
        ("co=-360:300", "contrast", Contrast(-10.0, 255.0)),
        ("co=1e3", "contrast", Contrast(10.0)),
        ("z=0.5", "zoom", None),
        ("z=1000:nw", "zoom", Zoom(100.0, Anchor(Gravity.NORTHWEST))),
        ("a=0:20", "adjust", Adjust(0.01, 10.0)),
        ("a=1.1:1.2:1.3", "adjust", Adjust(1.1, 1.2, 1.3)),
        ("a=1.1::1.3", "adjust", Adjust(1.1, 1.0, 1.3)),
        ("a=1:1:100", "adjust", Adjust(color=10.0)),
        ('a={"brightness":1.1,"color":1.3}', "adjust", Adjust(1.1, color=1.3)),
        ('a={"color":"0.5"}', "adjust", Adjust(color=0.5)),
        ("exar=0:1", "extend_aspect_ratio", AspectRatio(0.01)),
        ("exar=1000:1", "extend_aspect_ratio", AspectRatio(100.0)),
        ("exar=8192", "extend_aspect_ratio", AspectRatio(100.0)),
        ('exar={"ratio":"16:9"}', "extend_aspect_ratio", AspectRatio(16 / 9)),
        ('exar={"aspectRatio":2}', "extend_aspect_ratio", AspectRatio(2.0)),
        ("norm=-5:200", "normalize", Normalize(0.0, 100.0)),
        ('norm={"lower":5,"upper":95}', "normalize", Normalize(5.0, 95.0)),
        ("pd=-4:2.5", "padding", Padding(Sides(3, 0, 3, 0))),
        ("pd=9000", "padding", Padding(Sides(8192, 8192, 8192, 8192))),
        ('pd={"all":2}', "padding", Padding(Sides(2, 2, 2, 2))),
        ('pd={"x":1,"y":2}', "padding", Padding(Sides(2, 1, 2, 1))),
        ('pd={"all":3,"top":1}', "padding", Padding(Sides(1, 3, 3, 3))),
        ("ex=2.5:-1", "extend", Extend(Sides(3, 0, 3, 0))),
        # Sizes: 0 is auto (or the whole side in a crop), below 1 a share of the picture.
        ("w=0", "width", None),
        ("w=0.5", "width", Share(0.5)),
        ("mw=.25", "min_width", Share(0.25)),
        ("c=0.5:0.5", "crop", Crop(Share(0.5), Share(0.5))),
        ("c=0:50", "crop", Crop(Share(1.0), 50)),
        ("c=0:0", "crop", None),
        ("c=0:0:nw", "crop", None),
        ("c=0.25:-0.5:0.5:0", "crop", Crop(Share(0.5), Share(1.0), Share(0.25), Share(-0.5))),
        ("c=200000:-200000:300000:1", "crop", Crop(100000, 1, 100000, -100000)),
        ('c={"mode":"extract","x":1,"y":2,"width":3,"height":4}', "crop", Crop(3, 4, 1, 2)),
        (
            'c={"mode":"cover","width":3,"height":4,"g":"n"}',
            "crop",
            Crop(3, 4, gravity=Anchor(Gravity.NORTH)),
        ),
        (
            'c={"mode":"Attention","w":3,"h":4}',
            "crop",
            Crop(3, 4, gravity=Anchor(Gravity.ATTENTION)),
        ),
        # imgproxy's boolean forms.
        ("ex=true", "extend", ExtendToSize()),
        ("ex=true:ce", "extend", ExtendToSize(Anchor(Gravity.CENTER))),
        ("ex=1:so", "extend", ExtendToSize(Anchor(Gravity.SOUTH))),
        ("ex=t:ce:sm", "extend", ExtendToSize(Anchor(Gravity.ATTENTION))),
        ("ex=false:so", "extend", None),
        ("ex=0:so", "extend", None),
        ("ex=1", "extend", Extend(Sides(1, 1, 1, 1))),
        ("ex=1:2", "extend", Extend(Sides(1, 2, 1, 2))),
        ("exar=true", "extend_aspect_ratio", AspectRatio(None)),
        ("exar=t:so", "extend_aspect_ratio", AspectRatio(None, Anchor(Gravity.SOUTH))),
        ("exar=false", "extend_aspect_ratio", None),
        ("exar=0", "extend_aspect_ratio", None),
        ("exar=1:so", "extend_aspect_ratio", AspectRatio(None, Anchor(Gravity.SOUTH))),
        ("exar=1", "extend_aspect_ratio", AspectRatio(1.0)),
        # Colours in JSON as the official builders send them.
        ('rot={"angle":45,"background":{"b":0,"g":0,"r":255}}', "rotate", Rotate(45.0, RED)),
        (
            'ex={"top":1,"background":{"r":255,"g":0,"b":0,"alpha":0.5}}',
            "extend",
            Extend(Sides(1, 0, 0, 0), (255, 0, 0, 128)),
        ),
        (
            'dt={"shadowColor":{"r":255,"g":0,"b":0},"highlightColor":"#00f"}',
            "duotone",
            Duotone(RED, BLUE),
        ),
        ('gr={"colors":["#f00",{"r":0,"g":0,"b":255}]}', "gradient", Gradient((RED, BLUE))),
        # Gravities with offsets (imgproxy's type:x:y), wherever a gravity is read.
        ("g=ne:10:-5", "gravity", Anchor(Gravity.NORTHEAST, 10, -5)),
        ("g=ce:0.25:-0.5", "gravity", Anchor(Gravity.CENTER, Share(0.25), Share(-0.5))),
        ("g=se:1e9:2.5", "gravity", Anchor(Gravity.SOUTHEAST, 100000, 3)),
        ("g=entropy:5:5", "gravity", Anchor(Gravity.ENTROPY)),
        ("c=100:50:ne:10:10", "crop", Crop(100, 50, gravity=Anchor(Gravity.NORTHEAST, 10, 10))),
        ("c=100:50:no:sm", "crop", Crop(100, 50, gravity=Anchor(Gravity.ATTENTION))),
        ("c=10:10:50:50:entropy", "crop", Crop(50, 50, 0, 0, Anchor(Gravity.ENTROPY))),
        (
            'c={"mode":"cover","x":1,"y":2,"width":5,"height":6,"gravity":"se"}',
            "crop",
            Crop(5, 6, gravity=Anchor(Gravity.SOUTHEAST, 1, 2)),
        ),
        (
            'c={"mode":"entropy","gravity":"north","x":1,"y":2,"width":5,"height":6}',
            "crop",
            Crop(5, 6, gravity=Anchor(Gravity.ENTROPY)),
        ),
        ("ex=true:ce:10:20", "extend", ExtendToSize(Anchor(Gravity.CENTER, 10, 20))),
        ("exar=t:so:5:5", "extend_aspect_ratio", AspectRatio(None, Anchor(Gravity.SOUTH, 5, 5))),
        ("z=2:nw:3:4", "zoom", Zoom(2.0, Anchor(Gravity.NORTHWEST, 3, 4))),
        # padding's own colour, and the other forms the Python and Node builders send.
        ('pd={"all":2,"background":"#00f"}', "padding", Padding(Sides(2, 2, 2, 2), BLUE)),
        ('pd={"x":1,"bg":{"r":255,"g":0,"b":0}}', "padding", Padding(Sides(0, 1, 0, 1), RED)),
        ('exar={"ratio":2,"width":1,"height":1}', "extend_aspect_ratio", AspectRatio(2.0)),
        ('norm={"upper":95}', "normalize", Normalize(1.0, 95.0)),
        ("gr=f00", "gradient", Gradient(((255, 0, 0, 0), RED))),
        ('gr={"opacity":0.5}', "gradient", Gradient(((0, 0, 0, 0), (0, 0, 0, 255)), opacity=0.5)),
        ("dt=255:0:0:0.5:00f", "duotone", Duotone((255, 0, 0, 128), BLUE)),
        ('sh={"flat":1,"m1":2,"jagged":3}', "sharpen", Sharpen(m1=2.0, m2=3.0)),
    ],
)
def test_values_are_clamped_and_read_as_the_hosted_service_reads_them(
    query: str, field: str, expected: Any
) -> None:
    assert getattr(parse(query), field) == expected


@pytest.mark.parametrize(
    "equivalents",
    [
        ("q=0", "q=1", "q=-7", "q=0.4"),
        ("sh=16", "sh=99", "sh=10"),
        ("co=-90", "co=-360", "co=-10", 'co={"multiplier":-1e3}'),
        ("pix=1", "pix=2", "pix=2.4"),
        ("w=0", "z=0.5", "pd=-5", "ex=-1", "exar=0", "crop=0:0", "blur=0.0", ""),
        ("a=1.1::1.3", "a=1.1:1:1.3", 'a={"brightness":1.1,"color":1.3}'),
        ("cp=cmyk", "cp=cmyk&format=auto", "cp=cmyk&f=jpg"),
    ],
)
def test_a_clamped_value_has_the_canonical_form_of_its_clamped_spelling(
    equivalents: tuple[str, ...],
) -> None:
    parsed = [parse(query) for query in equivalents]
    assert len({t.canonical() for t in parsed}) == 1, [t.canonical() for t in parsed]
    assert len({t.format for t in parsed}) == 1


def test_an_empty_value_is_refused() -> None:
    assert "width ('w') needs a value" in refusal("w=")


def test_long_values_are_refused_and_shown_short() -> None:
    detail = refusal("bg=" + "f" * 2000)
    assert "too long" in detail
    detail = refusal("bg=" + "z" * 900)
    assert "z" * 100 + "..." in detail
    assert "z" * 101 not in detail


def test_long_queries_stop_at_the_first_bad_item() -> None:
    with pytest.raises(InvalidTransformationError, match="twice"):
        parse_transformations([("w", "1")] * 100_000)
    with pytest.raises(InvalidTransformationError, match="'p0'"):
        parse_transformations([(f"p{i}", "1") for i in range(300)])


def test_cmyk_is_jpeg_unless_tiff_is_asked() -> None:
    assert parse("cp=cmyk").format is OutputFormat.JPEG
    assert parse("cp=cmyk&format=auto").format is OutputFormat.JPEG
    assert parse("cp=cmyk&format=tiff").format is OutputFormat.TIFF
    assert "format=jpeg or format=tiff" in refusal("cp=cmyk&format=webp")


def test_keeping_and_stripping_the_profile_together_is_refused() -> None:
    assert "give one of them" in refusal("cp=keep&scp=true")
    assert parse("cp=preserve&scp=false").color_profile is ColorProfile.KEEP


@pytest.mark.parametrize("name", PRESETS)
def test_presets_supply_sizes(name: str) -> None:
    transformation = parse("", preset=name)
    expected_width = {"thumbnail": 150, "small": 320, "medium": 640, "large": 1280}[name]
    assert transformation.width == expected_width
    assert not transformation.enlarge
    if name == "thumbnail":
        assert (transformation.height, transformation.resizing_type) == (150, ResizingType.COVER)
    else:
        assert (transformation.height, transformation.resizing_type) == (None, ResizingType.INSIDE)


def test_explicit_parameters_override_the_preset() -> None:
    transformation = parse("w=60&resizing_type=inside&q=50", preset="thumbnail")
    assert (transformation.width, transformation.height) == (60, 150)
    assert transformation.resizing_type is ResizingType.INSIDE
    assert transformation.quality == 50
    assert parse("", "small").canonical() == parse("w=320").canonical()


def test_an_unknown_preset_is_refused() -> None:
    with pytest.raises(InvalidTransformationError, match="Unknown preset 'huge'"):
        parse_transformations([], "huge")


def test_compound_values_in_detail() -> None:
    assert parse("crop=10:20:100:50").crop == Crop(100, 50, 10, 20)
    assert parse("c=100:50:ce:sm").crop == Crop(100, 50, gravity=Anchor(Gravity.ATTENTION))
    assert parse("ex=1:2:3").extend == Extend(Sides(1, 2, 3, 2))
    assert parse("ex=1:2:3:4:0:0:255").extend == Extend(Sides(1, 2, 3, 4), BLUE)
    assert parse("pd=4:8").padding == Padding(Sides(8, 4, 8, 4))  # x:y, horizontal first
    assert parse("exar=16:9:north").extend_aspect_ratio == AspectRatio(
        16 / 9, Anchor(Gravity.NORTH)
    )
    gradient = parse("gr=f00,0f0,00f:90:0.5:soft_light").gradient
    assert gradient == Gradient((RED, (0, 255, 0, 255), BLUE), 90.0, 0.5, BlendMode.SOFT_LIGHT)
    assert parse("neg=alpha:true").negate == Negate(alpha=True)
    assert parse("norm=5:95").normalize == Normalize(5.0, 95.0)
    assert parse("fl=true:false").flip == Flip(horizontal=True, vertical=False)
    assert parse("z=3:ce:sm").zoom == Zoom(3.0, Anchor(Gravity.ATTENTION))
    assert parse("mc=00ff00").monochrome == (0, 255, 0, 255)
    assert parse("hue=-30").hue == 330.0
    assert parse("rot=450:00f").rotate == Rotate(90.0, BLUE)
    assert parse('sh={"sigma":2,"flat":1,"jagged":4}').sharpen == Sharpen(2.0, 1.0, 4.0)
    assert parse("a=:1.5").adjust == Adjust(saturation=1.5)
    assert parse('a={"colour":"0f0"}').adjust == Adjust(tint=(0, 255, 0, 255))
    assert parse("a=1:1:%2300f").adjust == Adjust(tint=BLUE)
    assert parse("a=1:1:0:0:255").adjust == Adjust(tint=BLUE)
    assert parse('a={"color":{"r":0,"g":0,"b":255}}').adjust == Adjust(tint=BLUE)
    assert parse("co=0.5").contrast == Contrast(0.5)
