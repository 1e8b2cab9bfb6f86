"""Which files ``imgwired images upload PATH...`` sends: named files always, images in folders.

A file named on the command line is uploaded whatever it holds: the server decides, and says
why it refuses. Inside a folder (walked recursively, in name order, hidden entries left out) a
file is taken when its first bytes are an image the server accepts (the same check the server
makes) or its extension is a supported type's, so a damaged photo is reported, not passed over.
Everything else is listed as ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from imgwired.imaging.formats import EXTENSIONS
from imgwired.imaging.sniff import SNIFF_BYTES, sniff

# The canonical extension of every supported type, and the other spellings cameras write.
_IMAGE_SUFFIXES = frozenset(
    {f".{extension}" for extension in EXTENSIONS.values()} | {".jpeg", ".jpe", ".tif", ".heif"}
)


@dataclass(slots=True)
class Selection:
    """The files to upload, in order, and what was left out and why."""

    files: list[Path] = field(default_factory=list)
    ignored: list[tuple[Path, str]] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)


def select(paths: list[str]) -> Selection:
    selection = Selection()
    seen: set[Path] = set()
    for argument in paths:
        path = Path(argument)
        if path.is_dir():
            for found in _walk(path):
                if found.resolve() in seen:
                    continue
                seen.add(found.resolve())
                reason = _not_an_image(found)
                if reason is None:
                    selection.files.append(found)
                else:
                    selection.ignored.append((found, reason))
        elif path.is_file():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                selection.files.append(path)
        else:
            selection.missing.append(path)
    return selection


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found += [Path(root, name) for name in sorted(names) if not name.startswith(".")]
    return [path for path in found if path.is_file()]


def _not_an_image(path: Path) -> str | None:
    """None for an image (by content or name), else why the file is left out."""
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if sniff(head) is not None:
        return None
    if path.suffix.lower() in _IMAGE_SUFFIXES:
        return None
    return "not an image"
