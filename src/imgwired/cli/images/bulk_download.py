"""``imgwired images download``: zips of images through the bulk download jobs API.

The server builds each zip in a job (at most ``JOB_LIMIT`` images each, the API's limit), then
hands out a signed URL; the zip is streamed to a temporary file beside its destination and moved
into place when complete, so an interrupted download never leaves a truncated zip. Only READY
images go into a zip; the others are counted as left out.
"""

from __future__ import annotations

import argparse
import os
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .failures import CliFailure
from .progress import Display, human_bytes

if TYPE_CHECKING:
    from imgwired.client import BulkDownloadJob, ImgwireClient

JOB_LIMIT = 1000
JOB_TIMEOUT_SECONDS = 600.0
_POLL_SECONDS = (0.1, 0.25, 0.5, 1.0)


def download(client: ImgwireClient, args: argparse.Namespace) -> int:
    """Download the chosen images into ``--output``; prints what was written and a summary."""
    image_ids = _chosen_ids(client, args)
    if not image_ids:
        raise CliFailure("no images match: nothing to download", "NothingToDownloadError")
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    display = Display(as_json=args.json)
    started = time.monotonic()
    written: list[dict[str, Any]] = []
    with display.showing():
        for start in range(0, len(image_ids), JOB_LIMIT):
            batch = image_ids[start : start + JOB_LIMIT]
            job = _finished_job(client, batch, display)
            result = _fetch_zip(job, output, args.extract, display)
            written.append(result)
            display.line(
                f"{result['path']}  {result['images']} image(s)  {human_bytes(result['bytes'])}"
            )
            display.record(result)
    summary = {
        "images": sum(result["images"] for result in written),
        "left_out": len(image_ids) - sum(result["images"] for result in written),
        "zips": len(written),
        "bytes": sum(result["bytes"] for result in written),
        "seconds": round(time.monotonic() - started, 3),
    }
    left_out = f", {summary['left_out']} not READY left out" if summary["left_out"] else ""
    display.line(
        f"downloaded {summary['images']} image(s){left_out}; "
        f"{human_bytes(summary['bytes'])} in {summary['seconds']:.1f} s"
    )
    display.record({"summary": summary})
    return 0


def _chosen_ids(client: ImgwireClient, args: argparse.Namespace) -> list[str]:
    if args.image_ids and (args.all or args.status):
        raise CliFailure(
            "name image ids, or choose them with --all or --status, not both", "UsageError"
        )
    if args.image_ids:
        return list(dict.fromkeys(args.image_ids))
    if not (args.all or args.status):
        raise CliFailure("name image ids, or pass --all or --status", "UsageError")
    wanted = set(args.status or ())
    return [
        str(image.id)
        for image in client.images.list_all(limit=100)
        if not wanted or image.status in wanted
    ]


def _finished_job(client: ImgwireClient, image_ids: list[str], display: Display) -> BulkDownloadJob:
    from imgwired.client import BulkDownloadStatus

    job = client.images.create_bulk_download_job(image_ids)
    display.task(f"building the zip of {len(image_ids)} image(s)", None)
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    seen, polls = "", 0
    while True:
        if job.status != seen:
            seen = job.status
            display.describe(f"zip of {len(image_ids)} image(s): {job.status}")
            display.record({"job": str(job.id), "status": job.status})
        if job.status == BulkDownloadStatus.READY and job.download_url:
            return job
        if job.status == BulkDownloadStatus.FAILED:
            raise CliFailure(
                f"the server could not build the zip (job {job.id})", "DownloadFailedError"
            )
        if time.monotonic() > deadline:
            raise CliFailure(
                f"the zip (job {job.id}) was not ready within {JOB_TIMEOUT_SECONDS:.0f} s",
                "ProcessingTimeoutError",
            )
        time.sleep(_POLL_SECONDS[min(polls, len(_POLL_SECONDS) - 1)])
        polls += 1
        job = client.images.retrieve_bulk_download_job(job.id)


def _fetch_zip(
    job: BulkDownloadJob, output: Path, extract: bool, display: Display
) -> dict[str, Any]:
    import httpx

    assert job.download_url is not None
    destination = output / f"images-{job.id}.zip"
    partial = output / f".images-{job.id}.zip.part"
    received = 0
    names: list[str] = []
    try:
        with httpx.stream("GET", job.download_url, timeout=60.0) as response:
            response.raise_for_status()
            length = response.headers.get("Content-Length")
            display.task("downloading", int(length) if length else None, in_bytes=True)
            with partial.open("wb") as file:
                for chunk in response.iter_bytes(1024 * 1024):
                    file.write(chunk)
                    received += len(chunk)
                    display.advance(len(chunk))
        with zipfile.ZipFile(partial) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
            if extract:
                archive.extractall(output)  # drops absolute paths and ".." from member names
        if not extract:
            os.replace(partial, destination)
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise CliFailure(
            f"the zip's download URL answered HTTP {status} (job {job.id})", "DownloadFailedError"
        ) from None
    except httpx.TransportError as error:
        where = str(httpx.URL(job.download_url).copy_with(query=None))
        raise CliFailure(
            f"{where} could not be reached ({error!r}); the server hands out URLs on that host: "
            "check its IMGWIRED_PUBLIC_URL",
            "ServerUnreachableError",
        ) from None
    except zipfile.BadZipFile:
        raise CliFailure(f"the zip of job {job.id} is damaged", "DownloadFailedError") from None
    finally:
        partial.unlink(missing_ok=True)
    path = output if extract else destination
    return {"job": str(job.id), "path": str(path), "images": len(names), "bytes": received}
