"""The Python SDK of the Imgwire Resource API, for imgwired and Imgwire servers.

```python
from imgwired.client import ImgwireClient

with ImgwireClient(api_key="sk_...", base_url="http://localhost:8000") as client:
    image = client.images.upload("hero.jpg", wait=True)
    print(image.id, image.url(preset="thumbnail"))
```

It imports nothing of the server: only httpx, anyio and pydantic. See ``docs/python-sdk.md``.
"""

from __future__ import annotations

from imgwired.client._client import AsyncImgwireClient, ImgwireClient
from imgwired.client._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ImgwireError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProcessingTimeoutError,
    RateLimitError,
    UnprocessableEntityError,
)
from imgwired.client.models import (
    BulkDownloadJob,
    BulkDownloadStatus,
    CorsOrigin,
    CustomDomain,
    CustomDomainStatus,
    Image,
    ImageStatus,
    MetricsDatasets,
    MetricsStats,
    MetricStat,
    StandardUpload,
    UploadToken,
)
from imgwired.client.pagination import Page

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncImgwireClient",
    "AuthenticationError",
    "BadRequestError",
    "BulkDownloadJob",
    "BulkDownloadStatus",
    "ConflictError",
    "CorsOrigin",
    "CustomDomain",
    "CustomDomainStatus",
    "Image",
    "ImageStatus",
    "ImgwireClient",
    "ImgwireError",
    "InternalServerError",
    "MetricStat",
    "MetricsDatasets",
    "MetricsStats",
    "NotFoundError",
    "Page",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProcessingTimeoutError",
    "RateLimitError",
    "StandardUpload",
    "UnprocessableEntityError",
    "UploadToken",
]
