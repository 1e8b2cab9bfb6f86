from __future__ import annotations

import subprocess
import sys

import pytest

from imgwired.imaging import vips
from imgwired.imaging.vips import LOADERS, configure_libvips, pyvips
from imgwired.media_types import SupportedMimeType as Mime

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect/></svg>'


def test_importing_the_package_does_not_start_libvips() -> None:
    code = "import sys, imgwired.imaging, imgwired.imaging.probe; print('pyvips' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_configuring_twice_is_harmless() -> None:
    configure_libvips()
    configure_libvips()
    assert pyvips().Image.pngload_buffer(pyvips().Image.black(2, 2).pngsave_buffer()).width == 2


@pytest.mark.parametrize(
    ("operation", "data"),
    [
        pytest.param("svgload_buffer", SVG, id="svg-untrusted"),
        pytest.param("csvload_source", b"1,2\n3,4\n", id="csv-untrusted"),
        pytest.param("vipsload_source", b"\x08\xf2\xa6\xb6" + bytes(60), id="vips-untrusted"),
        pytest.param("matrixload_source", b"2 2\n1 2\n3 4\n", id="matrix-not-allowed"),
    ],
)
def test_loaders_outside_the_allowlist_are_blocked(operation: str, data: bytes) -> None:
    configure_libvips()
    vips_module = pyvips()
    argument = data if operation.endswith("_buffer") else vips_module.Source.new_from_memory(data)
    with pytest.raises(vips_module.Error, match="operation is blocked"):
        getattr(vips_module.Image, operation)(argument)


def test_automatic_loader_choice_skips_blocked_loaders() -> None:
    configure_libvips()
    with pytest.raises(pyvips().Error, match="not in a known format"):
        pyvips().Image.new_from_buffer(SVG, "")


def test_magick_is_never_trusted() -> None:
    assert not LOADERS[Mime.BMP].trusted
    assert not LOADERS[Mime.ICO].trusted
    assert all(
        loader.trusted for mime, loader in LOADERS.items() if mime not in (Mime.BMP, Mime.ICO)
    )


def test_this_build_loads_the_common_formats() -> None:
    # pyvips-binary: libheif with AV1 only (no HEVC), no libjxl, no ImageMagick.
    available = {mime for mime, loader in LOADERS.items() if vips.is_available(loader)}
    assert available >= {Mime.JPEG, Mime.PNG, Mime.WEBP, Mime.GIF, Mime.TIFF, Mime.AVIF}
