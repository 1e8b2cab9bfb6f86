"""The value grammar of the hosted service, through the real CDN route.

Every value form the official URL builders emit is served: out-of-range numbers are clamped,
fractions below 1 are shares of the source, imgproxy's boolean forms are read, and the
remaining malformed values stay a 400. Each case is requested from the app, decoded, and judged
by its size, its format and (where it says something) a pixel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from fastapi.testclient import TestClient

from tests.images.helpers import path_of
from tests.transform.helpers import colour_name, decode, pixel, quadrants, ramp, rgb, solid
from tests.transform.served import served

MUTED_RED = (170, 110, 110)


def tones() -> Any:
    """64x48: a muted red over a grey ramp (40 at the left to 215 at the right)."""
    return solid(MUTED_RED, 64, 24).join(ramp(64, 24, 40, 215), "vertical")


@dataclass(frozen=True)
class Cdn:
    """The app's client, and the CDN paths and ids of the two sources, by name."""

    client: TestClient
    paths: dict[str, str]
    ids: dict[str, str]

    def get(self, source: str, query: str) -> Any:
        """``query`` on ``source``; ``{tones}`` stands for that source's id (a watermark)."""
        items = parse_qsl(query.replace("{tones}", self.ids["tones"]), keep_blank_values=True)
        suffix = "?" + urlencode(items, quote_via=quote) if items else ""
        return self.client.get(self.paths[source] + suffix)


@pytest.fixture(scope="module")
def cdn(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cdn]:
    """One app for the whole table: each case is a request, not a new install."""
    sources = {"quadrants": quadrants().pngsave_buffer(), "tones": tones().pngsave_buffer()}
    with served(database_template, tmp_path_factory.mktemp("grammar"), sources) as app:
        paths = {name: path_of(image["cdn_url"]) for name, image in app.images.items()}
        ids = {name: str(image["id"]) for name, image in app.images.items()}
        yield Cdn(app.client, paths, ids)


Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Served:
    """A query that is served: the decoded output's size, type and a property of its pixels."""

    query: str
    size: tuple[int, int]
    media_type: str = "image/png"
    looks: Check | None = None
    source: str = "quadrants"


def _colours(*expected: tuple[int, int, str]) -> Check:
    return lambda image: all(colour_name(image, x, y) == name for x, y, name in expected)


def _clear(x: int, y: int) -> Check:
    return lambda image: image.bands == 4 and pixel(image, x, y)[3] == 0


def _both(first: Check, second: Check) -> Check:
    return lambda image: first(image) and second(image)


def _spread(image: Any) -> int:
    """How far the muted red's channels are apart: 60 in the source, 0 for grey."""
    red, green, blue = rgb(image, 32, 12)
    return max(red, green, blue) - min(red, green, blue)


def _inverted(image: Any) -> bool:
    """The ramp's dark end came out brighter than its bright end."""
    return rgb(image, 2, 36)[0] > rgb(image, 61, 36)[0] + 60


def _steeper(image: Any) -> bool:
    return rgb(image, 2, 36)[0] < 10 and rgb(image, 61, 36)[0] > 245


def _tones(query: str, looks: Check | None = None, media_type: str = "image/png") -> Served:
    return Served(query, (64, 48), media_type, looks, "tones")


SERVED = [
    # crop: shares of the source below 1, and the JSON object with a mode.
    Served("crop=0.5:0.5", (100, 50), looks=_colours((0, 0, "red"), (99, 49, "yellow"))),
    Served("crop=0.5:0.5:nw", (100, 50), looks=_colours((0, 0, "red"), (99, 49, "red"))),
    Served("c=0.25:0.5:se", (50, 50), looks=_colours((0, 0, "yellow"), (49, 49, "yellow"))),
    Served("crop=0.5:0.5:ce", (100, 50)),
    Served("crop=100:50:ce", (100, 50)),
    Served(
        'crop={"mode":"extract","x":10,"y":10,"width":20,"height":20}',
        (20, 20),
        looks=_colours((0, 0, "red"), (19, 19, "red")),
    ),
    Served(
        'crop={"height":50,"mode":"extract","width":0.25,"x":0.5,"y":0.5}',
        (50, 50),
        looks=_colours((0, 0, "yellow"), (49, 49, "yellow")),
    ),
    Served("crop=0.5:0:0.5:0", (100, 100), looks=_colours((50, 10, "green"), (50, 90, "yellow"))),
    Served('crop={"mode":"cover","width":50,"height":50}', (50, 50)),
    Served('c={"mode":"attention","width":50,"height":50}', (50, 50)),
    Served('c={"mode":"entropy","width":0.5,"height":1}', (100, 1)),
    Served("crop=0:0", (200, 100)),
    # width, height and the floors: 0 is auto, below 1 a share, above the range clamped.
    Served("w=0.5", (100, 50)),
    Served("h=0.25", (50, 25)),
    Served("w=0", (200, 100)),
    Served("w=300.4&el=1", (300, 150)),
    Served("w=1e2", (100, 50)),
    Served("w=100000", (200, 100)),
    Served("w=50&mw=0.5", (100, 50)),
    Served("dpr=9&w=10&el=1", (80, 40)),
    Served("dpr=0&w=1000", (10, 5)),
    Served("dpr=0.30000000000000004&w=100&el=1", (30, 15)),
    # zoom below 1 would need pixels outside the picture: it is 1.
    Served("zoom=0.5", (200, 100)),
    Served("z=0.5:nw&w=100", (100, 50)),
    # extend: imgproxy's boolean form grows the canvas to the requested size.
    Served(
        "extend=true:ce&w=300&h=200",
        (300, 200),
        looks=_both(_clear(5, 5), _colours((60, 60, "red"))),
    ),
    Served(
        "extend=1:so&w=300&h=200",
        (300, 200),
        looks=_both(_clear(150, 50), _colours((60, 110, "red"), (240, 190, "yellow"))),
    ),
    Served("ex=t&w=300", (300, 100), looks=_clear(10, 50)),
    Served("extend=false:ce&w=300&h=200", (200, 100)),
    Served("extend=1", (202, 102)),
    Served("ex=2.4:0", (200, 104)),
    Served("ex=-3", (200, 100)),
    Served('ex={"top":2,"background":{"b":0,"g":0,"r":255,"alpha":0.5}}', (200, 102)),
    # extend_aspect_ratio: the boolean form takes the requested box's ratio.
    Served("extend_aspect_ratio=true:ce&w=300&h=300", (200, 200), looks=_clear(100, 10)),
    Served(
        "extend_aspect_ratio=1:so&w=300&h=300",
        (200, 200),
        looks=_both(_clear(100, 10), _colours((10, 110, "red"))),
    ),
    Served("exar=t&w=400&h=100", (400, 100)),
    Served("exar=1000:1&w=20", (1000, 10)),
    Served("exar=0", (200, 100)),
    Served('exar={"ratio":"1:1"}', (200, 200)),
    # padding: whole pixels, never negative; the JSON object's all, x and y.
    Served("pd=2.6", (206, 106)),
    Served("pd=-5", (200, 100)),
    Served('pd={"all":2}', (204, 104)),
    Served('pd={"x":1,"y":2}', (202, 104)),
    Served('rot={"angle":90,"background":{"r":255,"g":0,"b":0}}', (100, 200)),
    # adjust: the third field is the guide's colour multiplier.
    _tones("adjust=1.1:1.2:1.3"),
    _tones("adjust=1.1::1.3"),
    _tones("adjust=0.01:10:10", looks=lambda image: sum(rgb(image, 32, 12)) < 30),
    _tones('a={"brightness":1.1,"saturation":1.2,"color":1.3}'),
    _tones("a=1:1:2", looks=lambda image: _spread(image) > 90),
    _tones("a=1:1:0.01", looks=lambda image: _spread(image) < 6),
    _tones("a=20:-1:1e3"),
    _tones("a=1:1:00f", looks=lambda image: rgb(image, 32, 12)[2] > rgb(image, 32, 12)[0]),
    # sharpen: any sigma, clamped to 10; any JSON term, clamped to 100.
    _tones("sharpen=16"),
    _tones("sh=99"),
    _tones("sh=100"),
    _tones('sh={"sigma":50,"m2":500}'),
    # contrast: a negative multiplier mirrors around the pivot.
    _tones("contrast=-1", looks=_inverted),
    _tones("co=-90", looks=_inverted),
    _tones("co=-360", looks=_inverted),
    _tones("co=-1:100", looks=_inverted),
    _tones('co={"multiplier":-2}', looks=_inverted),
    _tones("co=50", looks=_steeper),
    # Lax builders: numbers outside the guide's ranges are clamped into them.
    _tones("quality=0&format=jpg", media_type="image/jpeg"),
    _tones("q=1000&f=webp", media_type="image/webp"),
    _tones("blur=0.1"),
    _tones("blur=1000"),
    _tones("blur=-1"),
    _tones("pixelate=1"),
    _tones("pix=2.5"),
    _tones("pix=1000"),
    _tones("br=0", looks=lambda image: sum(rgb(image, 32, 12)) < 10),
    _tones("br=1e1", looks=lambda image: min(rgb(image, 32, 12)) == 255),
    _tones("sa=-1", looks=lambda image: _spread(image) < 6),
    _tones("l=20"),
    _tones("bg=f00&bga=2"),
    _tones("dpi=0"),
    _tones("dpi=10000&f=jpg", media_type="image/jpeg"),
    _tones("norm=-5:200"),
    _tones('norm={"lower":5,"upper":95}'),
    _tones("hue=1e-7"),
    _tones("hue=-100000.5"),
    _tones('dt={"highlightColor":{"b":255,"g":255,"r":255},"shadowColor":"#000000"}'),
    _tones('gr={"colors":["#ff0000",{"r":0,"g":0,"b":255}]}'),
    # Gravity with offsets (imgproxy's type:x:y): moved toward the inside of the gravity's
    # edges, never past them. On the cover box, crop boxes, zoom and canvases alike.
    Served(
        "g=ne:10:10&w=100&h=100&resizing_type=cover",
        (100, 100),
        looks=_colours((5, 10, "red"), (15, 10, "green"), (15, 60, "yellow"), (5, 60, "blue")),
    ),
    Served(
        "g=ce:0.05:0&w=100&h=100&resizing_type=cover",
        (100, 100),
        looks=_colours((35, 10, "red"), (45, 10, "green")),
    ),
    Served("g=no:sm&w=50&h=50&resizing_type=cover", (50, 50)),
    Served("g=sm&w=50&h=50&resizing_type=cover", (50, 50)),
    Served(
        "g=nw:60:0&z=2",
        (200, 100),
        # The zoomed part is x 60..160 of the top half: without the offset, all red.
        looks=_colours((10, 5, "red"), (90, 5, "green"), (190, 95, "green")),
    ),
    Served(
        "w=300&h=200&resizing_type=contain&g=nw:10:20",
        (300, 200),
        looks=_both(_clear(5, 5), _colours((15, 25, "red"), (205, 115, "yellow"))),
    ),
    # crop=w:h:g:x:y (JS), crop=w:h:ce:0:0 and w:h:no:sm (Go), x:y:w:h with a smart gravity.
    Served("crop=100:50:ce:0:0", (100, 50), looks=_colours((0, 0, "red"), (99, 49, "yellow"))),
    Served(
        "crop=100:50:nw:10:20",
        (100, 50),
        looks=_colours((0, 0, "red"), (95, 0, "green"), (95, 45, "yellow"), (0, 45, "blue")),
    ),
    Served(
        "crop=0.5:0.5:so:10:20",
        (100, 50),
        looks=_colours((0, 0, "red"), (45, 25, "yellow"), (35, 25, "blue")),
    ),
    Served("crop=100:50:se:500:500", (100, 50), looks=_colours((0, 0, "red"), (99, 49, "red"))),
    Served("crop=100:50:no:sm", (100, 50)),
    Served("crop=10:10:50:50:attention", (50, 50)),
    Served("crop=0:0:100:100:ce:sm", (100, 100)),
    Served(
        'c={"mode":"cover","width":50,"height":50,"x":10,"y":10}',
        (50, 50),
        looks=_colours((0, 0, "red"), (20, 0, "green"), (20, 20, "yellow"), (0, 20, "blue")),
    ),
    Served('c={"width":30,"height":20,"x":5}', (30, 20), looks=_colours((29, 19, "red"))),
    Served('c={"mode":"attention","gravity":"north","width":50,"height":50}', (50, 50)),
    # extend and extend_aspect_ratio with true:gravity:x:y (Go).
    Served(
        "extend=true:ce:10:20&w=300&h=200",
        (300, 200),
        looks=_both(_clear(55, 100), _colours((65, 75, "red"), (255, 165, "yellow"))),
    ),
    Served(
        "extend_aspect_ratio=true:so:5:5&w=300&h=300",
        (200, 200),
        looks=_both(_clear(100, 197), _colours((10, 100, "red"), (190, 190, "yellow"))),
    ),
    # padding's own colour (Python builder).
    Served(
        'pd={"all":5,"background":"#ffffff"}',
        (210, 110),
        looks=lambda image: rgb(image, 1, 1) == (255, 255, 255) and rgb(image, 10, 10)[1] == 0,
    ),
    Served(
        'pd={"x":2,"y":3,"background":{"r":0,"g":0,"b":255}}',
        (204, 106),
        looks=_colours((0, 0, "blue")),
    ),
    # A mark has nothing to look for: a smart gravity is the centre.
    Served("wm={tones}:attention&wms=0.2", (200, 100), looks=_colours((105, 44, "red"))),
    Served(
        'wmt={"text":"Hi","color":"ffffff","size":40,"gravity":"nw","x":2,"y":2}',
        (200, 100),
        looks=lambda image: (
            image.extract_area(0, 0, 60, 40)[1].max() > 200
            and image.extract_area(100, 50, 100, 50)[2].max() < 30
        ),
    ),
    # gradient: one colour fades from clear to it, none is black (Python, Node).
    _tones(
        "gr=ff0000:90",
        looks=lambda image: (
            rgb(image, 63, 36)[0] > 200 > rgb(image, 63, 36)[1] + 150 and rgb(image, 0, 36)[0] < 60
        ),
    ),
    _tones('gr={"angle":90}', looks=lambda image: sum(rgb(image, 63, 36)) < 20),
    # Two colours, one written r:g:b (the JS builder joins them so).
    _tones(
        "dt=ff0000:0:0:255",
        looks=lambda image: (
            rgb(image, 2, 36)[0] > rgb(image, 2, 36)[2]
            and rgb(image, 61, 36)[2] > rgb(image, 61, 36)[0]
        ),
    ),
    _tones('norm={"lower":5}'),
    # color_profile=cmyk with no format is JPEG, the format that carries CMYK everywhere.
    _tones("color_profile=cmyk", media_type="image/jpeg", looks=lambda image: image.bands == 4),
    _tones("icc=cmyk&format=auto&scp=1", media_type="image/jpeg"),
]


@pytest.mark.parametrize("case", SERVED, ids=[case.query for case in SERVED])
def test_every_value_form_is_served(cdn: Cdn, case: Served) -> None:
    response = cdn.get(case.source, case.query)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == case.media_type
    image = decode(response.content)
    assert (image.width, image.height) == case.size
    if case.looks is not None:
        assert case.looks(image)


@pytest.mark.parametrize(
    ("source", "first", "second"),
    [
        ("quadrants", "crop=100:50:ce:0:0", "crop=100:50:ce"),
        (
            "quadrants",
            "g=ne:0:0&w=50&h=50&resizing_type=cover",
            "g=ne&w=50&h=50&resizing_type=cover",
        ),
        (
            "quadrants",
            "g=attention:10:10&w=50&h=50&resizing_type=cover",
            "g=no:sm&w=50&h=50&resizing_type=cover",
        ),
        ("quadrants", "wm={tones}:attention&wms=0.2", "wm={tones}&wms=0.2"),
        ("quadrants", "wm={tones}:se:5:5", "wm={tones}&wmp=se:5:5"),
        ("quadrants", "wm={tones}&wmt=dropped", "wm={tones}"),
        ("tones", "gr=f00", "gr=ff000000,f00"),
    ],
)
def test_spellings_that_mean_the_same_are_one_rendition(
    cdn: Cdn, source: str, first: str, second: str
) -> None:
    one, other = cdn.get(source, first), cdn.get(source, second)
    assert one.status_code == other.status_code == 200, one.text
    assert one.headers["ETag"] == other.headers["ETag"]
    assert one.content == other.content


@pytest.mark.parametrize(
    ("clamped", "spelled"),
    [
        ("sh=16", "sh=10"),
        ("co=-360", "co=-10"),
        ("q=0&f=jpg", "q=1&f=jpg"),
        ("blur=1000", "blur=100"),
        ("pix=1", "pix=2"),
        ("pix=2.5", "pix=3"),
        ("a=20:-1:1e3", "a=10:0.01:10"),
        ("dpr=9&w=10&el=1", "dpr=8&w=10&el=1"),
        ("w=300.4&el=1", "w=300&el=1"),
        ("norm=-5:200", "norm=0:100"),
    ],
)
def test_a_clamped_value_is_the_same_rendition_as_its_clamped_spelling(
    cdn: Cdn, clamped: str, spelled: str
) -> None:
    first, second = cdn.get("tones", clamped), cdn.get("tones", spelled)
    assert first.status_code == second.status_code == 200, first.text
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.content == second.content


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("crop=-0.5:0.5", "crop"),
        ("w=-5", "width"),
        ("crop=0.5", "crop"),
        ('crop={"mode":"extract","width":10,"height":10}', "crop"),
        ('crop={"mode":"sideways","width":10,"height":10}', "crop"),
        ('crop={"mode":"cover","x":1,"y":1,"width":10,"height":10,"gravity":"n:1:1"}', "crop"),
        ("crop=1:1:10:10:ce:5:5", "crop"),
        ("g=ce:5", "gravity"),
        ("g=north:1:2:3", "gravity"),
        ("g=ce:x:y", "gravity"),
        ("dt=100:100:100:100", "duotone"),
        ("gr=255:0:0,0:0:255", "gradient"),
        ("adjust=1:2:3:4", "adjust"),
        ("sh=abc", "sharpen"),
        ("co=1e", "contrast"),
        ("w=nan", "width"),
        ("w=1_000", "width"),
        ("blur=inf", "blur"),
        ("hue=0x10", "hue"),
        ("extend=true:up", "extend"),
        ("exar=yes", "extend_aspect_ratio"),
        ("q=auto:1", "quality"),
        ("cp=cmyk&format=png", "color_profile"),
        ("sh=1&sharpen=2", "sharpen"),
        ("sharpness=2", "sharpness"),
    ],
)
def test_malformed_values_unknown_names_and_duplicates_stay_400(
    cdn: Cdn, query: str, names: str
) -> None:
    response = cdn.get("quadrants", query)
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"detail", "error_type", "request_id"}
    assert body["error_type"] == "InvalidTransformationError"
    assert names in body["detail"]
