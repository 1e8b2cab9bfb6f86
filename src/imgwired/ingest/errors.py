"""Errors of the URL fetcher: each names what was refused, never how the server is wired.

Details mention the URL's host at most, not the addresses it resolved to, so a caller cannot use
the fetcher to map an internal network.
"""

from __future__ import annotations

from imgwired.errors import ImgwiredError


class FetchError(ImgwiredError):
    """Base of every error the URL fetcher reports."""


class InvalidFetchUrlError(FetchError):
    """The URL is malformed, too long, or uses a scheme or form the fetcher refuses."""


class ForbiddenAddressError(FetchError):
    """The host is, or resolves to, an address that is not globally routable unicast."""

    def __init__(self, detail: str, *, category: str) -> None:
        super().__init__(detail)
        self.category = category


class TooManyRedirectsError(FetchError):
    """The server redirected more often than the fetcher allows."""


class FetchTooLargeError(FetchError):
    """The body is, or announced itself as, larger than the size cap."""


class FetchFailedError(FetchError):
    """The server could not be reached or answered with something other than a 2xx body."""


class FetchTimeoutError(FetchFailedError):
    """Connecting, reading, or the whole fetch took longer than its time limit."""
