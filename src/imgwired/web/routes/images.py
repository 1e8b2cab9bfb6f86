"""``/api/v1/images``: the image resources of the contract."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Depends, Query, Response

from imgwired.accounts.auth import Access, Caller
from imgwired.container import Services
from imgwired.db.models import ImageDownloadJob
from imgwired.images.service import NewUpload
from imgwired.web.deps import PageDep, ServicesDep, auth_errors, require
from imgwired.web.error_responses import error_responses
from imgwired.web.ids import DownloadIdPath, ImageIdPath
from imgwired.web.pagination import PAGINATED, set_pagination_headers
from imgwired.web.schemas.images import (
    BulkDeleteImagesSchema,
    ImageDownloadJobCreateSchema,
    ImageDownloadJobSchema,
    ImageSchema,
    StandardUploadCreateSchema,
    StandardUploadResponseSchema,
    UploadTokenCreateResponseSchema,
    UploadViaUrlCreateSchema,
)

router = APIRouter(prefix="/api/v1/images", tags=["Images"], responses=auth_errors(Access.SERVER))
Server = Annotated[Caller, Depends(require(Access.SERVER))]
ServerOrClient = Annotated[Caller, Depends(require(Access.SERVER_OR_CLIENT))]


@router.get("/", operation_id="Images_list", summary="List Images", responses=PAGINATED)
def list_images(
    caller: Server, services: ServicesDep, page: PageDep, response: Response
) -> list[ImageSchema]:
    result = services.images.list(caller.environment(), page)
    set_pagination_headers(response, result)
    return [ImageSchema.of(image, services.images.cdn_url(image)) for image in result.items]


@router.post(
    "/standard_upload",
    operation_id="Images_create",
    summary="Create Standard Upload",
    responses=error_responses(409, 429),
)
def create_standard_upload(
    body: StandardUploadCreateSchema,
    caller: ServerOrClient,
    services: ServicesDep,
    upload_token: Annotated[str | None, Query(title="Upload Token")] = None,
) -> StandardUploadResponseSchema:
    new = NewUpload(
        file_name=body.file_name,
        content_length=body.content_length,
        mime_type=body.mime_type,
        hash_sha256=body.hash_sha256,
        idempotency_key=body.idempotency_key,
        purpose=body.purpose,
        custom_metadata=body.custom_metadata,
    )
    created = services.images.create_standard_upload(caller, new, upload_token)
    image = ImageSchema.of(created.image, services.images.cdn_url(created.image))
    return StandardUploadResponseSchema(image=image, upload_url=created.upload_url)


@router.post(
    "/upload_via_url",
    operation_id="Images_uploadViaUrl",
    summary="Upload Image Via URL",
    responses=error_responses(409),
)
def upload_via_url(
    body: UploadViaUrlCreateSchema, caller: Server, services: ServicesDep
) -> ImageSchema:
    file_name = body.file_name or _file_name_of(body.url)
    new = NewUpload(
        file_name=file_name,
        mime_type=body.mime_type,
        idempotency_key=body.idempotency_key,
        purpose=body.purpose,
        custom_metadata=body.custom_metadata,
    )
    image = services.ingestion.create(caller, body.url, new)
    return ImageSchema.of(image, services.images.cdn_url(image))


@router.post("/token", operation_id="Images_createUploadToken", summary="Create Upload Token")
def create_upload_token(caller: Server, services: ServicesDep) -> UploadTokenCreateResponseSchema:
    issued = services.upload_tokens.issue(caller.environment())
    token = issued.token
    return UploadTokenCreateResponseSchema(
        id=token.id,
        environment_id=token.environment_id,
        used_at=token.used_at,
        expires_at=token.expires_at,
        created_at=token.created_at,
        updated_at=token.updated_at,
        token=issued.secret,
    )


@router.post("/bulk_delete", operation_id="Images_bulkDelete", summary="Bulk Delete Images")
def bulk_delete_images(
    body: BulkDeleteImagesSchema, caller: Server, services: ServicesDep
) -> dict[str, str]:
    count = services.images.bulk_delete(caller.environment(), body.image_ids)
    return {"status": "deleted", "deleted": str(count)}


@router.post(
    "/downloads",
    operation_id="Images_createBulkDownloadJob",
    summary="Create Bulk Download Job",
)
def create_download(
    body: ImageDownloadJobCreateSchema, caller: Server, services: ServicesDep
) -> ImageDownloadJobSchema:
    job = services.downloads.create(caller.environment(), body.image_ids)
    return _download_schema(services, job)


@router.get(
    "/downloads/{image_download_job_id}",
    operation_id="Images_retrieveBulkDownloadJob",
    summary="Get Bulk Download Job",
)
def get_download(
    image_download_job_id: DownloadIdPath, caller: Server, services: ServicesDep
) -> ImageDownloadJobSchema:
    job = services.downloads.get(caller.environment(), image_download_job_id)
    return _download_schema(services, job)


@router.get(
    "/{image_id}",
    operation_id="Images_retrieve",
    summary="Get Image By ID",
    responses=error_responses(429),
)
def get_image(image_id: ImageIdPath, caller: ServerOrClient, services: ServicesDep) -> ImageSchema:
    image = services.images.get(caller.environment(), image_id)
    return ImageSchema.of(image, services.images.cdn_url(image))


@router.delete("/{image_id}", operation_id="Images_delete", summary="Delete Image By ID")
def delete_image(image_id: ImageIdPath, caller: Server, services: ServicesDep) -> dict[str, str]:
    image = services.images.delete(caller.environment(), image_id)
    return {"id": str(image.id), "status": "deleted"}


def _file_name_of(url: str) -> str:
    """The last path segment of a URL, as a file name for the record."""
    name = urlsplit(url).path.rstrip("/").rpartition("/")[2]
    return unquote(name)[:255] or "image"


def _download_schema(services: Services, job: ImageDownloadJob) -> ImageDownloadJobSchema:
    return ImageDownloadJobSchema(
        id=job.id,
        environment_id=job.environment_id,
        status=services.downloads.status(job),
        image_ids=[uuid.UUID(i) for i in job.image_ids],
        download_url=services.downloads.download_url(job),
        created_at=job.created_at,
        updated_at=job.updated_at,
    )
