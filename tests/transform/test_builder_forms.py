"""Every URL form the official URL builders emit is served.

The table holds the query strings the official builders (imgwire-js, imgwire-node,
imgwire-python, imgwire-go, imgwire-ruby) produce, decoded for reading: the examples of their
own test suites, and each further form their code can emit for a parameter. A comment names the
builder. ``{id}`` stands for an image id (the builders' examples use placeholders such as
``logo_image_id``; the server reads only real ids, so the served image's own id is used). Each
query is requested from the app and must be answered 200 with an image.

``watermark_url`` alone is left out of the 200 table: answering it means fetching the URL from
the internet. Its forms are checked to read as the URL they encode, which is all the builders
decide; the fetch itself is tested with the watermarks.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from imgwired.transform.grammar.params import parse_transformations
from tests.images.helpers import path_of
from tests.transform.helpers import decode, quadrants
from tests.transform.served import ServedApp, served

FORMS: list[tuple[str, str]] = [
    # -- imgwire-js (src/images/url-builder.ts) -------------------------------------------------
    # The test suite's URL with every rule of the guide; its three watermark sources at once.
    (
        "js",
        "adjust=1.1:0.9:0.2&background=ffffff&background_alpha=0.5&blur=true&brightness=1.25"
        "&chroma_subsampling=4:2:2&color_profile=srgb&colorize=abc&contrast=1.2:0.5"
        "&crop=400:300:northeast&dpi=300&dpr=2&duotone=000:fff&enlarge=true"
        "&extend=10:20:30:40:ffffff&extend_aspect_ratio=16:9&flip=horizontal&format=jpeg"
        "&gradient=000,fff:90:0.25:overlay&gravity=attention&height=600&hue=25"
        "&keep_copyright=true&lightness=1.1&min-height=100&min-width=120&monochrome=333"
        "&negate=alpha:true&normalize=1:99&padding=1:2:3:4&pixelate=8&progressive=true"
        "&quality=85&resizing_algorithm=lanczos3&resizing_type=inside&rotate=45:fff"
        "&saturation=1.5&sharpen=true&strip_color_profile=false&strip_metadata=true"
        "&watermark={id}:southeast:-24:-24&watermark_position=southeast:-24:-24:0.85:overlay"
        "&watermark_rotate=15:000&watermark_shadow=000:4:2:3&watermark_size=200:100:0.5"
        "&watermark_text=Logo&watermark_url=aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw==&width=800"
        "&zoom=2:northeast",
    ),
    ("js", "crop=10:20:300:200:southwest"),
    ("js", 'sharpen={"m1":2,"sigma":1}'),
    ("js", 'watermark_text={"color":"ffffff","text":"Hello"}'),
    ("js", "watermark={id}:southeast:-1:-2&watermark_shadow=000:4:1:2"),
    ("js", "watermark={id}&watermark_position=southeast:-24:-24"),
    # gravity with offsets (parseGravityValue with allowOffsets), smart ones included.
    ("js", "gravity=north:10:10&width=100&height=100&resizing_type=cover"),
    ("js", "gravity=ce:10:-10&width=100&height=100&resizing_type=cover"),
    ("js", "gravity=attention:10:10&width=100&height=100&resizing_type=cover"),
    ("js", "gravity=entropy:-5:5&width=100&height=100&resizing_type=cover"),
    # crop=w:h:g:x:y, and x:y:w:h:g with a smart gravity.
    ("js", "crop=100:50:northeast:10:10"),
    ("js", "crop=0.5:0.5:ce:-5:5"),
    ("js", "crop=100:50:attention:5:5"),
    ("js", "crop=10:10:50:50:attention"),
    ("js", "crop=10:10:50:50:entropy"),
    ("js", "zoom=2:ce"),
    ("js", "zoom=2:attention"),
    # Smart gravities wherever a watermark takes one.
    ("js", "watermark={id}:attention"),
    ("js", "watermark={id}:entropy:5:5&watermark_size=0.2"),
    ("js", "watermark={id}&watermark_position=attention:5:5"),
    ("js", "watermark={id}&watermark_position=entropy"),
    # Colours of an object written r:g:b, joined by the builder with the other fields.
    ("js", "duotone=255:0:0:0:0:255"),
    ("js", "duotone=ff0000:0:0:255"),
    ("js", "duotone=255:0:0:0.5:fff"),
    ("js", "extend=1:2:3:4:255:0:0"),
    ("js", "rotate=45:255:0:0:0.5"),
    # -- imgwire-node (src/images/url-builder.ts) -----------------------------------------------
    ("node", 'crop={"mode":"extract","x":1,"y":2,"width":30,"height":20,"gravity":"entropy"}'),
    ("node", 'crop={"width":30,"height":20,"gravity":"attention"}'),
    ("node", 'extend_aspect_ratio={"height":9,"width":16}'),
    ("node", 'sharpen={"sigma":0,"m1":-1,"flat":1,"jagged":2}'),
    ("node", 'adjust={"saturation":1.2}'),
    ("node", 'gradient={"angle":90}'),
    ("node", 'gradient={"colors":["#ff0000"],"opacity":0.5}'),
    ("node", "gradient=ff0000:90"),
    ("node", "gradient=f00,00f::0.5"),
    (
        "node",
        'watermark={"image_id":"{id}","gravity":"entropy","x":1,"y":2,"opacity":0.5,'
        '"blend":"multiply"}',
    ),
    ("node", "watermark={id}::5:6"),
    (
        "node",
        'watermark_text=Hi&watermark_position={"gravity":"north","x":1,"y":2,"left":3,"top":4,'
        '"opacity":0.5,"blend":"multiply"}',
    ),
    (
        "node",
        'watermark_text={"text":"Hi","font":"Sans","size":300,"color":{"r":255,"g":0,"b":0},'
        '"width":100,"height":50,"align":"center","gravity":"north","x":3,"y":4,"left":1,'
        '"top":2,"opacity":0.5,"blend":"multiply"}',
    ),
    ("node", 'watermark_text=Hi&watermark_shadow={"color":{"r":0,"g":0,"b":0,"alpha":0.5}}'),
    ("node", 'watermark_text=Hi&watermark_size={"height":10}'),
    ("node", "watermark_text=Hi&watermark_size=:20"),
    ("node", "enlarge=false&width=20"),
    # -- imgwire-python (imgwire/images/url_builder.py) -----------------------------------------
    # The test suite's URL with every rule; JSON objects for every multi-field value.
    (
        "python",
        'adjust={"brightness":1.1,"color":1.2,"saturation":0.9}&background=fff'
        "&background_alpha=0.5&blur=true&brightness=1.2&chroma_subsampling=4:2:2"
        '&color_profile=srgb&colorize=112233&contrast={"multiplier":1.1,"pivot":128}'
        '&crop={"gravity":"northeast","height":200,"mode":"extract","width":300,"x":1,"y":2}'
        '&dpi=300&dpr=2&duotone={"highlightColor":"#ffffff","shadowColor":"#000000"}'
        '&enlarge=false&extend={"background":"#abcdef","bottom":3,"left":4,"right":2,"top":1}'
        '&extend_aspect_ratio={"height":9,"width":16}&flip=horizontal&format=jpg'
        '&gradient={"angle":90,"blend":"overlay","colors":["#ff0000","#00ff00"],"opacity":0.25}'
        "&gravity=southeast&height=600&hue=45&keep_copyright=true&lightness=1.1"
        "&min-height=100&min-width=100&monochrome=333333&negate=alpha:true"
        '&normalize={"lower":1,"upper":99}&padding={"all":5,"background":"#ffffff"}'
        "&pixelate=8&progressive=auto&quality=80&resizing_algorithm=lanczos3"
        '&resizing_type=inside&rotate={"angle":45,"background":{"b":255,"g":255,"r":255}}'
        '&saturation=0.8&sharpen={"sigma":1.2}&strip_color_profile=false&strip_metadata=false'
        '&watermark={"gravity":"southwest","imageId":"{id}","x":-1,"y":2}'
        '&watermark_position={"blend":"over","gravity":"southeast","opacity":0.85,"x":-24,'
        '"y":-24}&watermark_rotate={"angle":-15,"background":"#00000000"}'
        '&watermark_shadow={"blur":4,"color":"#000","x":1,"y":2}'
        '&watermark_size={"scale":0.5,"width":200}'
        '&watermark_text={"color":"#ffffff","gravity":"ce","size":24,"text":"Sample"}'
        "&watermark_url=aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw==&width=800&zoom=2:attention",
    ),
    ("python", "crop=400:300:northeast&format=jpg&quality=85&width=1200"),
    ("python", "crop=10:10:ce"),
    ("python", 'crop={"gravity":"attention","height":20,"mode":"extract","width":30,"x":1,"y":2}'),
    ("python", 'crop={"height":20,"mode":"cover","width":30,"x":1,"y":2}'),
    ("python", 'crop={"gravity":"north","height":20,"mode":"attention","width":30}'),
    ("python", 'crop={"height":20,"width":30,"x":1}'),
    ("python", "crop=1:2:30:20:entropy"),
    ("python", "gravity=attention&width=50&height=50&resizing_type=cover"),
    ("python", 'padding={"background":{"b":255,"g":0,"r":0},"x":2,"y":3}'),
    ("python", 'padding={"bottom":1,"background":"#00ff0080","top":4}'),
    ("python", 'extend={"background":{"alpha":0.5,"b":1,"g":2,"r":3},"top":1}'),
    ("python", 'extend_aspect_ratio={"height":9,"ratio":2,"width":16}'),
    ("python", 'extend_aspect_ratio={"ratio":"16:9"}'),
    ("python", "gradient=ff0000"),
    ("python", 'gradient={"colors":["#ff0000"]}'),
    ("python", 'gradient={"angle":-90,"colors":["#ff0000",{"b":255,"g":0,"r":0}]}'),
    ("python", 'normalize={"lower":5}'),
    ("python", 'normalize={"upper":95}'),
    ("python", 'watermark={"blend":"multiply","imageId":"{id}","opacity":0.5}'),
    ("python", 'watermark={"imageId":"{id}","left":5,"top":6}'),
    ("python", 'watermark={"imageId":"{id}","offset":{"x":5,"y":6}}'),
    ("python", 'watermark={"gravity":"attention","imageId":"{id}"}'),
    ("python", "watermark={id}:5:6"),
    ("python", "watermark={id}:attention:5"),
    ("python", 'watermark={id}&watermark_position={"gravity":"se","left":5,"top":6}'),
    ("python", 'watermark={id}&watermark_position={"offset":{"x":5},"opacity":0.5}'),
    ("python", "watermark={id}&watermark_position=se:5"),
    ("python", 'watermark_text=Hi&watermark_shadow={"color":{"b":0,"g":0,"r":0,"alpha":0.5}}'),
    ("python", 'watermark_text={"color":{"b":0,"g":0,"r":255},"text":"Sample"}'),
    (
        "python",
        'watermark_text={"blend":"multiply","font":"Sans","height":50,"offset":{"x":1,"y":2},'
        '"opacity":0.5,"text":"Sample","width":100}',
    ),
    ("python", 'watermark_text={"left":1,"text":"Sample","top":2,"x":3,"y":4}'),
    ("python", "watermark_text=Hi&watermark_size=::5"),
    ("python", 'watermark_text=Hi&watermark_size={"scale":5}'),
    ("python", "watermark_text=" + "x" * 2048),
    ("python", "gravity=attention"),
    # -- imgwire-go (images/url_builder.go) -----------------------------------------------------
    ("go", "crop=100:50:ce:0:0"),
    ("go", "crop=100:50:no:sm"),
    ("go", "crop=0.5:0.5:so:10:20"),
    ("go", "crop=2.5:50:soea"),
    ("go", "gravity=no:sm&width=50&height=50&resizing_type=cover"),
    ("go", "gravity=ce:10:20&width=50&height=50&resizing_type=cover"),
    ("go", "gravity=sowe:-5:7&width=50&height=50&resizing_type=cover"),
    ("go", "extend=true:no&width=300&height=200"),
    ("go", "extend=true:ce:10:20&width=300&height=200"),
    ("go", "extend_aspect_ratio=true:so:5:5&width=300&height=300"),
    ("go", "extend_aspect_ratio=true&width=300&height=300"),
    ("go", "flip=t:f&format=webp&quality=0&resizing_type=fill-down&width=50"),
    ("go", "pixelate=2.5&sharpen=0&blur=0&zoom=0.5&dpr=0.5"),
    ("go", "padding=1.5:2&background=255:0:0"),
    ("go", "background=ffffff&height=150&rotate=90&width=150"),
    # -- imgwire-ruby (lib/imgwire/image.rb): crop and gravity go out as written ----------------
    ("ruby", "crop=100:100:ne:10:10&format=png&strip_metadata=true"),
    ("ruby", "gravity=sm&height=50&width=50&quality=80"),
    ("ruby", "gravity=ce:0.1:0.2&height=50&width=50"),
]

URL_FORMS: list[tuple[str, str]] = [
    # JS and Node: standard base64 with padding; Python: the same, or a value passed through.
    ("js", "watermark_url=aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw=="),
    ("python", "watermark_url=aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw=="),
    ("node", "watermark_url=" + base64.b64encode(b"https://example.com/a/logo.png?v=2").decode()),
]


@pytest.fixture(scope="module")
def running(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedApp]:
    sources = {"quadrants": quadrants().pngsave_buffer()}
    with served(database_template, tmp_path_factory.mktemp("builders"), sources) as app:
        yield app


def _request_path(app: ServedApp, query: str) -> str:
    image = app.images["quadrants"]
    items = parse_qsl(query.replace("{id}", image["id"]), keep_blank_values=True)
    return path_of(image["cdn_url"]) + "?" + urlencode(items, quote_via=quote)


@pytest.mark.parametrize(
    ("builder", "query"), FORMS, ids=[f"{builder}:{query[:60]}" for builder, query in FORMS]
)
def test_every_form_an_official_builder_emits_is_served(
    running: ServedApp, builder: str, query: str
) -> None:
    response = running.client.get(_request_path(running, query))
    assert response.status_code == 200, (builder, response.text)
    image = decode(response.content)
    assert image.width > 0 and image.height > 0


@pytest.mark.parametrize(("builder", "query"), URL_FORMS)
def test_every_watermark_url_form_reads_as_its_url(builder: str, query: str) -> None:
    name, _, value = query.partition("=")
    expected = base64.b64decode(value).decode()
    assert parse_transformations([(name, value)]).watermark_url == expected, builder
