"""The last steps: the output colour profile, what metadata survives, and the encoder.

``encode`` takes one image (frames stacked with ``page-height`` for an animation) that is
already upright, sized and flattened as the output needs, and returns the encoded bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from imgwired.errors import InvalidTransformationError
from imgwired.transform.grammar.params import Transformation
from imgwired.transform.grammar.values import ChromaSubsampling, ColorProfile, OutputFormat

DEFAULT_QUALITY: Final[Mapping[OutputFormat, int]] = MappingProxyType(
    {OutputFormat.JPEG: 80, OutputFormat.WEBP: 80, OutputFormat.AVIF: 50}
)
"""``quality=auto`` (or none given), per lossy format; AVIF's scale is stricter than JPEG's."""

AVIF_EFFORT: Final = 1
"""libvips' AVIF effort (0 fastest..9), libaom speed 8: 10-25x faster to encode than libvips'
default of 4, for files about a tenth larger (more on smooth gradients). A server that renders
on request, within a time budget, makes that trade; docs/transformations.md has the figures."""

ANIMATED_FORMATS: Final = frozenset({OutputFormat.GIF, OutputFormat.WEBP})
ALPHA_FORMATS: Final = frozenset(
    {OutputFormat.PNG, OutputFormat.WEBP, OutputFormat.AVIF, OutputFormat.GIF, OutputFormat.TIFF}
)
CMYK_FORMATS: Final = frozenset({OutputFormat.JPEG, OutputFormat.TIFF})
_SIXTEEN_BIT_FORMATS: Final = frozenset({OutputFormat.PNG, OutputFormat.TIFF})
_COPYRIGHT_FIELD: Final = "exif-ifd0-Copyright"
_RESOLUTION_FIELDS: Final = (
    "exif-ifd0-XResolution",
    "exif-ifd0-YResolution",
    "exif-ifd0-ResolutionUnit",
)
_SUBSAMPLE_MODES: Final = {
    None: "auto",
    ChromaSubsampling.S444: "off",
    # libvips's encoders subsample only as 4:2:0: 4:2:2 is served as 4:2:0.
    ChromaSubsampling.S422: "on",
    ChromaSubsampling.S420: "on",
}


def encode(image: Any, output: OutputFormat, t: Transformation) -> bytes:
    """``image`` encoded as ``output`` with ``t``'s profile, metadata and encoder options."""
    if t.color_profile is ColorProfile.CMYK and output not in CMYK_FORMATS:
        raise InvalidTransformationError(
            f"color_profile=cmyk cannot be encoded as {output.value}: use jpeg or tiff"
        )
    image, keep_icc = _with_profile(image, output, t)
    image, keep = _with_metadata(image, t)
    if keep_icc:
        keep.append("icc")
    if t.dpi is not None:
        image = image.copy(xres=t.dpi / 25.4, yres=t.dpi / 25.4)
    options: dict[str, Any] = {"keep": ":".join(keep) if keep else "none"}
    return bytes(_SAVERS[output](image, t, options))


def _with_profile(image: Any, output: OutputFormat, t: Transformation) -> tuple[Any, bool]:
    """The image in the output colour space, and whether its ICC profile is embedded."""
    profile = t.color_profile
    if profile is ColorProfile.KEEP:
        return image, "icc-profile-data" in image.get_fields()
    if profile is ColorProfile.CMYK:
        if image.bands < 3:
            image = image.colourspace("srgb")
        # The input profile defaults to sRGB, which is what the pipeline delivers.
        return image.icc_transform("cmyk", embedded=False), t.strip_color_profile is not True
    sixteen_bit = profile is ColorProfile.RGB16 and output in _SIXTEEN_BIT_FORMATS
    if sixteen_bit and image.interpretation not in ("rgb16", "grey16"):
        image = image.colourspace("rgb16")
    keep = t.strip_color_profile is False
    if keep and "icc-profile-data" not in image.get_fields():
        if image.bands < 3:
            image = image.colourspace("srgb" if image.format == "uchar" else "rgb16")
        image = image.icc_transform("srgb", embedded=False, depth=_depth(image))
    return image, keep


def _depth(image: Any) -> int:
    return 16 if image.format == "ushort" else 8


def _with_metadata(image: Any, t: Transformation) -> tuple[Any, list[str]]:
    """The image with only the metadata to keep, and the encoder's ``keep`` flags for it."""
    if not t.strip_metadata:
        return image, ["exif", "xmp", "iptc", "other"]
    kept = set(_RESOLUTION_FIELDS) if t.dpi is not None else set()
    fields = image.get_fields()
    if t.keep_copyright and _COPYRIGHT_FIELD in fields:
        kept.add(_COPYRIGHT_FIELD)
    if not kept:
        return image, []
    # JPEG carries its resolution only in EXIF, so dpi keeps an EXIF block of these tags alone.
    image = image.copy()
    for name in fields:
        # libvips rebuilds the EXIF block from these fields: removing one drops its tag.
        if name.startswith("exif-") and name != "exif-data" and name not in kept:
            image.remove(name)
    return image, ["exif"]


def _quality(output: OutputFormat, t: Transformation) -> int:
    return t.quality if t.quality is not None else DEFAULT_QUALITY[output]


def _jpeg(image: Any, t: Transformation, options: dict[str, Any]) -> Any:
    if image.hasalpha():
        image = image.flatten(background=[255.0] * (image.bands - 1))
    return image.jpegsave_buffer(
        Q=_quality(OutputFormat.JPEG, t),
        interlace=t.progressive is not False,
        optimize_coding=True,
        subsample_mode=_SUBSAMPLE_MODES[t.chroma_subsampling],
        **options,
    )


def _png(image: Any, t: Transformation, options: dict[str, Any]) -> Any:
    return image.pngsave_buffer(interlace=t.progressive is True, **options)


def _webp(image: Any, t: Transformation, options: dict[str, Any]) -> Any:
    return image.webpsave_buffer(Q=_quality(OutputFormat.WEBP, t), **options)


def _avif(image: Any, t: Transformation, options: dict[str, Any]) -> Any:
    return image.heifsave_buffer(
        compression="av1",
        Q=_quality(OutputFormat.AVIF, t),
        effort=AVIF_EFFORT,
        subsample_mode=_SUBSAMPLE_MODES[t.chroma_subsampling],
        **options,
    )


def _gif(image: Any, t: Transformation, options: dict[str, Any]) -> Any:
    return image.gifsave_buffer(interlace=t.progressive is True, **options)


def _tiff(image: Any, t: Transformation, options: dict[str, Any]) -> Any:
    return image.tiffsave_buffer(compression="deflate", predictor="horizontal", **options)


_SAVERS: Final = MappingProxyType(
    {
        OutputFormat.JPEG: _jpeg,
        OutputFormat.PNG: _png,
        OutputFormat.WEBP: _webp,
        OutputFormat.AVIF: _avif,
        OutputFormat.GIF: _gif,
        OutputFormat.TIFF: _tiff,
    }
)
