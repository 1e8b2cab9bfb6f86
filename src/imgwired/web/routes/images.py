"""``/api/v1/images``: the image resources of the contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from imgwired.errors import NotImplementedYetError
from imgwired.services.auth import Access, Caller
from imgwired.web.deps import require
from imgwired.web.schemas.images import StandardUploadCreateSchema, StandardUploadResponseSchema

router = APIRouter(prefix="/api/v1/images", tags=["Images"])
ServerOrClient = Annotated[Caller, Depends(require(Access.SERVER_OR_CLIENT))]


@router.post("/standard_upload", operation_id="Images_create", summary="Create Standard Upload")
def create_standard_upload(
    body: StandardUploadCreateSchema,
    caller: ServerOrClient,
    upload_token: Annotated[str | None, Query(title="Upload Token")] = None,
) -> StandardUploadResponseSchema:
    # Authentication and the CORS decision have run by now; storing uploads comes next.
    raise NotImplementedYetError("Standard uploads are not available on this server yet")
