"""Domain errors: what went wrong, in words a caller can act on, and nothing about HTTP.

The hierarchy::

    ImgwiredError
    ├── InvalidInputError            the request is well-formed but its content is refused
    │   ├── InvalidHostnameError     a custom-domain hostname that is not a usable subdomain
    │   └── InvalidOriginPatternError  (cors/patterns.py) an origin pattern, with the reason
    ├── NotFoundError                no such thing in the caller's environment
    │   ├── EnvironmentNotFoundError
    │   ├── ApiKeyNotFoundError
    │   ├── CorsOriginNotFoundError
    │   ├── ImageNotFoundError
    │   ├── DownloadNotFoundError
    │   └── CustomDomainNotFoundError
    ├── ConflictError                the change collides with existing state
    │   ├── DefaultEnvironmentError
    │   ├── CustomDomainConflictError
    │   └── UploadInProgressError    another upload to the same URL is under way
    ├── AuthenticationError          the caller could not be identified or used the wrong key
    │   ├── MissingCredentialsError
    │   ├── InvalidApiKeyError
    │   ├── RevokedApiKeyError
    │   ├── ClientKeyNotAllowedError
    │   ├── AdminTokenRequiredError
    │   └── UploadTokenError         a signed upload without a usable token
    ├── EnvironmentRequiredError     an admin token was used without ``X-Environment-Id``
    ├── EnvironmentMismatchError     a key was used with another environment's id
    ├── PayloadTooLargeError
    │   └── UploadTooLargeError
    ├── UploadUrlError               an upload URL that is invalid, expired or used
    ├── UploadRejectedError          bytes that break a declared rule (length, hash, type)
    ├── TooManyPendingUploadsError
    ├── RateLimitExceededError       a key, an address or its renders went over a rate limit
    ├── HeadersTooLargeError
    ├── NotInitializedError          the install has no organization yet
    ├── CorsOriginNotAllowedError    a browser origin the environment does not allow
    ├── InvalidTransformationError   a CDN parameter that is unknown, repeated or malformed
    ├── TransformationTooLargeError  a source or an output over the pixel limits
    │   └── RenderBudgetExceededError  a render over a configured budget, known before decoding
    ├── RenderTimeoutError           a render stopped when it ran past its time budget
    ├── RequestAbandonedError        the client left before its answer was ready
    ├── ServiceBusyError             more work is waiting than the server takes on
    ├── NotImplementedYetError       an operation of the contract this server cannot do yet
    ├── ImageRejectedError           (imaging/errors.py) bytes that are not a usable image
    ├── FetchError                   (ingest/errors.py) an upload-by-URL source refused or failed
    │   ├── InvalidFetchUrlError
    │   ├── ForbiddenAddressError    the URL resolves to an address that may not be fetched
    │   ├── TooManyRedirectsError
    │   ├── FetchTooLargeError
    │   └── FetchFailedError
    │       └── FetchTimeoutError
    ├── StorageError                 (storage/base.py) the blob backend failed
    ├── BlobNotFoundError            (storage/base.py) no blob under the key
    └── InvalidBlobKeyError          (storage/base.py) a key that breaks the key rules

``error_type`` is the class name: a stable identifier that clients may branch on.
Errors of one layer are defined beside it (the file is named above); every one is drawn here.
The web layer maps each class to a status code in one table (``web/errors.py``), read along the
class's MRO, so a subclass takes its ancestor's status unless it has its own.
"""

from __future__ import annotations


class ImgwiredError(Exception):
    """Base of every error imgwired reports to a caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def error_type(self) -> str:
        return type(self).__name__


class InvalidInputError(ImgwiredError):
    """The input parsed, but a rule about its content refuses it."""

    def __init__(self, detail: str, *, loc: tuple[str | int, ...] = ()) -> None:
        super().__init__(detail)
        self.loc = loc


class NotFoundError(ImgwiredError):
    pass


class EnvironmentNotFoundError(NotFoundError):
    pass


class ApiKeyNotFoundError(NotFoundError):
    pass


class CorsOriginNotFoundError(NotFoundError):
    pass


class ConflictError(ImgwiredError):
    pass


class DefaultEnvironmentError(ConflictError):
    pass


class AuthenticationError(ImgwiredError):
    pass


class MissingCredentialsError(AuthenticationError):
    pass


class InvalidApiKeyError(AuthenticationError):
    pass


class RevokedApiKeyError(AuthenticationError):
    pass


class ClientKeyNotAllowedError(AuthenticationError):
    pass


class AdminTokenRequiredError(AuthenticationError):
    pass


class SessionExpiredError(AuthenticationError):
    """A dashboard session cookie that names no live session: signed out, expired, or made with
    a server key since revoked."""


class CrossSiteRequestError(ImgwiredError):
    """A state-changing request made with a dashboard session that did not come from the
    dashboard itself: another origin, or no valid CSRF token."""


class EnvironmentRequiredError(ImgwiredError):
    pass


class EnvironmentMismatchError(ImgwiredError):
    pass


class PayloadTooLargeError(ImgwiredError):
    pass


class HeadersTooLargeError(ImgwiredError):
    pass


class NotInitializedError(ImgwiredError):
    pass


class CorsOriginNotAllowedError(ImgwiredError):
    """A browser request from an origin the environment's allowlist does not admit."""


class NotImplementedYetError(ImgwiredError):
    pass


class UploadTokenError(AuthenticationError):
    """A signed upload without a usable token: missing, unknown, foreign, expired or used."""


class ImageNotFoundError(NotFoundError):
    pass


class DownloadNotFoundError(NotFoundError):
    pass


class UploadUrlError(ImgwiredError):
    """An upload URL that is invalid, expired, or already used."""


class UploadInProgressError(ConflictError):
    """A PUT to an upload URL while another upload to it holds a live claim."""


class UploadRejectedError(ImgwiredError):
    """Upload bytes that break a declared or configured rule (length, hash, type)."""


class UploadTooLargeError(PayloadTooLargeError):
    pass


class TooManyPendingUploadsError(ImgwiredError):
    pass


class RateLimitExceededError(ImgwiredError):
    """A request over a rate limit: ``policy`` names the limit (``key``, ``ip``, ``render``),
    which admits ``quota`` requests per ``window`` seconds; another is admitted in
    ``retry_after`` seconds (at least 1)."""

    def __init__(self, detail: str, *, policy: str, quota: int, window: int, retry_after: int):
        super().__init__(detail)
        self.policy = policy
        self.quota = quota
        self.window = window
        self.retry_after = retry_after


class InvalidTransformationError(ImgwiredError):
    """A CDN transformation parameter that is unknown, repeated, malformed or out of range."""


class TransformationTooLargeError(ImgwiredError):
    """A transformation whose output, or whose source, is over the pixel limits."""


class RenderBudgetExceededError(TransformationTooLargeError):
    """A render whose output or cost, worked out before decoding, is over a configured limit.

    ``limit`` names the setting (``IMGWIRED_MAX_OUTPUT_PIXELS``, ``IMGWIRED_MAX_RENDER_COST``).
    """

    def __init__(self, detail: str, *, limit: str) -> None:
        super().__init__(detail)
        self.limit = limit


class RenderTimeoutError(ImgwiredError):
    """A render that ran past its time budget and was stopped inside libvips."""


class RequestAbandonedError(ImgwiredError):
    """The client closed its connection before the answer was ready; nobody reads this."""


class ServiceBusyError(ImgwiredError):
    """More work is waiting than the server takes on; the client should retry shortly."""


class CustomDomainNotFoundError(NotFoundError):
    """The environment has no custom domain (or, for ``/tls/ask``, none that is connected)."""


class CustomDomainConflictError(ConflictError):
    """The hostname belongs to another environment, or this environment already has one."""


class InvalidHostnameError(InvalidInputError):
    """A custom-domain hostname was refused; ``detail`` tells the user why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, loc=("body", "hostname"))
