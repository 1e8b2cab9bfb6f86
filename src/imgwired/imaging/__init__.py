"""Image inspection: what an uploaded file really is, decided from its bytes, never its name.

Import from the modules (``imgwired.imaging.probe``, ``imgwired.imaging.sniff``, ...): the
package re-exports nothing, so ``probe`` and ``sniff`` name modules here, not functions.
Nothing touches libvips at import time; ``configure_libvips`` and ``probe`` start it.

* ``sniff``: the supported type from magic bytes;
* ``probe``: sniff, polyglot check, trusted loader, pixel limit, full decode, ``ImageInfo``;
* ``polyglot`` and ``structure``: markup in metadata and trailers around the image's logical end;
* ``vips``: the libvips boundary and ``configure_libvips``;
* ``exif``, ``formats``, ``errors``: EXIF values, extensions, ``ImageRejectedError``.
"""
