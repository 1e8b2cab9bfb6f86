"""Where each blob lives in the blob store: the one layout every writer, reader and sweep uses.

::

    <environment>/                            everything of one environment (its purge)
    <environment>/<image>/                    everything of one image (its purge, the sweep)
    <environment>/<image>/original            the bytes as uploaded
    <environment>/<image>/derived/<variant>   a rendition (``<variant>.<format>``)
    <environment>/downloads/<download>.zip    a bulk download's zip
    <environment>/watermarks/<url hash>/<bytes hash>.<ext>   a watermark fetched from a URL
    _probe/<random>                           a store probe's blob, deleted as the probe ends

An image's renditions live under its prefix, so removing the prefix removes them with it.
"""

from __future__ import annotations

import hashlib
import uuid

from imgwired.ids import canonical_id


def environment_prefix(environment_id: uuid.UUID) -> str:
    return f"{environment_id}/"


def image_prefix(environment_id: uuid.UUID | str, image_id: uuid.UUID | str) -> str:
    return f"{environment_id}/{image_id}/"


def original_key(environment_id: uuid.UUID, image_id: uuid.UUID) -> str:
    return f"{image_prefix(environment_id, image_id)}original"


def rendition_key(environment_id: uuid.UUID, image_id: uuid.UUID, file_name: str) -> str:
    """The key of a rendition; ``file_name`` is ``<variant>.<format>``."""
    return f"{image_prefix(environment_id, image_id)}derived/{file_name}"


def download_key(environment_id: uuid.UUID, download_id: uuid.UUID) -> str:
    return f"{environment_id}/downloads/{download_id}.zip"


def watermark_url_prefix(environment_id: uuid.UUID, url: str) -> str:
    """Where the copies of the watermark at ``url`` live; a listing finds the one kept."""
    return f"{environment_id}/watermarks/{hashlib.sha256(url.encode()).hexdigest()}/"


def watermark_copy_key(prefix: str, data: bytes, extension: str) -> str:
    """The key of one copy under its URL's prefix, named by the hash of its bytes."""
    return f"{prefix}{hashlib.sha256(data).hexdigest()}.{extension}"


def image_of(key: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(environment id, image id) of a key under an image's prefix, else None."""
    parts = key.split("/")
    if len(parts) < 3:
        return None
    environment_id, image_id = canonical_id(parts[0]), canonical_id(parts[1])
    if environment_id is None or image_id is None:
        return None
    return environment_id, image_id
