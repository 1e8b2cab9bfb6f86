"""Settings, read from ``IMGWIRED_*`` environment variables, a ``.env`` file in the working
directory, or passed in by the caller; and every other ``IMGWIRED_*`` name anything reads.

Every variable is documented in docs/configuration.md, and a test keeps that page complete.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from imgwired.nameservers import parse_nameserver
from imgwired.paths import CDN_PREFIX


class Settings(BaseSettings):
    """Everything imgwired can be told; nothing is read until an instance is built."""

    # Real environment variables win over .env, which wins over the defaults.
    model_config = SettingsConfigDict(
        env_prefix="IMGWIRED_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Path("./data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite at <data_dir>/imgwired.db.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(
        default=1,
        ge=1,
        le=256,
        description="Server processes `serve` runs on the one port; a crashed one is restarted.",
    )
    public_url: str | None = Field(
        default=None,
        description="The base URL clients use to reach this server; defaults to http://host:port.",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="An admin token accepted in addition to the one `init` creates.",
    )
    default_environment_name: str = "production"
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    max_total_header_bytes: int = Field(default=64 * 1024, ge=4096)
    migrate_on_start: bool = True
    blob_store_url: str = Field(
        default="",
        description="Where image bytes live: empty for <data_dir>/blobs, a path, or s3://bucket/prefix",
    )
    cdn_base_url: str | None = Field(
        default=None, description="Base of cdn_url; defaults to <public url>/cdn on this server."
    )
    transform_threads: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        ge=1,
        le=256,
        description="Renders that may run at once; defaults to the number of cores (at least 2).",
    )
    transform_heavy_threads: int | None = Field(
        default=None,
        ge=1,
        description="Of those, how many may run renders over cheap_render_cost; default half.",
    )
    transform_queue_limit: int = Field(
        default=64, ge=0, description="Renders that may wait per lane (cheap, heavy); beyond, 503."
    )
    max_output_pixels: int = Field(
        default=50_000_000,
        ge=1,
        description="Output width x height x frames above which a render is refused (400).",
    )
    max_render_cost: int = Field(
        default=10_000,
        ge=1,
        description="Estimated cost (about ms of one core) above which a render is refused.",
    )
    cheap_render_cost: int = Field(
        default=1000,
        ge=0,
        description="Renders estimated at most this cost run in the cheap lane.",
    )
    render_timeout_seconds: float = Field(
        default=20.0, gt=0, le=3600, description="A render running longer is stopped (503)."
    )
    vips_concurrency: int = Field(
        default=1, ge=1, le=256, description="libvips worker threads per render."
    )
    vips_cache_max_operations: int = Field(
        default=0, ge=0, description="libvips operation cache: operations kept (0: off)."
    )
    vips_cache_max_bytes: int = Field(
        default=0, ge=0, description="libvips operation cache: memory it may hold."
    )
    vips_cache_max_files: int = Field(
        default=0, ge=0, description="libvips operation cache: files it may keep open."
    )
    shutdown_timeout_seconds: int = Field(
        default=3,
        ge=0,
        le=60,
        description="On SIGTERM, how long requests in flight may finish before they are stopped.",
    )
    max_variants_per_image: int = Field(
        default=200,
        ge=1,
        description="Derived images cached per image; beyond it the oldest is evicted.",
    )
    delivery_memory_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Memory for the most requested deliveries (each up to 1 MiB); 0 turns it off.",
    )
    upload_url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    upload_token_ttl_seconds: int = Field(default=15 * 60, ge=10, le=24 * 3600)
    max_pixels: int = Field(default=250_000_000, ge=1)
    server_key_upload_bytes: int = Field(default=100 * 1024 * 1024, ge=5120)
    watermark_url_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="Largest watermark_url image fetched; a larger one is refused.",
    )
    fetch_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Networks upload_via_url may reach despite being private (development only).",
    )
    run_jobs_in_process: bool = True
    job_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    job_lease_seconds: float = Field(
        default=15,
        gt=0,
        le=3600,
        description="A running job's lease, renewed while it runs; a crashed worker's job is "
        "taken over once it lapses.",
    )
    upload_lease_seconds: float = Field(
        default=15,
        gt=0,
        le=3600,
        description="An upload's claim on its URL, renewed while the bytes arrive; an upload "
        "cut off by a crash can be sent again once it lapses.",
    )
    sweep_interval_seconds: float = Field(
        default=3600,
        gt=0,
        description="How often temp files, abandoned multipart uploads and blobs without a "
        "live image are swept (also once at start).",
    )
    sweep_safety_age_seconds: float = Field(
        default=24 * 3600,
        ge=0,
        description="What a sweep removes must be at least this old, so no live write is hit.",
    )
    cors_max_origins_per_environment: int = Field(default=100, ge=1, le=100_000)
    cors_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    custom_domain_cname_target: str | None = Field(
        default=None,
        description="Where custom domains point their CNAME; defaults to the CDN base's host.",
    )
    custom_domain_dcv_target: str | None = Field(
        default=None,
        description="Zone that answers ACME DNS-01 challenges; defaults to dcv.<cname target>.",
    )
    custom_domain_dns_servers: list[str] = Field(
        default_factory=list,
        description="DNS servers (ip or ip:port) for test_connection; empty: the system resolver.",
    )
    custom_domain_dns_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    custom_domain_scheme: Literal["http", "https"] = Field(
        default="https", description="The scheme of cdn_url on a connected custom domain."
    )
    custom_domain_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    redis_url: str | None = Field(
        default=None,
        description="Redis (redis://, rediss:// or unix://): every process hears of a change at "
        "once, renders a rendition once and shares the rate limits; without it processes poll, "
        "lease in the database and each keeps its own rate-limit buckets.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="How serve and worker write log records to stderr: text (uvicorn's lines) "
        "or json (one object per line, with request ids).",
    )

    @field_validator("public_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("custom_domain_dns_servers")
    @classmethod
    def _check_dns_servers(cls, value: list[str]) -> list[str]:
        for entry in value:
            parse_nameserver(entry)  # raises ValueError naming the bad entry
        return value

    @property
    def heavy_render_threads(self) -> int:
        """Threads renders over ``cheap_render_cost`` may take: cheap ones always find the rest."""
        default = max(1, self.transform_threads // 2)
        return min(self.transform_threads, self.transform_heavy_threads or default)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'imgwired.db').resolve()}"

    @property
    def cdn_base(self) -> str:
        return (self.cdn_base_url or f"{self.base_url}{CDN_PREFIX}").rstrip("/")

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    # -- Rate limits ---------------------------------------------------------------
    # Token buckets per API key, per client address and per first-hit render (docs/api.md,
    # "Rate limits"); a rate of 0 turns that limit off. Environments may override them.
    rate_limit_key_per_second: float = Field(
        default=50, ge=0, description="Requests an API key may make per second, sustained."
    )
    rate_limit_key_burst: int = Field(
        default=500, ge=1, description="Requests an API key may make at once before the rate."
    )
    rate_limit_ip_per_second: float = Field(
        default=20,
        ge=0,
        description="Requests per second one client address may make to client-callable "
        "endpoints and upload URLs, per environment.",
    )
    rate_limit_ip_burst: int = Field(default=200, ge=1)
    rate_limit_render_per_second: float = Field(
        default=20,
        ge=0,
        description="First-hit renders per second one client address may cause, per "
        "environment; cached deliveries are never limited.",
    )
    rate_limit_render_burst: int = Field(default=200, ge=1)
    rate_limit_redis_prefix: str = Field(
        default="imgwired:ratelimit:",
        min_length=1,
        max_length=200,
        description="Prefix of the rate-limit keys in Redis, so installs can share one server.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Networks of the proxies in front of imgwired (CIDRs); behind one, the "
        "client address is read from X-Forwarded-For.",
    )

    # -- Dashboard -----------------------------------------------------------------
    dashboard_session_hours: float = Field(
        default=12,
        gt=0,
        le=24 * 365,
        description="How long a dashboard sign-in lasts; the browser must sign in again after.",
    )
    dashboard_sign_in_burst: int = Field(
        default=10,
        ge=1,
        description="Dashboard sign-in attempts one client address may make at once.",
    )
    dashboard_sign_in_per_minute: float = Field(
        default=5,
        ge=0,
        description="Dashboard sign-in attempts per minute one client address may make after "
        "its burst; 0 turns the limit off.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not a network (CIDR) or an address") from None
        return value


def normalise_database_url(url: str) -> str:
    """Map the plain ``postgresql://`` scheme onto the psycopg 3 driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


ENV_PREFIX = "IMGWIRED_"
ENV_FILE = Path(".env")

# The IMGWIRED_* names read outside Settings, and by whom; with Settings' fields, every name.
OTHER_VARIABLES: dict[str, str] = {
    "IMGWIRED_BASE_URL": "the Python SDK and `imgwired images`",
    "IMGWIRED_API_KEY": "the Python SDK and `imgwired images`",
    "IMGWIRED_URL": "examples/signed-uploads",
    "IMGWIRED_SERVER_KEY": "examples/signed-uploads",
    "IMGWIRED_CLIENT_KEY": "examples/signed-uploads",
    "IMGWIRED_TEST_DATABASE_URL": "the test suite",
    "IMGWIRED_FUZZ_SECONDS": "the test suite",
    "IMGWIRED_FUZZ_EXAMPLES": "the test suite",
    "IMGWIRED_FUZZ_RANDOM": "the test suite",
    "IMGWIRED_TEST_CHROMIUM": "the test suite",
    "IMGWIRED_SCREENSHOT_DIR": "the test suite",
    "IMGWIRED_TEST_REDIS_URL": "the test suite",
}

# Settings whose values may hold a password or a token: messages name them, never quote them.
SECRET_SETTINGS = frozenset({"admin_token", "database_url", "blob_store_url", "redis_url"})


def variable_of(field: str) -> str:
    """The environment variable that sets the Settings field ``field``."""
    return ENV_PREFIX + field.upper()


def known_variables() -> frozenset[str]:
    """Every IMGWIRED_* name imgwired, its SDK, its examples or its tests read."""
    return frozenset(variable_of(name) for name in Settings.model_fields) | OTHER_VARIABLES.keys()


def misspelt_variables(
    environ: Mapping[str, str] = os.environ, env_file: Path = ENV_FILE
) -> list[str]:
    """One warning per ``IMGWIRED_*`` name, in the environment or ``env_file``, that nothing
    reads; naming the closest known one, since a typo would otherwise go unnoticed."""
    in_environment = _unknown(environ)
    in_file = _unknown(dotenv_values(env_file)) if env_file.is_file() else set()
    # Compared without the prefix, which every name shares and which would make all look alike.
    known = {name.removeprefix(ENV_PREFIX): name for name in known_variables()}
    warnings = []
    for name in sorted(in_environment | in_file):
        where = "" if name in in_environment else f" in {env_file}"
        closest = difflib.get_close_matches(name.removeprefix(ENV_PREFIX), known, n=1)
        hint = f"; did you mean {known[closest[0]]}?" if closest else ""
        warnings.append(f"{name}{where} is not a setting{hint}")
    return warnings


def _unknown(names: Iterable[str]) -> set[str]:
    # Upper-cased: Settings reads its variables in any case.
    upper = {name.upper() for name in names}
    return {name for name in upper if name.startswith(ENV_PREFIX)} - known_variables()
